// `newsmirror serve` as a user runs it: the real binary on port 0, its
// address read from its first line of output, stopped by SIGTERM and SIGINT.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "catalog/catalog.hpp"
#include "raw_http.hpp"
#include "support/background_command.hpp"
#include "support/cli.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror::serve {
namespace {

namespace fs = std::filesystem;

std::uint16_t port_of(const std::string& line) {
  std::smatch m;
  if (!std::regex_search(line, m, std::regex(R"(http://127\.0\.0\.1:(\d+)/)"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

fs::path make_mirror(const fs::path& root) {
  auto catalog = newsmirror::test::opened(catalog::Catalog::open(root));
  catalog::NewArticle a;
  a.site = "BBC";
  a.file = "articles/BBC/1048574_台湾.md";
  a.number = 1048574;
  a.identity = "link:BBC\x1fhttps://example.com/1";
  a.title = "台湾大选";
  a.link = "https://example.com/1";
  a.published = core::TimePoint(std::chrono::milliseconds(1700000000000));
  a.html = "<p>台湾选民投票。</p>";
  a.fetched_at = *a.published;
  EXPECT_TRUE(catalog->record_new_article(a).ok());
  return root;
}

TEST(ServeCommand, PortZeroPrintsTheBoundAddressAndSigtermStopsIt) {
  ::newsmirror::test::TempDir dir;
  make_mirror(dir.path());
  ::newsmirror::test::BackgroundCommand serve({"--mirror", dir.path().string(), "serve", "--listen", "127.0.0.1:0", "--threads", "2"});
  const std::string line = serve.first_line();
  const std::uint16_t port = port_of(line);
  ASSERT_NE(port, 0) << "first line: " << line;
  auto health = test::get(port, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(nlohmann::json::parse(health->body)["articles"], 1);
  auto search = test::get(port, "/api/search?q=" + test::url_encode("臺灣"));
  ASSERT_TRUE(search);
  EXPECT_EQ(nlohmann::json::parse(search->body)["total"], 1);
  auto home = test::get(port, "/", "Accept-Encoding: gzip\r\n");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200);
  auto page = test::gunzip(home->body);
  ASSERT_TRUE(page);
  EXPECT_NE(page->find("台湾大选"), std::string::npos);
  EXPECT_EQ(serve.stop_with(SIGTERM), 0);
}

TEST(ServeCommand, JsonNamesTheAddressAndSigintStopsIt) {
  ::newsmirror::test::TempDir dir;
  make_mirror(dir.path());
  ::newsmirror::test::BackgroundCommand serve({"--mirror", dir.path().string(), "--json", "serve", "--listen", "127.0.0.1:0"});
  auto info = nlohmann::json::parse(serve.first_line(), nullptr, false);
  ASSERT_TRUE(info.is_object());
  const std::string url = info["url"];
  EXPECT_EQ(url, "http://" + info["listen"].get<std::string>() + "/");
  const std::uint16_t port = port_of(url);
  ASSERT_NE(port, 0);
  auto health = test::get(port, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(serve.stop_with(SIGINT), 0);
}

TEST(ServeCommand, VerboseLogsOneLinePerRequestAndQuietLogsNone) {
  ::newsmirror::test::TempDir dir, logs;
  make_mirror(dir.path());
  auto read_log = [](const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  {
    ::newsmirror::test::BackgroundCommand serve({"--mirror", dir.path().string(), "serve", "--listen", "127.0.0.1:0", "--verbose"},
                       logs.path() / "verbose.log");
    const std::uint16_t port = port_of(serve.first_line());
    ASSERT_NE(port, 0);
    ASSERT_TRUE(test::get(port, "/healthz"));
    ASSERT_TRUE(test::get(port, "/no-such-page"));
    EXPECT_EQ(serve.stop_with(SIGTERM), 0);
  }
  const std::string verbose = read_log(logs.path() / "verbose.log");
  EXPECT_NE(verbose.find("\"GET /healthz\" 200"), std::string::npos) << verbose;
  EXPECT_NE(verbose.find("\"GET /no-such-page\" 404"), std::string::npos) << verbose;
  {
    ::newsmirror::test::BackgroundCommand serve({"--mirror", dir.path().string(), "serve", "--listen", "127.0.0.1:0"}, logs.path() / "quiet.log");
    const std::uint16_t port = port_of(serve.first_line());
    ASSERT_NE(port, 0);
    ASSERT_TRUE(test::get(port, "/healthz"));
    EXPECT_EQ(serve.stop_with(SIGTERM), 0);
  }
  EXPECT_EQ(read_log(logs.path() / "quiet.log").find("/healthz"), std::string::npos);
}

TEST(ServeCommand, AFolderThatIsNoMirrorOrABadAddressIsAUsageError) {
  ::newsmirror::test::TempDir dir;
  ::newsmirror::test::TempDir scratch;
  auto empty = ::newsmirror::test::run_newsmirror(scratch.path(), {"--mirror", dir.path().string(), "serve"});
  EXPECT_EQ(empty.status, 2);
  EXPECT_NE(empty.err.find("not a mirror"), std::string::npos) << empty.err;
  make_mirror(dir.path());
  auto bad = ::newsmirror::test::run_newsmirror(
      scratch.path(), {"--mirror", dir.path().string(), "serve", "--listen", "127.0.0.1:notaport"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("127.0.0.1:notaport"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace newsmirror::serve
