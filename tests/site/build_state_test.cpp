#include "site/build_state.hpp"

#include <gtest/gtest.h>

namespace newsmirror::site {
namespace {

BuildState sample() {
  BuildState state;
  state.mark = {.catalog = "0123abcd", .last_article = 1000100, .last_version = 1000350};
  state.salt = "f00d";
  state.counts.months["BBC"]["2026-11"] = 12;
  state.counts.months["BBC"]["2026-12"] = 3;
  state.counts.months["中国数字时代"]["2025-01"] = 7;
  state.counts.chunks = {0, 1, 20};
  state.pages = 1000226;
  state.manifest_lines = 1000121;
  state.manifest_appended = 134;
  return state;
}

TEST(BuildState, ReadsBackWhatItWrote) {
  auto text = build_state_text(sample());
  ASSERT_TRUE(text);
  auto read = parse_build_state(*text);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, sample());
}

TEST(BuildState, AnythingUnexpectedMeansNoStateAndSoAFullBuild) {
  const auto text = *build_state_text(sample());
  EXPECT_FALSE(parse_build_state(""));
  EXPECT_FALSE(parse_build_state("newsmirror-build-state 2\n" + text.substr(text.find('\n') + 1)));
  EXPECT_FALSE(parse_build_state(text.substr(0, text.size() - 5))) << "cut short";
  EXPECT_FALSE(parse_build_state(text + "month\tBBC\t2026-10\tmany\n"));
  EXPECT_FALSE(parse_build_state(text + "weather\tfine\n"));
  auto no_mark = text;
  no_mark.erase(no_mark.find("catalog\t"), no_mark.find("salt\t") - no_mark.find("catalog\t"));
  EXPECT_FALSE(parse_build_state(no_mark));
}

TEST(BuildState, ASiteNameNoLineCanHoldIsNotWritten) {
  auto state = sample();
  state.counts.months["two\tcolumns"]["2026-11"] = 1;
  EXPECT_FALSE(build_state_text(state));
}

}  // namespace
}  // namespace newsmirror::site
