// `newsmirror check`: a mirror whose parts agree passes; each way they can
// come apart is named with its path, and --repair puts right what the
// files allow, leaving the rest reported.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "mirror/fixtures.hpp"
#include "support/cli.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;
using test::mirror_fixtures::MirrorFolder;
using test::mirror_fixtures::rss;

class CheckCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.serve_file("/feed.xml",
                       rss({{"一", "https://news.example/1", "g1", "Mon, 01 Jan 2024 10:00:00 GMT", "<p>一</p>"},
                            {"二", "https://news.example/2", "g2", "Mon, 01 Jan 2024 09:00:00 GMT", "<p>二</p>"},
                            {"三", "https://news.example/3", "g3", "Mon, 01 Jan 2024 08:00:00 GMT", "<p>三</p>"}}),
                       "application/rss+xml");
    mirror_.add_source("站", {server_.url("/feed.xml")});
    ASSERT_EQ(mirror_.cycle().total_new(), 3u);
  }
  test::CliOutcome check(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--mirror", mirror_.dir().string(), "--json", "check"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_newsmirror(scratch_.path(), args);
  }
  // where -> repaired, from check's JSON.
  std::map<std::string, bool> problems(const test::CliOutcome& outcome) {
    std::map<std::string, bool> out;
    auto json = nlohmann::json::parse(outcome.out, nullptr, false);
    EXPECT_TRUE(json.is_object()) << outcome.out << outcome.err;
    if (!json.is_object()) return out;
    for (const auto& p : json["problems"]) out[p["where"].get<std::string>()] = p["repaired"].get<bool>();
    return out;
  }

  test::HttpServer server_;
  MirrorFolder mirror_;
  test::TempDir scratch_;
};

TEST_F(CheckCommand, AMirrorAfterACycleIsConsistent) {
  auto outcome = check();
  EXPECT_EQ(outcome.status, 0) << outcome.out << outcome.err;
  auto json = nlohmann::json::parse(outcome.out);
  EXPECT_TRUE(json["consistent"]);
  EXPECT_EQ(json["article_files"], 3);
  EXPECT_TRUE(json["problems"].empty()) << outcome.out;
}

TEST_F(CheckCommand, NamesEachDisagreementAndRepairsWhatTheFilesAllow) {
  auto names = mirror_.article_names("站");
  ASSERT_EQ(names.size(), 3u);
  const std::string gone = "articles/站/" + names[0];
  fs::remove(mirror_.dir() / gone);  // recorded in the state, file deleted
  const std::string stray = "articles/站/1000.md";  // a file nobody recorded
  std::ofstream(mirror_.dir() / stray) << "<!--1704067200000-->\n[外来](https://news.example/x)\n------\n\n<p>x</p>\n";
  const std::string temp = "articles/站/.1000.md.tmp-99999999-1";
  std::ofstream(mirror_.dir() / temp) << "half";
  std::ofstream(mirror_.list_page("站"), std::ios::app) << "edited by hand\n";

  auto found = problems(check());
  EXPECT_EQ(found.count(gone), 1u);
  EXPECT_EQ(found.count(stray), 1u);
  EXPECT_EQ(found.count(temp), 1u);
  EXPECT_EQ(found.count("lists/站.md"), 1u);
  EXPECT_EQ(check().status, 1);

  auto repair = check({"--repair"});
  EXPECT_EQ(repair.status, 1) << "a deleted file cannot come back: " << repair.out;
  auto after = problems(repair);
  EXPECT_TRUE(after[temp]);
  EXPECT_TRUE(after["lists/站.md"]);
  EXPECT_FALSE(fs::exists(mirror_.dir() / temp));

  auto last = check();
  auto left = problems(last);
  EXPECT_EQ(left.size(), 1u) << "only the deleted file remains: " << last.out;
  EXPECT_NE(last.out.find("the file is gone"), std::string::npos) << last.out;
  EXPECT_EQ(left.count(gone), 1u);
  EXPECT_EQ(left.count(stray), 0u) << "the stray file was imported and adopted";
}

}  // namespace
}  // namespace newsmirror
