#include "core/suggest.hpp"

#include <gtest/gtest.h>

namespace newsmirror::core {

TEST(Suggest, EditDistanceCountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("fetch", "fetch"), 0u);
  EXPECT_EQ(edit_distance("fecth", "fetch"), 2u);
  EXPECT_EQ(edit_distance("", "run"), 3u);
  EXPECT_EQ(edit_distance("interval", "intervals"), 1u);
}

TEST(Suggest, NearMissIsSuggestedAndFarMissIsNot) {
  std::vector<std::string_view> commands = {"init", "sources", "fetch", "run", "status", "parse"};
  EXPECT_EQ(closest_match("fecth", commands), "fetch");
  EXPECT_EQ(closest_match("stauts", commands), "status");
  EXPECT_EQ(closest_match("timezone", std::vector<std::string_view>{"timezone", "timeout"}), "timezone");
  EXPECT_EQ(closest_match("publish", commands), std::nullopt);
  EXPECT_EQ(closest_match("x", std::vector<std::string_view>{}), std::nullopt);
}

}  // namespace newsmirror::core
