#include "catalog/catalog.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "catalog/language.hpp"
#include "indexed_ids.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror::catalog {
namespace {

using test::TempDir;

core::TimePoint at(std::int64_t ms) { return core::TimePoint(std::chrono::milliseconds(ms)); }

NewArticle sample(std::string name = "1048575_标题.md") {
  NewArticle a;
  a.site = "法广";
  a.file = "articles/法广/" + name;
  a.number = 1048575;
  a.identity = "guid:法广\x1fhttps://www.rfi.fr/cn/a";
  a.title = "米利访日：美国需要加快向台湾交付武器";
  a.link = "https://www.rfi.fr/cn/a";
  a.published = at(1689335102000);
  a.html = "<div>14/07/2023</div><p>美国参谋长联席会议主席米利说，台湾需要更快的武器交付。</p>";
  a.fetched_at = at(1689335200000);
  return a;
}

using test::search_ids;

TEST(Catalog, CreatesItsSchemaInWalModeAtTheCurrentVersion) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  EXPECT_EQ(catalog->schema_version(), kSchemaVersion);
  EXPECT_EQ(test::journal_mode(dir.path() / ".newsmirror" / "catalog.db"), "wal");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / ".newsmirror" / "catalog.db"));
  EXPECT_EQ(catalog->article_count(), 0u);
}

TEST(Catalog, ReopeningKeepsWhatWasRecorded) {
  TempDir dir;
  {
    auto catalog = test::opened(Catalog::open(dir.path()));
    ASSERT_TRUE(catalog->record_new_article(sample()).ok());
  }
  auto again = test::opened(Catalog::open(dir.path()));
  EXPECT_EQ(again->article_count(), 1u);
}

TEST(Catalog, RefusesASchemaNewerThanItKnows) {
  TempDir dir;
  { ASSERT_TRUE(Catalog::open(dir.path()).ok()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / ".newsmirror" / "catalog.db").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto catalog = Catalog::open(dir.path());
  ASSERT_FALSE(catalog.ok());
  EXPECT_NE(catalog.error().message.find("newer"), std::string::npos) << catalog.error().message;
}

TEST(Catalog, RecordsANewArticleWithItsFirstVersionAndIndexEntry) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  auto input = sample();
  auto id = catalog->record_new_article(input);
  ASSERT_TRUE(id.ok()) << id.error().message;

  auto article = catalog->find(*id);
  ASSERT_TRUE(article);
  EXPECT_EQ(article->site, "法广");
  EXPECT_EQ(article->file, input.file);
  EXPECT_EQ(article->number, 1048575u);
  EXPECT_EQ(article->title, input.title);
  EXPECT_EQ(article->link, input.link);
  EXPECT_EQ(article->published, input.published);
  EXPECT_EQ(article->first_seen, input.fetched_at);
  EXPECT_EQ(article->last_seen, input.fetched_at);
  EXPECT_EQ(article->language, "zh-Hans");
  EXPECT_EQ(article->content_hash, content_hash(input.html));

  auto versions = catalog->versions(*id);
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].ordinal, 1);
  EXPECT_EQ(versions[0].id, article->current_version);
  EXPECT_EQ(versions[0].size, input.html.size());
  auto html = catalog->version_html(versions[0].id);
  ASSERT_TRUE(html.ok()) << html.error().message;
  EXPECT_EQ(*html, input.html);

  EXPECT_EQ(catalog->find_by_file(input.file)->id, *id);
  EXPECT_EQ(catalog->find_by_identity(input.identity)->id, *id);
  EXPECT_EQ(catalog->find_by_number("法广", 1048575).size(), 1u);
  EXPECT_EQ(catalog->find_by_link(input.link).size(), 1u);
  EXPECT_TRUE(catalog->has_content("法广", input.identity, article->content_hash));
  EXPECT_FALSE(catalog->has_content("BBC", input.identity, article->content_hash));
  EXPECT_FALSE(catalog->has_content("法广", "another identity", article->content_hash));
  EXPECT_EQ(search_ids(dir.path(), "武器"), std::vector<std::int64_t>{*id});
}

