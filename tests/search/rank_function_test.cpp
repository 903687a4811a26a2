#include "search/rank_function.hpp"


#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "search/query.hpp"
#include "search_fixture.hpp"

namespace newsmirror::search {
namespace {

using test::SearchDb;

// (bm25, newsmirror_rank) of every match of `query`, with the same weights.
std::vector<std::pair<double, double>> both_scores(SearchDb& db, const std::string& query) {
  auto parsed = parse_query(query);
  EXPECT_TRUE(parsed.ok());
  auto s = db.db().query("SELECT bm25(article_fts, 1.0, 10.0), newsmirror_rank(article_fts, 1.0, 10.0,"
                         " (SELECT min(id) FROM article_text), (SELECT max(id) FROM article_text))"
                         " FROM article_fts WHERE article_fts MATCH ?1",
                         "scoring");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  std::vector<std::pair<double, double>> scores;
  if (!s) return scores;
  (*s)->bind(1, parsed->match);
  while ((*s)->next("scoring")) scores.emplace_back((*s)->real(0), (*s)->real(1));
  return scores;
}

TEST(SearchRank, EqualsFts5Bm25WhenEveryPhraseIsCountedInFull) {
  SearchDb db;
  for (int i = 0; i < 40; ++i)
    db.add("BBC", i % 3 ? "天气" : "疫苗新闻", std::string(i % 5 + 1, 'x') + " 今天的疫苗和天气 vaccine " +
                                                 std::string(i % 7, 'y') + (i % 2 ? " vaccine news" : ""));
  for (const char* query : {"疫苗", "vaccine", "疫苗 天气", "vaccine news", "疫苗新闻"}) {
    auto scores = both_scores(db, query);
    ASSERT_FALSE(scores.empty()) << query;
    for (const auto& [bm25, ours] : scores) EXPECT_NEAR(ours, bm25, 1e-9) << query;
  }
}

TEST(SearchRank, StaysCloseToBm25WhenAPhraseCountIsExtrapolated) {
  SearchDb db;
  // "common" in a third of the articles, twice the sample (under half of
  // them: past half, bm25 gives every count the same floor, and a count
  // left unextrapolated would go unnoticed); "rare" in few.
  const int articles = static_cast<int>(kIdfSampleHits) * 6;
  db.exec("BEGIN");
  for (int i = 0; i < articles; ++i)
    db.add("BBC", "title", std::string(i % 3 ? "other " : "common ") + (i % 97 == 0 ? "rare " : "") + "text");
  db.exec("COMMIT");
  auto scores = both_scores(db, "common rare");
  ASSERT_FALSE(scores.empty());
  for (const auto& [bm25, ours] : scores) EXPECT_NEAR(ours, bm25, 0.02 * -bm25);
}

TEST(SearchRank, RarerTermWeighsMoreInAMultiTermQuery) {
  SearchDb db;
  // Same length, same number of hits: only the terms' rarity tells them
  // apart, and without it the newer would come first.
  const auto rare_twice = db.add("BBC", "t", "rare rare common", 1000);
  db.add("BBC", "t", "rare common common", 2000);
  for (int i = 0; i < 30; ++i) db.add("BBC", "t", "common filler words");
  auto results = search(db.db(), test::query_for("rare common"));
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->hits.size(), 2u);
  EXPECT_EQ(results->hits[0].article_id, rare_twice);
}

}  // namespace
}  // namespace newsmirror::search
