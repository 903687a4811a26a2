// End-to-end: import, reindex, history and diff through the real binary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "config/config.hpp"
#include "state/state_db.hpp"
#include "support/cli.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"
#include "support/test_mirror.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;

using Outcome = test::CliOutcome;

using ::newsmirror::test::read_file;

class CatalogCommands : public ::testing::Test {
 protected:
  Outcome run(const std::vector<std::string>& args) { return test::run_newsmirror(scratch_.path(), args); }
  Outcome in_mirror(std::vector<std::string> args) {
    args.insert(args.begin(), {"--mirror", mirror()});
    return run(args);
  }
  std::string mirror() const { return (root_.path() / "mirror").string(); }

  // Edits an article file in place, as a person or a script would.
  static void replace_in_file(const fs::path& file, std::string_view from, std::string_view to) {
    std::string bytes = read_file(file);
    const auto at = bytes.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << file;
    bytes.replace(at, from.size(), to);
    std::ofstream(file, std::ios::binary) << bytes;
  }

  // An article file of site `site` numbered from `seq`.
  fs::path write_article(const std::string& site, std::uint64_t seq, const std::string& title,
                         const std::string& html) {
    archive::ArticleRecord r;
    r.published = core::TimePoint(std::chrono::milliseconds(1602561600000));
    r.title = title;
    r.link = "https://example.com/" + std::to_string(seq);
    r.html = html;
    auto path = fs::path(mirror()) / "articles" / site /
                archive::article_file_name(archive::article_number(seq), title);
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << archive::render_article(r);
    return path;
  }

  test::TempDir scratch_;
  test::TempDir root_;
};

TEST_F(CatalogCommands, InitAdoptsTheRealArchiveAndCatalogsIt) {
  SKIP_WITHOUT_SHARED();
  fs::create_directories(mirror());
  fs::copy(test::shared_dir() / "corpus" / "archive" / "articles", fs::path(mirror()) / "articles",
           fs::copy_options::recursive);
  auto init = run({"--json", "init", mirror()});
  ASSERT_EQ(init.status, 0) << init.err;
  auto adopted = nlohmann::json::parse(init.out).at("adopted");
  EXPECT_EQ(adopted.at("cataloged"), 69);
  EXPECT_EQ(adopted.at("made_known"), 69);
  EXPECT_EQ(adopted.at("unreadable"), 0);

  auto again = in_mirror({"--json", "import"});
  ASSERT_EQ(again.status, 0) << again.err;
  auto summary = nlohmann::json::parse(again.out);
  EXPECT_EQ(summary.at("files"), 69);
  EXPECT_EQ(summary.at("added"), 0);
  EXPECT_EQ(summary.at("unchanged"), 69);

  auto history = in_mirror({"--json", "history", "BBC/1047443"});
  ASSERT_EQ(history.status, 0) << history.err;
  auto versions = nlohmann::json::parse(history.out);
  EXPECT_EQ(versions.at("file"), "articles/BBC/1047443.md");
  EXPECT_EQ(versions.at("versions").size(), 1u);
}

TEST_F(CatalogCommands, InitRecordsArticlesWithoutALinkByTheirFileSoTheirNumbersStayTaken) {
  // No feed item carries the key of an article without a link (they are
  // known by their file, not by one shared empty link), yet their numbers
  // are the site's like any other: the next BBC article goes below them.
  write_article("BBC", 1, "有链接", "<p>正文</p>");
  for (std::uint64_t seq : {2, 3}) {
    archive::ArticleRecord r;
    r.title = "无链接" + std::to_string(seq);
    r.html = "<p>正文" + std::to_string(seq) + "</p>";
    std::ofstream(fs::path(mirror()) / "articles" / "BBC" /
                      archive::article_file_name(archive::article_number(seq), r.title),
                  std::ios::binary)
        << archive::render_article(r);
  }
  auto init = run({"--json", "init", mirror()});
  ASSERT_EQ(init.status, 0) << init.err;
  auto adopted = nlohmann::json::parse(init.out).at("adopted");
  EXPECT_EQ(adopted.at("cataloged"), 3);
  EXPECT_EQ(adopted.at("made_known"), 3);
  auto db = test::opened(state::StateDb::open(mirror()));
  ASSERT_TRUE(db);
  EXPECT_EQ(db->last_site_sequence("BBC"), 3u);
  for (std::uint64_t seq : {2, 3}) {
    const auto name = archive::article_file_name(archive::article_number(seq), "无链接" + std::to_string(seq));
    EXPECT_TRUE(db->knows_file("BBC", name)) << name;
  }
}

