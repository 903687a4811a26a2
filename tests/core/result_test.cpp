#include "core/result.hpp"

#include <gtest/gtest.h>

namespace newsmirror::core {

TEST(Result, HoldsValueOrError) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad = Error(ErrorKind::timeout, "slow");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::timeout);
}

TEST(Result, ContextIsPrefixed) {
  Error e(ErrorKind::io, "disk full");
  EXPECT_EQ(e.with_context("articles/法广/1.md").message, "articles/法广/1.md: disk full");
}

}  // namespace newsmirror::core
