// The reader's path through the site in a real browser: `newsmirror serve`
// over the test mirror, driven in headless Chromium by site_test.js (see
// there for the steps). Screenshots land in <build>/browser-screenshots/,
// kept by CI as artifacts. Installs playwright-core with npm on first use;
// its ctest entry has its own timeout (tests/CMakeLists.txt).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <regex>
#include <string>

#include "support/background_command.hpp"
#include "support/paths.hpp"
#include "support/test_mirror.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;

TEST(BrowserSite, AReaderBrowsesSearchesInBothScriptsAndSeesImagesInChromium) {
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "no /usr/bin/chromium (scripts/setup installs it)";
  test::TempDir dir;
  test::make_test_mirror(dir.path());
  test::BackgroundCommand server({"--mirror", dir.path().string(), "serve", "--listen", "127.0.0.1:0"});
  std::smatch address;
  const std::string line = server.first_line();
  ASSERT_TRUE(std::regex_search(line, address, std::regex(R"(http://127\.0\.0\.1:\d+)")))
      << "newsmirror serve did not print the address it listens on: " << line;
  const std::string url = address.str();

  auto build_dir = test::binary().parent_path();
  std::string command = "'" + (test::source_dir() / "tests/browser/run").string() + "' '" + url + "' '" +
                        (build_dir / "browser-screenshots").string() + "' '" +
                        (build_dir / "browser-node").string() + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 4096> chunk{};
  while (std::size_t n = fread(chunk.data(), 1, chunk.size(), pipe)) output.append(chunk.data(), n);
  int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  EXPECT_NE(output.find("browser test passed"), std::string::npos) << output;
  for (const char* shot : {"home-desktop.png", "article-desktop.png", "home-phone.png", "article-phone.png"}) {
    EXPECT_GT(fs::file_size(build_dir / "browser-screenshots" / shot), 10000u) << shot;
  }
}

}  // namespace
}  // namespace newsmirror