TEST_F(CatalogCommands, HistoryAndDiffShowAnEditedArticle) {
  ASSERT_EQ(run({"--quiet", "init", mirror()}).status, 0);
  auto file = write_article("法广", 5, "美国会已收到对台军售通知", "<p>美国会已收到对台军售3项通知。</p><p>The sale was approved.</p>");
  write_article("法广", 6, "另一篇", "<p>无关</p>");
  ASSERT_EQ(in_mirror({"--quiet", "import"}).status, 0);

  replace_in_file(file, "3项", "5项");
  replace_in_file(file, "approved", "delayed");
  auto import = in_mirror({"--json", "import"});
  ASSERT_EQ(import.status, 0) << import.err;
  EXPECT_EQ(nlohmann::json::parse(import.out).at("changed"), 1);

  const std::string name = "法广/" + file.filename().string();
  auto history = in_mirror({"--json", "history", name});
  ASSERT_EQ(history.status, 0) << history.err;
  auto versions = nlohmann::json::parse(history.out).at("versions");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[1].at("current"), true);
  EXPECT_NE(versions[0].at("content_hash"), versions[1].at("content_hash"));

  auto text = in_mirror({"history", "法广/" + std::to_string(archive::article_number(5))});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("current"), std::string::npos) << text.out;

  auto diff = in_mirror({"diff", name, "--color", "never"});
  ASSERT_EQ(diff.status, 0) << diff.err;
  EXPECT_NE(diff.out.find("对台军售[-3-]{+5+}项通知"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("[-approved-]{+delayed+}"), std::string::npos) << diff.out;

  auto json = in_mirror({"--json", "diff", "https://example.com/5", "2", "1"});
  ASSERT_EQ(json.status, 0) << json.err;
  auto edits = nlohmann::json::parse(json.out).at("edits");
  std::string inserted;
  for (const auto& e : edits)
    if (e.at("op") == "insert") inserted += e.at("text").get<std::string>();
  EXPECT_EQ(inserted, "3approved");  // from version 2 back to 1

  auto bad = in_mirror({"diff", name, "1", "3"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("no version 3"), std::string::npos) << bad.err;
}

TEST_F(CatalogCommands, ARetitledStoryIsAVersionAndDiffShowsTheTitleChange) {
  // A censored headline often keeps its body: the title alone is the edit.
  ASSERT_EQ(run({"--quiet", "init", "--empty", mirror()}).status, 0);
  auto file = write_article("法广", 5, "官员承认疫情失控", "<p>正文没有改变。</p>");
  ASSERT_EQ(in_mirror({"--quiet", "import"}).status, 0);
  replace_in_file(file, "承认疫情失控", "称疫情总体可控");
  auto import = in_mirror({"--json", "import"});
  ASSERT_EQ(import.status, 0) << import.err;
  EXPECT_EQ(nlohmann::json::parse(import.out).at("changed"), 1);

  const std::string name = "法广/" + std::to_string(archive::article_number(5));
  auto history = in_mirror({"--json", "history", name});
  ASSERT_EQ(history.status, 0) << history.err;
  auto versions = nlohmann::json::parse(history.out).at("versions");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].at("title"), "官员承认疫情失控");
  EXPECT_EQ(versions[1].at("title"), "官员称疫情总体可控");
  auto text = in_mirror({"history", name});
  EXPECT_NE(text.out.find("retitled: 官员称疫情总体可控"), std::string::npos) << text.out;

  auto diff = in_mirror({"diff", name, "--color", "never"});
  ASSERT_EQ(diff.status, 0) << diff.err;
  EXPECT_NE(diff.out.find("Title: 官员[-承认-]{+称+}疫情[-失-]{+总体可+}控"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("The visible text is the same."), std::string::npos) << diff.out;
  auto json = in_mirror({"--json", "diff", name});
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_FALSE(nlohmann::json::parse(json.out).at("title_edits").empty()) << json.out;
}

// Issue 13: history and diff printed UTC ("2026-11-18 11:07:40 UTC") beside
// list pages and `status` in the mirror's zone. The test mirror's first
// article has three versions, fetched 2026-11-18 at 11:07:40, 12:06:40 and
// 13:06:40 UTC.
TEST_F(CatalogCommands, HistoryAndDiffShowTimesInTheMirrorsZoneWithItsOffset) {
  fs::create_directories(mirror());
  test::make_test_mirror(mirror());
  auto history = in_mirror({"history", "法广/1001"});
  ASSERT_EQ(history.status, 0) << history.err;
  for (const char* time : {"2026-11-18 19:07:40 +08:00", "2026-11-18 20:06:40 +08:00", "2026-11-18 21:06:40 +08:00"})
    EXPECT_NE(history.out.find(time), std::string::npos) << time << " in\n" << history.out;
  EXPECT_EQ(history.out.find("UTC"), std::string::npos) << history.out;

  auto diff = in_mirror({"diff", "法广/1001", "--color", "never"});
  ASSERT_EQ(diff.status, 0) << diff.err;
  EXPECT_NE(diff.out.find("version 2 (2026-11-18 20:06:40 +08:00) -> version 3 (2026-11-18 21:06:40 +08:00)"),
            std::string::npos)
      << diff.out;

  // The zone is the mirror's own, whatever it is.
  auto config = config::load_config(config::config_path(mirror()));
  ASSERT_TRUE(config);
  config->timezone = "Europe/London";
  ASSERT_TRUE(config::save_config(config::config_path(mirror()), *config));
  auto london = in_mirror({"history", "法广/1001"});
  EXPECT_NE(london.out.find("2026-11-18 11:07:40 +00:00"), std::string::npos) << london.out;

  // --json keeps milliseconds since the epoch, which need no zone.
  auto json = in_mirror({"--json", "history", "法广/1001"});
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out).at("versions")[0].at("fetched_at"), 1795000060000);
}

