// End-to-end: the real newsmirror binary on a real folder.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config/opml.hpp"
#include "state/state_db.hpp"
#include "support/cli.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;

using Outcome = test::CliOutcome;

using ::newsmirror::test::read_file;

class CliInitSourcesStatus : public ::testing::Test {
 protected:
  test::TempDir scratch_;  // captured output
  test::TempDir root_;
  fs::path mirror_ = root_.path() / "nested" / "mirror";

  Outcome run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--mirror", mirror_.string()});
    return test::run_newsmirror(scratch_.path(), args);
  }
  config::Config config() {
    auto loaded = config::load_config(config::config_path(mirror_));
    EXPECT_TRUE(loaded) << loaded.error().message;
    return loaded ? *loaded : config::Config{};
  }
};

std::vector<std::string> names(const config::Config& config) {
  std::vector<std::string> out;
  for (auto& s : config.sources) out.push_back(s.name);
  return out;
}

TEST_F(CliInitSourcesStatus, InitCreatesALoadableConfigWithTheNineDefaultSources) {
  auto init = test::run_newsmirror(scratch_.path(), {"init", mirror_.string()});
  ASSERT_EQ(init.status, 0) << init.err;
  EXPECT_NE(init.out.find("newsmirror.toml"), std::string::npos);
  EXPECT_NE(init.out.find("Next:"), std::string::npos) << "says what to do next";
  EXPECT_TRUE(fs::exists(mirror_ / ".newsmirror" / "state.db"));
  auto loaded = config();
  EXPECT_EQ(loaded, config::default_config());
  EXPECT_EQ(loaded.sources.size(), 9u);
  auto db = test::opened(state::StateDb::open(mirror_));
  ASSERT_TRUE(db);
  EXPECT_EQ(test::journal_mode(mirror_ / ".newsmirror" / "state.db"), "wal");
}

TEST_F(CliInitSourcesStatus, InitEmptyStartsWithoutSources) {
  auto init = test::run_newsmirror(scratch_.path(), {"init", "--empty", mirror_.string()});
  ASSERT_EQ(init.status, 0) << init.err;
  EXPECT_TRUE(config().sources.empty());
  EXPECT_NE(init.out.find("with 0 sources"), std::string::npos) << init.out;
}

TEST_F(CliInitSourcesStatus, InitRefusesToClobberAnExistingConfigUnlessForced) {
  ASSERT_EQ(test::run_newsmirror(scratch_.path(), {"init", mirror_.string()}).status, 0);
  std::ofstream(config::config_path(mirror_), std::ios::app) << "\n# mine\n";
  auto before = read_file(config::config_path(mirror_));
  auto again = test::run_newsmirror(scratch_.path(), {"init", mirror_.string()});
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(read_file(config::config_path(mirror_)), before);

  auto forced = test::run_newsmirror(scratch_.path(), {"init", "--force", mirror_.string()});
  EXPECT_EQ(forced.status, 0) << forced.err;
  EXPECT_EQ(read_file(config::config_path(mirror_)), config::render_config(config::default_config()));
}

TEST_F(CliInitSourcesStatus, InitAdoptsAClassicMirrorWithoutTouchingIt) {
  fs::create_directories(mirror_ / "articles" / "法广");
  fs::create_directories(mirror_ / "articles" / "BBC");
  // N = 0xFFFFF ^ seq: 1048570 is seq 5, 1048000 is seq 575.
  std::ofstream(mirror_ / "articles" / "法广" / "1048570_标题.md") << "x";
  std::ofstream(mirror_ / "articles" / "BBC" / "1048000.md") << "y";
  std::ofstream(mirror_ / "articles" / "BBC" / "notes.txt") << "z";
  auto init = run({"init"});
  ASSERT_EQ(init.status, 0) << init.err;
  EXPECT_NE(init.out.find("Adopted"), std::string::npos) << init.out;
  EXPECT_EQ(read_file(mirror_ / "articles" / "BBC" / "1048000.md"), "y");
  auto db = test::opened(state::StateDb::open(mirror_));
  ASSERT_TRUE(db);
  // Each site goes on below its own smallest number, even where its files
  // cannot be read as articles ("x", "y").
  EXPECT_EQ(db->last_site_sequence("法广"), 5u);
  EXPECT_EQ(db->last_site_sequence("BBC"), 575u);
  EXPECT_EQ(*db->reserve_site_sequence("法广", 1), 6u);
}

