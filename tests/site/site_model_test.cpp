#include "site/site_model.hpp"

#include <gtest/gtest.h>

namespace newsmirror::site {
namespace {

core::TimePoint at_ms(std::int64_t ms) { return core::TimePoint(std::chrono::milliseconds(ms)); }

catalog::Article row(catalog::ArticleId id, std::string site, std::string file, std::string title,
                     std::int64_t published_ms, std::optional<std::uint64_t> number) {
  catalog::Article a;
  a.id = id;
  a.site = std::move(site);
  a.file = std::move(file);
  a.title = std::move(title);
  a.published = at_ms(published_ms);
  a.first_seen = at_ms(published_ms);
  a.number = number;
  return a;
}

constexpr std::int64_t kNov2026 = 1795000000000;  // 2026-11-18
constexpr std::int64_t kDay = 86400000;

// The model keeps a title that ends its file's name once, as that end.
TEST(SiteModel, KeepsEachTitleWhetherOrNotItsFileNameEndsWithIt) {
  auto model = SiteModel::from_rows(
      {row(1, "BBC", "articles/BBC/12_标题.md", "标题", kNov2026, 12),
       row(2, "BBC", "articles/BBC/13_旧标题.md", "新标题", kNov2026, 13),
       row(3, "BBC", "articles/BBC/legacy.md", "", kNov2026, std::nullopt),
       row(4, "BBC", "articles/BBC/14_a.md", "14_a", kNov2026, 14)},
      {}, core::TimeZone());
  const auto& articles = model->articles();
  ASSERT_EQ(articles.size(), 4u);
  EXPECT_EQ(articles[0].stem(), "12_标题");
  EXPECT_EQ(articles[0].title(), "标题");
  EXPECT_EQ(articles[1].stem(), "13_旧标题");
  EXPECT_EQ(articles[1].title(), "新标题");
  EXPECT_EQ(articles[2].stem(), "legacy");
  EXPECT_EQ(articles[2].title(), "");
  EXPECT_EQ(articles[2].number(), std::nullopt);
  EXPECT_EQ(articles[3].title(), "14_a");
  EXPECT_EQ(articles[3].number(), 14u);
}

// A partial model lists every month and site it is told of, with the
// counts it is told, and holds only the rows it was given.
TEST(SiteModel, APartialModelListsTheCountsItIsGivenBesideTheRowsItHolds) {
  ListingCounts counts;
  counts.months["BBC"] = {{"2026-09", 40}, {"2026-10", 30}, {"2026-11", 2}};
  counts.months["法广"] = {{"2026-01", 5}};
  counts.chunks = {0, 3};
  auto model = SiteModel::partial(
      {row(9, "BBC", "articles/BBC/9_b.md", "b", kNov2026 + kDay, 9),
       row(8, "BBC", "articles/BBC/8_a.md", "a", kNov2026, 8)},
      {}, core::TimeZone(), counts);
  ASSERT_EQ(model->sites().size(), 2u);
  const auto& bbc = model->sites()[0];
  EXPECT_EQ(bbc.name, "BBC");
  EXPECT_EQ(bbc.count, 72u);
  ASSERT_EQ(bbc.months.size(), 3u);
  EXPECT_EQ(bbc.months[0].year_month, "2026-11");
  EXPECT_EQ(bbc.months[0].articles.size(), 2u);
  EXPECT_EQ(bbc.months[0].articles[0]->id, 9) << "newest first";
  EXPECT_EQ(bbc.months[2].count, 40u);
  EXPECT_TRUE(bbc.months[2].articles.empty());
  EXPECT_EQ(model->sites()[1].count, 5u) << "a site none of whose rows is held";
  EXPECT_EQ(model->articles().front().id, 8) << "in id order";
  EXPECT_EQ(model->sitemap_chunks(), (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(model->listing_counts(), counts);
}

}  // namespace
}  // namespace newsmirror::site
