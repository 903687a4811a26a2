// The search text fuzzer's regression inputs (fuzz/regressions/query/,
// docs/fuzzing.md) replayed in the normal build, with the same checks
// (fuzz/query_inputs.hpp). The fuzz build replays them under sanitizers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "../../fuzz/query_inputs.hpp"
#include "support/paths.hpp"

namespace newsmirror::search {
namespace {

TEST(FuzzRegression, SearchTextInputsTokenizeReplayAndParseConsistently) {
  int inputs = 0;
  for (const auto& item :
       std::filesystem::directory_iterator(test::source_dir() / "fuzz" / "regressions" / "query")) {
    if (!item.is_regular_file()) continue;
    ++inputs;
    std::ifstream in(item.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(fuzz::search_text_problem(text), std::nullopt) << item.path();
  }
  EXPECT_GT(inputs, 0) << "fuzz/regressions/query holds no inputs";
}

}  // namespace
}  // namespace newsmirror::search
