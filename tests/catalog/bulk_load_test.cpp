// The SQLite catalog's own behaviour: filling an empty catalog the fast way
// (begin_bulk_load, its marker file, journal off), the transactions that
// take no savepoint inside another, and the schema migrations.
#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/sqlite_catalog.hpp"
#include "core/mirror_layout.hpp"
#include "search/search_index.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror::catalog {
namespace {

using test::TempDir;

core::TimePoint at(std::int64_t ms) { return core::TimePoint(std::chrono::milliseconds(ms)); }

NewArticle article(int n, std::string text = "美国参谋长联席会议主席米利说，台湾需要更快的武器交付。") {
  NewArticle a;
  a.site = "法广";
  a.file = "articles/法广/" + std::to_string(n) + ".md";
  a.number = static_cast<std::uint64_t>(n);
  a.identity = "link:法广\x1fhttps://www.rfi.fr/cn/" + std::to_string(n);
  a.title = "米利访日 " + std::to_string(n);
  a.link = "https://www.rfi.fr/cn/" + std::to_string(n);
  a.html = "<p>" + text + "</p>";
  a.fetched_at = at(1689335200000 + n);
  return a;
}

std::int64_t hits(Catalog& catalog, const std::string& text) {
  search::SearchQuery query;
  query.text = text;
  auto found = catalog.search(query);
  EXPECT_TRUE(found.ok()) << (found.ok() ? "" : found.error().message);
  return found.ok() ? found->total : -1;
}

bool index_is_consistent(Catalog& catalog) { return catalog.check_search_index().ok(); }

std::unique_ptr<SqliteCatalog> open(const TempDir& dir) {
  std::filesystem::create_directories(core::layout::private_dir(dir.path()));
  return test::opened(SqliteCatalog::open_file(core::layout::catalog_db(dir.path())));
}

std::filesystem::path marker(const TempDir& dir) { return dir.path() / ".newsmirror" / "catalog.db.loading"; }

TEST(CatalogBulkLoad, FillsAnEmptyCatalogAndLeavesItAsUsual) {
  TempDir dir;
  auto catalog = open(dir);
  auto bulk = catalog->begin_bulk_load();
  ASSERT_TRUE(bulk.ok() && *bulk);
  EXPECT_TRUE(std::filesystem::exists(marker(dir)));
  EXPECT_EQ(catalog->journal_mode(), "off");
  ASSERT_TRUE(catalog->transaction([&]() -> core::Status {
    for (int n = 1; n <= 30; ++n)
      if (auto id = catalog->record_new_article(article(n)); !id) return id.error();
    return core::ok_status();
  }).ok());
  ASSERT_TRUE(catalog->end_bulk_load().ok());
  EXPECT_FALSE(catalog->bulk_loading());
  EXPECT_FALSE(std::filesystem::exists(marker(dir)));
  EXPECT_EQ(catalog->journal_mode(), "wal");
  EXPECT_EQ(hits(*catalog, "武器交付"), 30);
  EXPECT_TRUE(index_is_consistent(*catalog));
  auto reopened = open(dir);
  EXPECT_EQ(reopened->article_count(), 30u);
  // The listing index, left out while loading, is made at the end.
  auto listing = test::open_database(core::layout::catalog_db(dir.path()))
                     .integer("SELECT count(*) FROM sqlite_schema WHERE name = 'articles_by_listing'", "finding it");
  ASSERT_TRUE(listing.ok());
  EXPECT_EQ(*listing, 1);
  EXPECT_EQ(reopened->listed_newest(article(1).site, 100).size(), 30u);
}

TEST(CatalogBulkLoad, IsRefusedForACatalogThatHoldsArticles) {
  TempDir dir;
  auto catalog = open(dir);
  ASSERT_TRUE(catalog->record_new_article(article(1)).ok());
  auto bulk = catalog->begin_bulk_load();
  ASSERT_TRUE(bulk.ok());
  EXPECT_FALSE(*bulk);
  EXPECT_FALSE(std::filesystem::exists(marker(dir)));
  EXPECT_EQ(catalog->journal_mode(), "wal");
}

TEST(CatalogBulkLoad, IsRefusedWhileAnotherConnectionHasTheCatalogOpen) {
  TempDir dir;
  auto catalog = open(dir);
  auto other = open(dir);
  EXPECT_EQ(other->article_count(), 0u);  // a reader holds the WAL
  auto bulk = catalog->begin_bulk_load();
  ASSERT_TRUE(bulk.ok());
  EXPECT_FALSE(*bulk);
  EXPECT_FALSE(std::filesystem::exists(marker(dir)));
  ASSERT_TRUE(catalog->record_new_article(article(1)).ok());
  EXPECT_EQ(other->article_count(), 1u);
}

TEST(CatalogBulkLoad, AnInterruptedLoadIsEmptiedWhenNextOpened) {
  TempDir dir;
  {
    auto catalog = open(dir);
    ASSERT_TRUE(*catalog->begin_bulk_load());
    ASSERT_TRUE(catalog->record_new_article(article(1)).ok());
    // Dies here: no end_bulk_load().
  }
  ASSERT_TRUE(std::filesystem::exists(marker(dir)));
  auto catalog = open(dir);
  EXPECT_EQ(catalog->article_count(), 0u);
  EXPECT_FALSE(std::filesystem::exists(marker(dir)));
  EXPECT_EQ(catalog->journal_mode(), "wal");
}

TEST(CatalogTransaction, AFailedRecordRollsTheTransactionBackEvenIfTheBodyGoesOn) {
  TempDir dir;
  auto catalog = open(dir);
  auto status = catalog->transaction([&]() -> core::Status {
    EXPECT_TRUE(catalog->record_new_article(article(1)).ok());
    EXPECT_FALSE(catalog->record_new_article(article(1)).ok());  // same file: fails half-way
    return core::ok_status();
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(catalog->article_count(), 0u);
  EXPECT_EQ(hits(*catalog, "武器交付"), 0);
  EXPECT_TRUE(index_is_consistent(*catalog));
  // The next transaction is not doomed by the last one.
  EXPECT_TRUE(catalog->transaction([&]() -> core::Status {
    if (auto id = catalog->record_new_article(article(2)); !id) return id.error();
    return core::ok_status();
  }).ok());
  EXPECT_EQ(catalog->article_count(), 1u);
}

TEST(CatalogSchema, VersionThreeGainsVersionTitlesAndARetitleIsANewVersion) {
  TempDir dir;
  ArticleId id = 0;
  {
    auto catalog = open(dir);
    id = *catalog->record_new_article(article(1));
  }
  // As a version 3 catalog was: versions without titles.
  test::run_sql(core::layout::catalog_db(dir.path()), "ALTER TABLE versions DROP COLUMN title; PRAGMA user_version = 3");
  auto catalog = open(dir);
  EXPECT_EQ(catalog->schema_version(), kSchemaVersion);
  ASSERT_EQ(catalog->versions(id).size(), 1u);
  EXPECT_FALSE(catalog->versions(id)[0].title) << "not known for a version stored before";
  // The same body under a new title: a version of its own.
  auto retitled = catalog->record_version(id, "<p>美国参谋长联席会议主席米利说，台湾需要更快的武器交付。</p>",
                                          at(1689335300000), "米利访日（更新）");
  ASSERT_TRUE(retitled.ok()) << retitled.error().message;
  EXPECT_TRUE(*retitled);
  auto versions = catalog->versions(id);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[1].title, "米利访日（更新）");
  EXPECT_EQ(catalog->find(id)->title, "米利访日（更新）");
  // The same title and body again: nothing new.
  EXPECT_FALSE(*catalog->record_version(id, "<p>美国参谋长联席会议主席米利说，台湾需要更快的武器交付。</p>",
                                        at(1689335400000), "米利访日（更新）"));
}

TEST(CatalogSchema, VersionFourLearnsItsArticleCountAndTheCountFollowsNewArticles) {
  TempDir dir;
  {
    auto catalog = open(dir);
    ASSERT_TRUE(catalog->record_new_article(article(1)).ok());
    ASSERT_TRUE(catalog->record_new_article(article(2)).ok());
  }
  // As a version 4 catalog was: no kept count.
  test::run_sql(core::layout::catalog_db(dir.path()),
                "DROP TABLE article_count;"
                "PRAGMA user_version = 4");
  auto catalog = open(dir);
  EXPECT_EQ(catalog->schema_version(), kSchemaVersion);
  EXPECT_EQ(catalog->article_count(), 2u);
  ASSERT_TRUE(catalog->record_new_article(article(3)).ok());
  EXPECT_EQ(catalog->article_count(), 3u);
  // A transaction that fails takes its count back with its rows.
  const auto failed = catalog->transaction([&]() -> core::Status {
    if (auto id = catalog->record_new_article(article(4)); !id) return id.error();
    return core::Error(core::ErrorKind::io, "disk full, say");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(catalog->article_count(), 3u);
}

TEST(CatalogSchema, VersionOneIsMigratedAndItsIndexRebuilt) {
  TempDir dir;
  {
    auto catalog = open(dir);
    ASSERT_TRUE(catalog->record_new_article(article(1)).ok());
  }
  test::run_sql(core::layout::catalog_db(dir.path()), "PRAGMA user_version = 1");
  auto catalog = open(dir);
  EXPECT_EQ(catalog->schema_version(), kSchemaVersion);
  EXPECT_EQ(hits(*catalog, "武器交付"), 1);
  EXPECT_TRUE(index_is_consistent(*catalog));
}

TEST(CatalogSchema, VersionTwoIndexIsMadeAnewWithTheBodyAsItsFirstColumn) {
  TempDir dir;
  {
    auto catalog = open(dir);
    ASSERT_TRUE(catalog->record_new_article(article(1)).ok());
  }
  {
    // Version 2's layout: the title first.
    auto db = test::open_search_database(core::layout::catalog_db(dir.path()));
    auto status = db.exec(
        "DROP TABLE article_fts;"
        "CREATE VIRTUAL TABLE article_fts USING fts5(title, body, content='article_text',"
        "  content_rowid='id', tokenize='newsmirror');"
        "INSERT INTO article_fts(article_fts) VALUES('rebuild');"
        "PRAGMA user_version = 2",
        "making a version 2 index");
    ASSERT_TRUE(status.ok()) << status.error().message;
  }
  auto catalog = open(dir);
  EXPECT_EQ(catalog->schema_version(), kSchemaVersion);
  auto db = test::open_search_database(core::layout::catalog_db(dir.path()));
  auto first_column = db.text("SELECT name FROM pragma_table_info('article_fts') WHERE cid = 0", "first column");
  ASSERT_TRUE(first_column.ok()) << first_column.error().message;
  EXPECT_EQ(*first_column, "body");
  EXPECT_EQ(hits(*catalog, "武器交付"), 1);
  EXPECT_TRUE(index_is_consistent(*catalog));
}

}  // namespace
}  // namespace newsmirror::catalog
