// What an incremental site build asks the catalog: what changed since a
// mark, and a site's articles of a span of time or its newest, read
// through an index rather than over every row.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/mirror_layout.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror::catalog {
namespace {

using test::TempDir;

core::TimePoint at_ms(std::int64_t ms) { return core::TimePoint(std::chrono::milliseconds(ms)); }

NewArticle article(const std::string& site, int number, std::optional<std::int64_t> published_ms,
                   std::int64_t fetched_ms = 1790000000000) {
  NewArticle a;
  a.site = site;
  a.file = "articles/" + site + "/" + std::to_string(number) + "_标题" + std::to_string(number) + ".md";
  a.number = static_cast<std::uint64_t>(number);
  a.identity = "guid:" + site + std::to_string(number);
  a.title = "标题" + std::to_string(number);
  a.link = "https://example.com/" + site + "/" + std::to_string(number);
  if (published_ms) a.published = at_ms(*published_ms);
  a.html = "<p>第" + std::to_string(number) + "篇。</p>";
  a.fetched_at = at_ms(fetched_ms);
  return a;
}

std::vector<ArticleId> ids_of(const std::vector<Article>& rows) {
  std::vector<ArticleId> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

ArticleId add(Catalog& catalog, const NewArticle& a) {
  auto id = catalog.record_new_article(a);
  EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
  return id.ok() ? *id : 0;
}

TEST(ChangeMark, NamesTheArticlesAddedOrEditedSinceAndNoOther) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  const auto old_one = add(*catalog, article("BBC", 1, 1790000000000));
  const auto untouched = add(*catalog, article("BBC", 2, 1790000100000));
  const auto mark = catalog->change_mark();
  EXPECT_EQ(mark.last_article, untouched);
  EXPECT_FALSE(mark.catalog.empty());
  EXPECT_TRUE(catalog->listed_changed_since(mark).empty());

  const auto added = add(*catalog, article("法广", 3, std::nullopt));
  auto edited = catalog->record_version(old_one, "<p>改写。</p>", at_ms(1790000200000));
  ASSERT_TRUE(edited.ok() && *edited);
  // Seen again unchanged: not a change a page shows.
  ASSERT_TRUE(catalog->record_seen(untouched, at_ms(1790000300000)).ok());

  auto changed = catalog->listed_changed_since(mark);
  EXPECT_EQ(ids_of(changed), (std::vector<ArticleId>{old_one, added}));
  EXPECT_EQ(changed[0].title, "标题1");
  EXPECT_TRUE(changed[0].identity.empty()) << "listed rows, as each_listed_article gives them";

  const auto now = catalog->change_mark();
  EXPECT_EQ(now.catalog, mark.catalog) << "the same catalog keeps its id";
  EXPECT_TRUE(catalog->listed_changed_since(now).empty());
  EXPECT_EQ(catalog->version_count(old_one), 2);
  EXPECT_EQ(catalog->version_count(untouched), 1);
  EXPECT_EQ(catalog->version_count(999), 0);
}

TEST(ChangeMark, EachCatalogHasItsOwnIdAndKeepsItWhenReopened) {
  TempDir one, other;
  std::string first;
  {
    auto catalog = test::opened(Catalog::open(one.path()));
    first = catalog->change_mark().catalog;
  }
  EXPECT_EQ(test::opened(Catalog::open(one.path()))->change_mark().catalog, first);
  EXPECT_NE(test::opened(Catalog::open(other.path()))->change_mark().catalog, first)
      << "a rebuilt catalog is another: a mark of the old one says nothing of it";
}

TEST(ChangeMark, AVersionFiveCatalogGetsAnIdAndTheListingIndex) {
  TempDir dir;
  {
    auto catalog = test::opened(Catalog::open(dir.path()));
    add(*catalog, article("BBC", 1, 1790000000000));
  }
  const auto file = core::layout::catalog_db(dir.path());
  test::run_sql(file, "DROP TABLE catalog_info; DROP INDEX articles_by_listing; PRAGMA user_version = 5");
  auto catalog = test::opened(Catalog::open(dir.path()));
  EXPECT_EQ(catalog->schema_version(), kSchemaVersion);
  EXPECT_EQ(catalog->change_mark().catalog.size(), 32u);
  EXPECT_EQ(catalog->change_mark().last_article, 1);
  auto index = test::open_database(file).integer(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'articles_by_listing'", "finding the index");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index, 1);
}

TEST(ListedQueries, ASitesSpanAndItsNewestGoThroughTheListingsTimeAndOrder) {
  TempDir dir;
  auto catalog = test::opened(Catalog::open(dir.path()));
  constexpr std::int64_t kDay = 86400000;
  constexpr std::int64_t kStart = 1790000000000;
  const auto a = add(*catalog, article("BBC", 10, kStart));
  const auto b = add(*catalog, article("BBC", 11, kStart + kDay));
  // No time line: listed when first seen.
  const auto c = add(*catalog, article("BBC", 12, std::nullopt, kStart + 2 * kDay));
  // The same instant as b: the higher number is newer, then the higher id.
  const auto d = add(*catalog, article("BBC", 13, kStart + kDay));
  add(*catalog, article("法广", 14, kStart + kDay));

  EXPECT_EQ(ids_of(catalog->listed_between("BBC", at_ms(kStart + kDay), at_ms(kStart + 3 * kDay))),
            (std::vector<ArticleId>{b, c, d}));
  EXPECT_EQ(ids_of(catalog->listed_between("BBC", at_ms(kStart), at_ms(kStart + kDay))),
            (std::vector<ArticleId>{a}))
      << "the span's end is not in it";
  EXPECT_EQ(ids_of(catalog->listed_newest("BBC", 3)), (std::vector<ArticleId>{c, d, b}));
  EXPECT_EQ(ids_of(catalog->listed_newest("BBC", 10)), (std::vector<ArticleId>{c, d, b, a}));
  EXPECT_EQ(ids_of(catalog->listed_by_id(b, d)), (std::vector<ArticleId>{b, c, d}));
}

}  // namespace
}  // namespace newsmirror::catalog
