// The sanitizer's and the article page's kept fuzz inputs
// (fuzz/regressions/sanitize and page, docs/fuzzing.md) replayed in the
// normal build with the fuzzers' own checks (fuzz/page_inputs.hpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "../../fuzz/page_inputs.hpp"
#include "support/paths.hpp"

namespace newsmirror::site {
namespace {

template <typename Check>
void replay(const std::string& target, Check check) {
  std::size_t replayed = 0;
  for (const auto& item : std::filesystem::directory_iterator(test::source_dir() / "fuzz" / "regressions" / target)) {
    std::ifstream in(item.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(check(bytes), std::nullopt) << item.path();
    ++replayed;
  }
  EXPECT_GT(replayed, 0u) << "fuzz/regressions/" << target << " holds no inputs";
}

TEST(FuzzRegression, SanitizeInputsComeOutAsAFixedPointWithoutScript) {
  replay("sanitize", fuzz::sanitize_problem);
}

TEST(FuzzRegression, PageInputsRenderTheSameTwiceWithoutScriptOrScriptLinks) {
  replay("page", fuzz::page_problem);
}

}  // namespace
}  // namespace newsmirror::site