TEST_F(CliInitSourcesStatus, SourcesAddRemoveListRoundTrip) {
  ASSERT_EQ(test::run_newsmirror(scratch_.path(), {"init", mirror_.string()}).status, 0);
  // --no-check: these URLs are not to be fetched (tests stay on loopback).
  auto add = run({"sources", "add", "端传媒", "https://a.example/feed", "http://b.example/feed", "--interval",
                  "30m", "--proxy", "socks5h://127.0.0.1:1080", "--timezone", "Asia/Hong_Kong", "--disabled",
                  "--no-check"});
  ASSERT_EQ(add.status, 0) << add.err;
  auto after_add = config();
  auto added = config::find_source(after_add, "端传媒");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->urls, (std::vector<std::string>{"https://a.example/feed", "http://b.example/feed"}));
  EXPECT_EQ(added->interval, std::chrono::minutes(30));
  EXPECT_EQ(added->proxy, "socks5h://127.0.0.1:1080");
  EXPECT_EQ(added->timezone, "Asia/Hong_Kong");
  EXPECT_FALSE(added->enabled);

  auto list = run({"sources", "list"});
  ASSERT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.out.find("端传媒"), std::string::npos);
  EXPECT_NE(list.out.find("30m"), std::string::npos);
  EXPECT_NE(list.out.find("https://feedx.net/rss/rfi.xml"), std::string::npos);

  auto json = run({"--json", "sources", "list"});
  ASSERT_EQ(json.status, 0) << json.err;
  auto array = nlohmann::json::parse(json.out);
  ASSERT_EQ(array.size(), 10u);
  EXPECT_EQ(array[9]["name"], "端传媒");
  EXPECT_EQ(array[9]["enabled"], false);
  EXPECT_EQ(array[9]["interval_seconds"], 1800);
  EXPECT_EQ(array[9]["urls"].size(), 2u);

  EXPECT_EQ(run({"sources", "add", "端传媒", "https://c.example/"}).status, 2) << "duplicate name";
  auto bad_url = run({"sources", "add", "x", "ftp://c.example/"});
  EXPECT_EQ(bad_url.status, 2);
  EXPECT_NE(bad_url.err.find("key \"url\""), std::string::npos) << bad_url.err;
  EXPECT_EQ(run({"sources", "add", "x", "https://c.example/", "--interval", "soon"}).status, 2);
  EXPECT_EQ(run({"sources", "add", "x", "https://c.example/", "--timezone", "Mars/Base"}).status, 2);
  EXPECT_EQ(config().sources.size(), 10u) << "rejected adds change nothing";

  ASSERT_EQ(run({"sources", "remove", "法广"}).status, 0);
  EXPECT_FALSE(config::find_source(config(), "法广"));
  auto missing = run({"sources", "remove", "法广"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("no source named"), std::string::npos);
  EXPECT_EQ(config().sources.size(), 9u);
}

