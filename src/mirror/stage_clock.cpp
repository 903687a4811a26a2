#include "mirror/stage_clock.hpp"

#include <time.h>

namespace newsmirror::mirror {

namespace {

std::chrono::nanoseconds cpu_time(clockid_t clock) {
  timespec now{};
  ::clock_gettime(clock, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

double seconds(std::chrono::nanoseconds duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace

std::chrono::nanoseconds thread_cpu_time() { return cpu_time(CLOCK_THREAD_CPUTIME_ID); }

StageClock::StageClock()
    : wall_mark_(std::chrono::steady_clock::now()), cpu_mark_(cpu_time(CLOCK_PROCESS_CPUTIME_ID)) {}

StageTiming& StageClock::row(std::string_view stage, bool part) {
  for (auto& existing : rows_)
    if (existing.stage == stage && existing.part == part) return existing;
  rows_.push_back({std::string(stage), 0, 0, part});
  return rows_.back();
}

void StageClock::lap(std::string_view stage) {
  const auto wall = std::chrono::steady_clock::now();
  const auto cpu = cpu_time(CLOCK_PROCESS_CPUTIME_ID);
  auto& step = row(stage, false);
  step.wall_seconds += seconds(wall - wall_mark_);
  step.cpu_seconds += seconds(cpu - cpu_mark_);
  wall_mark_ = wall;
  cpu_mark_ = cpu;
  std::lock_guard lock(parts_mutex_);
  for (const auto& [part, spent] : parts_) row(part, true).cpu_seconds += seconds(spent);
  parts_.clear();
}

void StageClock::add_part(std::string_view part, std::chrono::nanoseconds cpu) {
  std::lock_guard lock(parts_mutex_);
  for (auto& [name, spent] : parts_)
    if (name == part) {
      spent += cpu;
      return;
    }
  parts_.emplace_back(std::string(part), cpu);
}

}  // namespace newsmirror::mirror
