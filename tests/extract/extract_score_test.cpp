// The extraction corpus (../shared/corpus/extract: Mozilla Readability's
// test pages and its own outputs), scored by its tool against the built
// `newsmirror extract`, at the mean F1 the full-text issue sets.
#include <gtest/gtest.h>

#include <regex>

#include "support/paths.hpp"
#include "support/shared_tool.hpp"

namespace newsmirror::extract {

TEST(ExtractScore, ReachesMeanF1OfNinetyFivePercentOnTheCorpus) {
  SKIP_WITHOUT_SHARED();
  auto run = test::run_shared_tool(
      "extract-score", {"--min-f1", "0.95", "-v", "--", test::binary().string(), "extract"});
  EXPECT_EQ(run.exit_code, 0) << run.output;

  std::smatch mean;
  ASSERT_TRUE(std::regex_search(run.output, mean, std::regex(R"(mean F1: ([0-9.]+))"))) << run.output;
  EXPECT_GE(std::stod(mean[1]), 0.95) << run.output;

  std::smatch counts;
  ASSERT_TRUE(std::regex_match(run.last_line, counts, std::regex(R"((\d+) passed, (\d+) failed)"))) << run.output;
  EXPECT_GE(std::stoi(counts[1]) + std::stoi(counts[2]), 113) << "the corpus has 113 cases";
  EXPECT_EQ(run.output.find("errors (scored 0)"), std::string::npos) << "no case may crash or time out\n"
                                                                    << run.output;
}

}  // namespace newsmirror::extract
