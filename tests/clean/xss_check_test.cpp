// The XSS corpus (../shared/corpus/xss, about 400 payloads from DOMPurify's
// fixtures, the HTML5 Security Cheatsheet and OWASP), each sanitized by the
// built `newsmirror sanitize` and loaded in headless Chromium by the
// corpus's own checker, which records any script execution. None may run.
// The checker installs playwright-core through npm on first use and takes
// about four minutes (its ctest TIMEOUT is set in tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "support/paths.hpp"
#include "support/shared_tool.hpp"

namespace newsmirror::clean {

TEST(SanitizerXssCheck, NoPayloadOfTheCorpusExecutesInChromium) {
  SKIP_WITHOUT_SHARED();
  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "no /usr/bin/chromium";
  std::vector<std::string> arguments = {"--sanitizer", test::quoted_binary_command("sanitize")};
  for (const char* file : {"dompurify.jsonl", "h5sc.jsonl", "owasp.jsonl"}) {
    arguments.push_back((test::shared_dir() / "corpus" / "xss" / file).string());
  }
  auto run = test::run_shared_tool("xss-check", arguments);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::smatch counts;
  ASSERT_TRUE(std::regex_match(
      run.last_line, counts,
      std::regex(R"(executed: (\d+) of (\d+), unfinished: (\d+), sanitizer errors: (\d+))")))
      << run.output;
  EXPECT_EQ(counts[1], "0") << run.output;
  EXPECT_GT(std::stoi(counts[2]), 300) << "the corpus has about 400 payloads";
  EXPECT_EQ(counts[3], "0") << run.output;
  EXPECT_EQ(counts[4], "0") << run.output;
}

}  // namespace newsmirror::clean