TEST(Catalog, AFileIsCatalogedOnce) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  ASSERT_TRUE(catalog->record_new_article(sample()).ok());
  auto again = catalog->record_new_article(sample());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, core::ErrorKind::database);
  EXPECT_EQ(catalog->article_count(), 1u);
  EXPECT_EQ(search_ids(dir.path(), "武器").size(), 1u) << "the failed insert left an index entry";
}

TEST(Catalog, SameContentIsNoNewVersionButCountsAsSeen) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  auto input = sample();
  auto id = *catalog->record_new_article(input);
  // The same HTML pretty-printed over several lines is the same content.
  std::string reflowed = "<div>14/07/2023</div>\n   <p>美国参谋长联席会议主席米利说，台湾需要更快的武器交付。</p>\r\n";
  auto changed = catalog->record_version(id, reflowed, at(1689400000000));
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_FALSE(*changed);
  EXPECT_EQ(catalog->versions(id).size(), 1u);
  EXPECT_EQ(catalog->find(id)->last_seen, at(1689400000000));
}

TEST(Catalog, DifferentContentIsANewVersionThatTheIndexFollows) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  auto input = sample();
  auto id = *catalog->record_new_article(input);
  const std::string edited = "<p>美国参谋长联席会议主席米利说，日本将加快导弹部署。</p>";
  auto changed = catalog->record_version(id, edited, at(1689500000000), "米利访日：日本加快导弹部署");
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_TRUE(*changed);

  auto versions = catalog->versions(id);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[1].ordinal, 2);
  EXPECT_EQ(versions[1].fetched_at, at(1689500000000));
  auto article = catalog->find(id);
  EXPECT_EQ(article->current_version, versions[1].id);
  EXPECT_EQ(article->content_hash, content_hash(edited));
  EXPECT_EQ(article->title, "米利访日：日本加快导弹部署");
  EXPECT_EQ(*catalog->version_html(versions[0].id), input.html);
  EXPECT_EQ(*catalog->version_html(versions[1].id), edited);
  EXPECT_EQ(search_ids(dir.path(), "导弹"), std::vector<std::int64_t>{id});
  EXPECT_TRUE(search_ids(dir.path(), "武器").empty()) << "the index still holds the old text";

  // Back to the first text: a third version, not a no-op.
  auto reverted = catalog->record_version(id, input.html, at(1689600000000));
  ASSERT_TRUE(reverted.ok());
  EXPECT_TRUE(*reverted);
  EXPECT_EQ(catalog->versions(id).size(), 3u);
}

TEST(Catalog, RecordVersionOfAnUnknownArticleIsAnError) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  auto result = catalog->record_version(42, "<p>x</p>", at(0));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("42"), std::string::npos);
}

TEST(Catalog, FailedTransactionLeavesNothing) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  auto status = catalog->transaction([&]() -> core::Status {
    if (auto id = catalog->record_new_article(sample("1_a.md")); !id) return id.error();
    return core::Error(core::ErrorKind::io, "disk full");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(catalog->article_count(), 0u);
  EXPECT_TRUE(search_ids(dir.path(), "武器").empty());
}

TEST(Catalog, NumbersMayRepeatWithinASiteAsInOldMirrors) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  auto a = sample("392440_【立此存照】失忆三连.md");
  auto b = sample("392440_【麻辣总局】失忆三连.md");
  a.number = b.number = 392440;
  ASSERT_TRUE(catalog->record_new_article(a).ok());
  ASSERT_TRUE(catalog->record_new_article(b).ok());
  EXPECT_EQ(catalog->find_by_number("法广", 392440).size(), 2u);
}

TEST(Language, TellsTheTwoChineseScriptsAndEnglishApart) {
  EXPECT_EQ(guess_language("美国总统大选民调可信不可信？这个问题让很多人关注。"), "zh-Hans");
  EXPECT_EQ(guess_language("美國總統大選民調可信不可信？這個問題讓很多人關注。"), "zh-Hant");
  EXPECT_EQ(guess_language("The president said on Tuesday that the talks would continue."), "en");
  EXPECT_EQ(guess_language("<p> </p> 123"), "und");
}

}  // namespace
}  // namespace newsmirror::catalog