TEST_F(CatalogCommands, AnUnknownArticleIsNamedWithTheNearestOne) {
  ASSERT_EQ(run({"--quiet", "init", mirror()}).status, 0);
  write_article("BBC", 10, "标题", "<p>x</p>");
  ASSERT_EQ(in_mirror({"--quiet", "import"}).status, 0);
  const auto number = archive::article_number(10);
  auto missing = in_mirror({"history", "BBC/" + std::to_string(number + 1)});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("no article"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("BBC/" + std::to_string(number)), std::string::npos) << missing.err;
  auto site = in_mirror({"history", "BBD/" + std::to_string(number)});
  EXPECT_EQ(site.status, 2);
  EXPECT_NE(site.err.find("did you mean \"BBC\""), std::string::npos) << site.err;
}

TEST_F(CatalogCommands, ImportNamesAnUnreadableFileAndExitsWith3) {
  ASSERT_EQ(run({"--quiet", "init", mirror()}).status, 0);
  write_article("BBC", 10, "好文件", "<p>x</p>");
  auto bad = fs::path(mirror()) / "articles" / "BBC" / "1048000_坏文件.md";
  std::ofstream(bad, std::ios::binary) << "not an article\n";
  auto import = in_mirror({"import"});
  EXPECT_EQ(import.status, 3);
  EXPECT_NE(import.err.find(bad.string()), std::string::npos) << import.err;
  EXPECT_NE(import.err.find("title"), std::string::npos) << import.err;
  EXPECT_NE(import.out.find("1 added"), std::string::npos) << import.out;
}

TEST_F(CatalogCommands, ReindexRebuildsADeletedCatalog) {
  ASSERT_EQ(run({"--quiet", "init", mirror()}).status, 0);
  for (std::uint64_t seq = 1; seq <= 5; ++seq) write_article("BBC", seq, "标题" + std::to_string(seq), "<p>x</p>");
  ASSERT_EQ(in_mirror({"--quiet", "import"}).status, 0);
  fs::remove(fs::path(mirror()) / ".newsmirror" / "catalog.db");
  auto reindex = in_mirror({"--json", "reindex"});
  ASSERT_EQ(reindex.status, 0) << reindex.err;
  EXPECT_EQ(nlohmann::json::parse(reindex.out).at("added"), 5);
  EXPECT_EQ(in_mirror({"history", "BBC/" + std::to_string(archive::article_number(3))}).status, 0);
}

TEST_F(CatalogCommands, ReindexRefusesToDropEarlierVersionsUnlessToldTo) {
  ASSERT_EQ(run({"--quiet", "init", "--empty", mirror()}).status, 0);
  auto file = write_article("BBC", 1, "标题", "<p>第一版</p>");
  ASSERT_EQ(in_mirror({"--quiet", "import"}).status, 0);
  replace_in_file(file, "第一版", "第二版");
  ASSERT_EQ(in_mirror({"--quiet", "import"}).status, 0);
  const std::string name = "BBC/" + std::to_string(archive::article_number(1));

  auto refused = in_mirror({"reindex"});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("1 earlier version(s) of 1 edited article(s)"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--drop-versions"), std::string::npos) << refused.err;
  auto kept = in_mirror({"--json", "history", name});
  EXPECT_EQ(nlohmann::json::parse(kept.out).at("versions").size(), 2u) << "nothing was dropped";

  auto dropped = in_mirror({"--quiet", "reindex", "--drop-versions"});
  EXPECT_EQ(dropped.status, 0) << dropped.err;
  auto after = in_mirror({"--json", "history", name});
  EXPECT_EQ(nlohmann::json::parse(after.out).at("versions").size(), 1u);
}

TEST_F(CatalogCommands, ImportOutsideAMirrorSaysToInit) {
  auto import = in_mirror({"import"});
  EXPECT_EQ(import.status, 2);
  EXPECT_NE(import.err.find("newsmirror init"), std::string::npos) << import.err;
}

}  // namespace
}  // namespace newsmirror
