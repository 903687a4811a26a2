#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace newsmirror::core {

unsigned thread_count(std::size_t items, unsigned requested, std::size_t items_per_thread) {
  const std::size_t wanted = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t useful = std::max<std::size_t>(1, items / std::max<std::size_t>(1, items_per_thread));
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min(wanted, useful)));
}

void run_on_threads(unsigned threads, const std::function<void()>& worker) {
  std::mutex mutex;
  std::exception_ptr first;
  auto guarded = [&] {
    try {
      worker();
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!first) first = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> others;
    for (unsigned t = 1; t < threads; ++t) others.emplace_back(guarded);
    guarded();
  }  // joins them
  if (first) std::rethrow_exception(first);
}

void parallel_for(std::size_t count, const std::function<void(std::size_t)>& body, unsigned threads) {
  if (count == 0) return;
  std::atomic<std::size_t> next{0};
  run_on_threads(thread_count(count, threads), [&] {
    for (std::size_t i = next++; i < count; i = next++) body(i);
  });
}

}  // namespace newsmirror::core
