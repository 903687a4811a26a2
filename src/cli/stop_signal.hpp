// Ctrl-C (SIGINT) and SIGTERM during `fetch` and `run`. The first asks the
// cycle to stop: feeds not fetched yet are skipped, transfers in flight get
// a few seconds, and what was fetched is still written — a line on stderr
// says so, and how many transfers are in flight. A second one stops at once
// (the default action), which is safe too: every write is atomic and the
// next run recovers an interrupted cycle.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string_view>

namespace newsmirror::cli {

// Installs the handlers for the life of the object (one at a time).
class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  // For mirror::CycleOptions::stop.
  const std::atomic<bool>* flag() const;
  bool requested() const;
  // Between cycles (`run` waiting): a signal then just ends the wait.
  void set_waiting(bool waiting);

  // Wraps a cycle's progress callback so that the message can count the
  // transfers in flight; `inner` may be empty.
  std::function<void(std::string_view, std::size_t, std::size_t, std::string_view)> counting(
      std::function<void(std::string_view, std::size_t, std::size_t, std::string_view)> inner) const;
};

}  // namespace newsmirror::cli
