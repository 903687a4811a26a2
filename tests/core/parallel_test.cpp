#include "core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace newsmirror::core {
namespace {

TEST(ParallelFor, RunsTheBodyOnceForEveryIndex) {
  std::vector<std::atomic<int>> runs(10007);
  parallel_for(runs.size(), [&](std::size_t i) { ++runs[i]; }, 4);
  for (std::size_t i = 0; i < runs.size(); ++i) ASSERT_EQ(runs[i].load(), 1) << "index " << i;
  parallel_for(0, [&](std::size_t) { FAIL() << "no index in an empty range"; });
}

TEST(ParallelFor, AWorkersExceptionReachesTheCallerAfterEveryThreadHasEnded) {
  std::atomic<int> finished{0};
  EXPECT_THROW(parallel_for(
                   1000,
                   [&](std::size_t i) {
                     if (i == 3) throw std::runtime_error("item 3");
                     ++finished;
                   },
                   4),
               std::runtime_error);
  EXPECT_GT(finished.load(), 0) << "the other threads went on and were joined";
}

TEST(ThreadCount, HonoursTheRequestButNeverExceedsTheWorkNorFallsBelowOne) {
  EXPECT_EQ(thread_count(100, 3), 3u);
  EXPECT_EQ(thread_count(2, 8), 2u);
  EXPECT_EQ(thread_count(0, 8), 1u);
  EXPECT_EQ(thread_count(200, 8, 64), 3u) << "one thread per 64 items";
  EXPECT_EQ(thread_count(10, 8, 64), 1u);
  EXPECT_GE(thread_count(1000), 1u);
}

}  // namespace
}  // namespace newsmirror::core
