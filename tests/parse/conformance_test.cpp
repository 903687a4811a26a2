// The feed conformance corpus (../shared/corpus/feeds), scored by its own
// tool against the built `newsmirror parse`, at the pass rate the feed
// parsing issue sets. The __sanitize__ cases belong to the sanitizer's tests.
#include <gtest/gtest.h>

#include <regex>

#include "support/paths.hpp"
#include "support/shared_tool.hpp"

namespace newsmirror::parse {

TEST(ParseConformance, PassesNinetyPercentOfTheFeedCorpus) {
  SKIP_WITHOUT_SHARED();
  auto run = test::run_shared_tool(
      "feed-conformance", {"--exclude", "__sanitize__", "--min-pass", "0.90", "-v", "--",
                           test::binary().string(), "parse"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::smatch counts;
  ASSERT_TRUE(std::regex_match(run.last_line, counts, std::regex(R"((\d+) passed, (\d+) failed)")))
      << run.output;
  EXPECT_GT(std::stoi(counts[1]) + std::stoi(counts[2]), 700) << "the corpus has about 720 cases";
}

}  // namespace newsmirror::parse
