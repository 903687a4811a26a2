// Work spread over the machine's cores: one thread-count policy and one
// loop for the stages that do CPU work item by item (parsing feeds,
// extracting pages, preparing articles for the catalog, writing pages).
#pragma once

#include <cstddef>
#include <functional>

namespace newsmirror::core {

// How many threads a job of `items` items gets: `requested` when it is not
// 0, else one per core; never more than one per `items_per_thread` items,
// and at least one.
unsigned thread_count(std::size_t items, unsigned requested = 0, std::size_t items_per_thread = 1);

// Runs `worker` on `threads` threads, the calling one among them, and
// returns when all have returned. The first exception a worker throws is
// thrown again here once every thread has ended (out of a thread it would
// end the process).
void run_on_threads(unsigned threads, const std::function<void()>& worker);

// body(i) for every i in [0, count), each thread taking the next index as
// it finishes one, on thread_count(count, threads) threads.
void parallel_for(std::size_t count, const std::function<void(std::size_t)>& body, unsigned threads = 0);

}  // namespace newsmirror::core
