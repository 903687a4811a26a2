// Every input the fuzzers ever crashed on (fuzz/regressions/<target>/,
// docs/fuzzing.md) replayed in the normal build: the parsers must come back
// with a result or an error, dates must agree with themselves across zones,
// and search text must tokenize, replay and parse consistently. The fuzz
// build replays them under sanitizers (scripts/fuzz replay).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../fuzz/fuzz_inputs.hpp"
#include "../../fuzz/query_inputs.hpp"
#include "support/paths.hpp"

namespace newsmirror::parse {
namespace {

std::vector<std::filesystem::path> regression_inputs(const std::string& target) {
  std::vector<std::filesystem::path> files;
  auto folder = test::source_dir() / "fuzz" / "regressions" / target;
  for (const auto& item : std::filesystem::directory_iterator(folder))
    if (item.is_regular_file()) files.push_back(item.path());
  return files;
}

using ::newsmirror::test::read_file;

TEST(FuzzRegression, FeedInputsParseWithoutCrashing) {
  auto files = regression_inputs("feed");
  ASSERT_FALSE(files.empty()) << "fuzz/regressions/feed holds no inputs";
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    std::string bytes = read_file(file);
    EXPECT_FALSE(fuzz::parse_like_cli(fuzz::read_feed_input(bytes)).empty());
  }
}

TEST(FuzzRegression, DateInputsAgreeAcrossZones) {
  auto files = regression_inputs("date");
  ASSERT_FALSE(files.empty()) << "fuzz/regressions/date holds no inputs";
  for (const auto& file : files) {
    EXPECT_EQ(fuzz::date_zone_disagreement(read_file(file)), std::nullopt) << file;
  }
}

TEST(FuzzRegression, SearchTextInputsTokenizeReplayAndParseConsistently) {
  auto files = regression_inputs("query");
  ASSERT_FALSE(files.empty()) << "fuzz/regressions/query holds no inputs";
  for (const auto& file : files) {
    EXPECT_EQ(fuzz::search_text_problem(read_file(file)), std::nullopt) << file;
  }
}

}  // namespace
}  // namespace newsmirror::parse
