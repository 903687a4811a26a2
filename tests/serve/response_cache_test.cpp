#include "serve/response_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace newsmirror::serve {
namespace {

std::shared_ptr<const Response> page(std::size_t bytes, char fill = 'x') {
  return Response::ok("image/png", std::string(bytes, fill), Caching::asset);
}

TEST(ResponseCache, KeepsAResponseForItsKeyAndGeneration) {
  ResponseCache cache(16 << 20);
  auto r = page(100);
  cache.put("/a", 1, r);
  EXPECT_EQ(cache.find("/a", 1), r);
  EXPECT_EQ(cache.find("/b", 1), nullptr);
  EXPECT_EQ(cache.find("/a", 2), nullptr) << "another generation is a miss";
  EXPECT_EQ(cache.find("/a", 1), nullptr) << "and the stale entry is gone";
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(ResponseCache, StaysWithinItsBytesDroppingTheLeastRecentlyUsed) {
  const std::size_t budget = 16 * 64 * 1024;  // 64 KiB per shard
  ResponseCache cache(budget);
  for (int i = 0; i < 2000; ++i) {
    cache.put("/page/" + std::to_string(i), 1, page(4000));
    ASSERT_LE(cache.bytes(), budget) << i;
  }
  EXPECT_GT(cache.entries(), 0u);
  EXPECT_LT(cache.entries(), 2000u);
  EXPECT_NE(cache.find("/page/1999", 1), nullptr) << "the newest is kept";
  EXPECT_EQ(cache.find("/page/0", 1), nullptr) << "the oldest went";
}

TEST(ResponseCache, AResponseTooLargeForItsShareIsNotKept) {
  ResponseCache cache(16 * 64 * 1024);
  cache.put("/huge", 1, page(60 * 1024));
  EXPECT_EQ(cache.find("/huge", 1), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ResponseCache, PuttingAKeyAgainReplacesIt) {
  ResponseCache cache(16 << 20);
  cache.put("/a", 1, page(10, 'a'));
  auto newer = page(10, 'b');
  cache.put("/a", 2, newer);
  EXPECT_EQ(cache.find("/a", 2), newer);
  EXPECT_EQ(cache.entries(), 1u);
}

}  // namespace
}  // namespace newsmirror::serve