TEST_F(CliInitSourcesStatus, SourcesExportImportRoundTrip) {
  ASSERT_EQ(test::run_newsmirror(scratch_.path(), {"init", mirror_.string()}).status, 0);
  ASSERT_EQ(run({"sources", "add", "多地址", "https://a.example/1", "https://a.example/2", "--no-check"}).status, 0);
  auto original = config();

  auto exported = run({"sources", "export"});
  ASSERT_EQ(exported.status, 0) << exported.err;
  EXPECT_NE(exported.out.find("<opml version=\"2.0\">"), std::string::npos);
  auto opml_file = root_.path() / "sources.opml";
  ASSERT_EQ(run({"sources", "export", opml_file.string()}).status, 0);
  auto parsed = config::parse_opml(read_file(opml_file));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->size(), 10u);

  // Into an emptied mirror: everything comes back, in order.
  for (const auto& name : names(original)) ASSERT_EQ(run({"sources", "remove", name}).status, 0) << name;
  EXPECT_TRUE(config().sources.empty());
  auto imported = run({"sources", "import", opml_file.string()});
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_NE(imported.out.find("Imported 10 sources"), std::string::npos) << imported.out;
  // OPML carries a source's name, URLs and fetch settings, not its
  // cleaning rules or numbering (no reader of OPML would know them).
  auto without_rules = original;
  for (auto& source : without_rules.sources) {
    source.rules = {};
    source.numbering = config::Numbering::count_down;
  }
  EXPECT_EQ(config(), without_rules);

  // Again: nothing new, all skipped.
  auto again = run({"--json", "sources", "import", opml_file.string()});
  ASSERT_EQ(again.status, 0) << again.err;
  auto report = nlohmann::json::parse(again.out);
  EXPECT_EQ(report["added"].size(), 0u);
  EXPECT_EQ(report["skipped"].size(), 10u);

  // A feed under a new name but with a URL already present is skipped too.
  std::ofstream(root_.path() / "other.opml")
      << R"(<opml version="2.0"><body><outline text="RFI" xmlUrl="https://feedx.net/rss/rfi.xml"/>)"
         R"(<outline text="新的" xmlUrl="https://new.example/rss"/></body></opml>)";
  auto other = run({"--json", "sources", "import", (root_.path() / "other.opml").string()});
  ASSERT_EQ(other.status, 0) << other.err;
  EXPECT_EQ(nlohmann::json::parse(other.out)["added"], nlohmann::json::array({"新的"}));

  std::ofstream(root_.path() / "broken.opml") << "<opml><body>";
  EXPECT_NE(run({"sources", "import", (root_.path() / "broken.opml").string()}).status, 0);
}

TEST_F(CliInitSourcesStatus, MalformedConfigMakesSourcesListExit2NamingLineAndKey) {
  ASSERT_EQ(test::run_newsmirror(scratch_.path(), {"init", mirror_.string()}).status, 0);
  std::ofstream(config::config_path(mirror_)) << "concurrency = 4\n"
                                                 "\n"
                                                 "[[source]]\n"
                                                 "name = \"法广\"\n"
                                                 "url = \"https://feedx.net/rss/rfi.xml\"\n"
                                                 "interval = \"soon\"\n";
  auto list = run({"sources", "list"});
  EXPECT_EQ(list.status, 2);
  EXPECT_NE(list.err.find("newsmirror.toml:6: source \"法广\": key \"interval\": expected a duration like "
                          "\"15m\", got \"soon\""),
            std::string::npos)
      << list.err;
  EXPECT_EQ(run({"status"}).status, 2);
  EXPECT_EQ(run({"sources", "add", "x", "https://x.example/"}).status, 2);

  std::ofstream(config::config_path(mirror_)) << "concurrency = 4\nconcurency = 5\n";
  auto typo = run({"sources", "list"});
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.err.find("newsmirror.toml:2: unknown key \"concurency\" (did you mean \"concurrency\"?)"),
            std::string::npos)
      << typo.err;
}

TEST_F(CliInitSourcesStatus, NoConfigIsAUsageError) {
  fs::create_directories(mirror_);
  auto list = run({"sources", "list"});
  EXPECT_EQ(list.status, 2);
  EXPECT_NE(list.err.find("newsmirror init"), std::string::npos) << list.err;
}

