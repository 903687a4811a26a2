// The reader's path through the site in a real browser: `newsmirror serve`
// over the test mirror, driven in headless Chromium by site_test.js (see
// there for the steps). Screenshots land in <build>/browser-screenshots/,
// kept by CI as artifacts. Installs playwright-core with npm on first use;
// its ctest entry has its own timeout (tests/CMakeLists.txt).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <regex>
#include <string>

#include "support/paths.hpp"
#include "support/test_mirror.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;

// `newsmirror serve` in the background; stopped with SIGTERM at the end.
class ServeProcess {
 public:
  explicit ServeProcess(const fs::path& mirror) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::string binary = test::binary().string(), dir = mirror.string();
      execl(binary.c_str(), binary.c_str(), "--mirror", dir.c_str(), "serve", "--listen",
            "127.0.0.1:0", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    output_ = fdopen(out[0], "r");
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (output_) fclose(output_);
  }
  // The URL the server printed when it started listening ("" if it did not).
  std::string wait_for_url() {
    std::regex url(R"(http://127\.0\.0\.1:\d+)");
    std::array<char, 1024> line{};
    while (output_ && fgets(line.data(), line.size(), output_)) {
      std::cmatch found;
      if (std::regex_search(line.data(), found, url)) return found.str();
    }
    return "";
  }

 private:
  pid_t pid_ = -1;
  FILE* output_ = nullptr;
};

TEST(BrowserSite, AReaderBrowsesSearchesInBothScriptsAndSeesImagesInChromium) {
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "no /usr/bin/chromium (scripts/setup installs it)";
  test::TempDir dir;
  test::make_test_mirror(dir.path());
  ServeProcess server(dir.path());
  auto url = server.wait_for_url();
  ASSERT_FALSE(url.empty()) << "newsmirror serve did not print the address it listens on";

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
