// Where a cycle's time goes (`newsmirror fetch --timings`): the wall time
// and the process's CPU time (every thread) of each step, measured from one
// lap() to the next, and the CPU time worker threads add up for the parts
// of a step they share (parse and clean inside "parse, clean and hash").
// Reading the clocks costs well under a microsecond; a cycle always keeps
// its timings and the CLI prints them when asked.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mirror/cycle.hpp"

namespace newsmirror::mirror {

class StageClock {
 public:
  StageClock();

  // Ends the step that ran since the last lap (or since the clock was
  // made) and names it; a name used again adds to its row. The parts
  // added since the last lap follow it as rows of their own.
  void lap(std::string_view stage);
  // CPU time a thread spent on `part` of the running step. Thread-safe.
  void add_part(std::string_view part, std::chrono::nanoseconds cpu);

  const std::vector<StageTiming>& rows() const { return rows_; }

 private:
  StageTiming& row(std::string_view stage, bool part);

  std::chrono::steady_clock::time_point wall_mark_;
  std::chrono::nanoseconds cpu_mark_;
  std::vector<StageTiming> rows_;
  std::mutex parts_mutex_;
  // Since the last lap, in the order the parts were first added.
  std::vector<std::pair<std::string, std::chrono::nanoseconds>> parts_;
};

// The calling thread's CPU time so far.
std::chrono::nanoseconds thread_cpu_time();

}  // namespace newsmirror::mirror