TEST_F(CliInitSourcesStatus, StatusShowsRecordedHealth) {
  ASSERT_EQ(test::run_newsmirror(scratch_.path(), {"init", mirror_.string()}).status, 0);
  {
    auto db = test::opened(state::StateDb::open(mirror_));
    ASSERT_TRUE(db);
    auto t = core::TimePoint(std::chrono::milliseconds(1'700'000'000'000));
    ASSERT_TRUE(db->record_attempt("法广", t, core::ok_status(), 12));
    ASSERT_TRUE(db->record_attempt("BBC", t, core::Error(core::ErrorKind::timeout, "timed out after 60s"), 0));
    ASSERT_TRUE(db->record_attempt("BBC", t, core::Error(core::ErrorKind::timeout, "timed out after 60s"), 0));
    ASSERT_TRUE(db->record_attempt("旧的", t, core::ok_status(), 3));
  }
  auto status = run({"status"});
  ASSERT_EQ(status.status, 0) << status.err;
  EXPECT_NE(status.out.find("timed out after 60s"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("2023-11-15 06:13:20 +08:00"), std::string::npos) << "in Asia/Shanghai\n" << status.out;

  auto json = run({"--json", "status"});
  ASSERT_EQ(json.status, 0) << json.err;
  auto rows = nlohmann::json::parse(json.out);
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows[0]["name"], "路透");
  EXPECT_TRUE(rows[0]["last_success"].is_null());
  EXPECT_EQ(rows[4]["name"], "BBC");
  EXPECT_EQ(rows[4]["consecutive_failures"], 2);
  EXPECT_EQ(rows[4]["last_error"], "timed out after 60s");
  EXPECT_EQ(rows[5]["name"], "法广");
  EXPECT_EQ(rows[5]["articles_archived"], 12);
  EXPECT_EQ(rows[5]["last_success"], 1'700'000'000'000);
  EXPECT_EQ(rows[9]["configured"], false);
}

// Issue 13: "13 sources, 9 failing" with 6 configured — sources removed from
// newsmirror.toml were listed and their old failures counted.
TEST_F(CliInitSourcesStatus, StatusListsAndCountsOnlyTheConfiguredSources) {
  ASSERT_EQ(test::run_newsmirror(scratch_.path(), {"init", mirror_.string()}).status, 0);
  {
    auto db = test::opened(state::StateDb::open(mirror_));
    ASSERT_TRUE(db);
    auto t = core::TimePoint(std::chrono::milliseconds(1'700'000'000'000));
    auto failure = core::Error(core::ErrorKind::timeout, "timed out after 60s");
    ASSERT_TRUE(db->record_attempt("BBC", t, failure, 0));
    for (const char* gone : {"旧的", "停刊", "搬走了"}) ASSERT_TRUE(db->record_attempt(gone, t, failure, 0));
  }
  auto status = run({"status"});
  ASSERT_EQ(status.status, 0) << status.err;
  EXPECT_NE(status.out.find("9 sources, 1 failing;"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("3 removed sources still have history (not counted): 停刊, 搬走了, 旧的\n"),
            std::string::npos)
      << status.out;
  // Named on that line only, not as rows of the table.
  for (const char* gone : {"旧的", "停刊", "搬走了"}) {
    auto first = status.out.find(gone);
    ASSERT_NE(first, std::string::npos) << gone;
    EXPECT_EQ(status.out.find(gone, first + 1), std::string::npos) << gone << " appears twice:\n" << status.out;
    EXPECT_GT(first, status.out.find("9 sources")) << gone << " is a row of the table:\n" << status.out;
  }

  auto quiet = run({"--quiet", "status"});
  EXPECT_EQ(quiet.out.find("旧的"), std::string::npos) << quiet.out;
}

TEST_F(CliInitSourcesStatus, EveryCommandHasHelp) {
  for (std::vector<std::string> args : {std::vector<std::string>{"init", "--help"}, {"sources", "--help"},
                                        {"sources", "add", "--help"}, {"status", "--help"}}) {
    auto help = test::run_newsmirror(scratch_.path(), args);
    EXPECT_EQ(help.status, 0) << args[0];
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << help.out;
  }
  auto add = test::run_newsmirror(scratch_.path(), {"sources", "add", "--help"});
  for (const char* option : {"--interval", "--proxy", "--timezone", "--disabled", "--no-check"})
    EXPECT_NE(add.out.find(option), std::string::npos) << option;
}

}  // namespace
}  // namespace newsmirror
