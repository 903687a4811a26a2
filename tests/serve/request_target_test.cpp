#include "serve/request_target.hpp"

#include <gtest/gtest.h>

namespace newsmirror::serve {
namespace {

TEST(RequestTarget, PathsAreDecodedRelativeToTheRoot) {
  EXPECT_EQ(relative_path("/"), "");
  EXPECT_EQ(relative_path("/index.html"), "index.html");
  EXPECT_EQ(relative_path("/sites/%E6%B3%95%E5%B9%BF/"), "sites/法广/");
  EXPECT_EQ(relative_path("/sites/a/1_a%20b.html"), "sites/a/1_a b.html");
  EXPECT_EQ(relative_path("/a+b"), "a+b") << "'+' is a space only in queries";
  EXPECT_EQ(relative_path("/sites/..a/x..html"), "sites/..a/x..html") << "dots inside names are names";
}

TEST(RequestTarget, PathsThatCouldLeaveTheRootAreRefused) {
  for (const char* path : {"/..", "/../etc/passwd", "/assets/../../x", "/assets/%2e%2e/x", "/assets/%2E%2E/%2e%2e/x",
                           "/assets/ab%2f..%2f..%2fx", "/a/./b", "/a//b", "//etc/passwd", "/%2fetc/passwd",
                           "/a\\..\\b", "/a%5c..%5cb", "/x%00.png", "/x%0a", "/bad%zz", "/bad%4", "/%ff%fe",
                           "/%c0%ae%c0%ae/x", "relative", ""}) {
    EXPECT_FALSE(relative_path(path).has_value()) << path;
  }
}

TEST(RequestTarget, QueryValuesAreDecodedFormStyle) {
  EXPECT_EQ(query_value("q=%E5%8F%B0%E6%B9%BE&limit=5", "q"), "台湾");
  EXPECT_EQ(query_value("q=a+b%2Bc", "q"), "a b+c");
  EXPECT_EQ(query_value("x=1&limit=5", "limit"), "5");
  EXPECT_EQ(query_value("q", "q"), "");
  EXPECT_EQ(query_value("qq=1", "q"), std::nullopt);
  EXPECT_EQ(query_value("", "q"), std::nullopt);
  EXPECT_EQ(query_value("q=%zz", "q"), std::nullopt);
}

}  // namespace
}  // namespace newsmirror::serve
