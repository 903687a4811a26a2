// Runs ../shared/tools/feed-conformance over the feed corpus against the
// built `newsmirror parse`, as a regression floor for the parser.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <regex>
#include <string>

#include "support/paths.hpp"

namespace newsmirror::parse {

namespace {

struct PipeCloser {
  void operator()(FILE* f) const { pclose(f); }
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

}  // namespace

TEST(ParseConformance, PassesAtLeastSixtyPercentOfTheFeedCorpus) {
  SKIP_WITHOUT_SHARED();
  auto tool = test::shared_dir() / "tools" / "feed-conformance";
  if (!std::filesystem::exists(tool)) GTEST_SKIP() << "no conformance tool at " << tool;
  std::string command = shell_quote(tool.string()) + " --exclude __sanitize__ -- " +
                        shell_quote(test::binary().string()) + " parse 2>&1";
  std::unique_ptr<FILE, PipeCloser> pipe(popen(command.c_str(), "r"));
  ASSERT_TRUE(pipe) << command;
  std::string output, last_line;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get())) {
    output += buffer.data();
    std::string line = buffer.data();
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) last_line = line;
  }
  std::smatch match;
  std::regex summary(R"(^(\d+) passed, (\d+) failed$)");
  ASSERT_TRUE(std::regex_match(last_line, match, summary)) << output;
  double passed = std::stod(match[1]);
  double failed = std::stod(match[2]);
  ASSERT_GT(passed + failed, 0);
  EXPECT_GE(passed / (passed + failed), 0.60) << last_line;
}

}  // namespace newsmirror::parse
