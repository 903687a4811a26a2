#include "search/search_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "search_fixture.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror::search {
namespace {

using test::SearchDb;

SearchResults run(SearchDb& db, SearchQuery query) {
  auto results = search(db.db(), query);
  EXPECT_TRUE(results.ok()) << query.text << ": " << (results.ok() ? "" : results.error().message);
  return results.ok() ? std::move(results).value() : SearchResults{};
}

SearchResults run(SearchDb& db, const std::string& text) { return run(db, test::query_for(text)); }

std::vector<std::int64_t> ids(const SearchResults& results) {
  std::vector<std::int64_t> out;
  for (const SearchHit& hit : results.hits) out.push_back(hit.article_id);
  return out;
}

TEST(SearchIndex, TraditionalAndSimplifiedFindEachOther) {
  SearchDb db;
  auto traditional = db.add("RFA", "臺灣總統大選", "習近平在北京發表講話。");
  auto simplified = db.add("BBC", "台湾大选", "习近平在北京发表讲话。");
  for (const char* q : {"台湾", "臺灣", "习近平", "習近平", "讲话"}) {
    auto found = ids(run(db, q));
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, (std::vector<std::int64_t>{traditional, simplified})) << q;
  }
}

TEST(SearchIndex, FindsWordsTheDictionarySplitsDifferently) {
  SearchDb db;
  auto id = db.add("BBC", "发展中国家", "发展中国家的人民");
  for (const char* q : {"中国", "展中", "国家的人", "中", "家", "民"}) EXPECT_EQ(ids(run(db, q)), std::vector{id}) << q;
  EXPECT_TRUE(run(db, "中国人民").hits.empty());
}

TEST(SearchIndex, ChineseQueryIsAPhraseNotLooseCharacters) {
  SearchDb db;
  db.add("BBC", "标题", "人在北京，民在上海");
  EXPECT_TRUE(run(db, "人民").hits.empty());
  EXPECT_EQ(run(db, "人 民").total, 1);
}

TEST(SearchIndex, LatinWordsMatchWholeWordsAnyCase) {
  SearchDb db;
  auto id = db.add("VOA", "Trump returns", "The PRESIDENT said ＣＯＶＩＤ-19 was over.");
  EXPECT_EQ(ids(run(db, "president")), std::vector{id});
  EXPECT_EQ(ids(run(db, "covid")), std::vector{id});
  EXPECT_EQ(ids(run(db, "\"covid 19\"")), std::vector{id});
  EXPECT_TRUE(run(db, "presiden").hits.empty());
  EXPECT_TRUE(run(db, "trumps").hits.empty());
}

TEST(SearchIndex, ReindexingReplacesTheOldText) {
  SearchDb db;
  auto id = db.add("BBC", "旧标题", "苹果");
  ASSERT_TRUE(index_article(db.db(), id, "新标题", "香蕉").ok());
  EXPECT_TRUE(run(db, "苹果").hits.empty());
  EXPECT_TRUE(run(db, "旧标题").hits.empty());
  EXPECT_EQ(ids(run(db, "香蕉")), std::vector{id});
  EXPECT_TRUE(db.index_is_consistent());
}

TEST(SearchIndex, UnindexedArticleIsGoneAndUnindexingTwiceIsFine) {
  SearchDb db;
  auto id = db.add("BBC", "标题", "苹果");
  auto other = db.add("BBC", "标题", "苹果树");
  ASSERT_TRUE(unindex_article(db.db(), id).ok());
  ASSERT_TRUE(unindex_article(db.db(), id).ok());
  EXPECT_EQ(ids(run(db, "苹果")), std::vector{other});
  EXPECT_TRUE(db.index_is_consistent());
}

TEST(SearchIndex, TitleMatchRanksAboveBodyMatch) {
  SearchDb db;
  auto in_body = db.add("BBC", "其他新闻", "今天的新闻提到了疫苗，还有其他很多内容。", 2000);
  auto in_title = db.add("BBC", "疫苗", "今天的新闻很长，还有其他很多内容，没有别的。", 1000);
  // BM25 gives no weight to a term that half the articles hold.
  for (int i = 0; i < 8; ++i) db.add("BBC", "天气", "今天的天气很好");
  EXPECT_EQ(ids(run(db, "疫苗")), (std::vector{in_title, in_body}));
}

TEST(SearchIndex, EqualMatchesRankNewestFirst) {
  SearchDb db;
  auto old_one = db.add("BBC", "疫苗", "内容", 1000);
  auto undated = db.add("BBC", "疫苗", "内容");
  auto new_one = db.add("BBC", "疫苗", "内容", 3000);
  EXPECT_EQ(ids(run(db, "疫苗")), (std::vector{new_one, old_one, undated}));
}

TEST(SearchIndex, FiltersBySiteAndDate) {
  SearchDb db;
  auto a = db.add("BBC", "疫苗", "x", 1000);
  auto b = db.add("法广", "疫苗", "x", 2000);
  auto c = db.add("法广", "疫苗", "x", 3000);
  SearchQuery one_site = test::query_for("疫苗");
  one_site.site = "法广";
  EXPECT_EQ(ids(run(db, one_site)), (std::vector{c, b}));
  EXPECT_EQ(ids(run(db, "site:BBC 疫苗")), std::vector{a});
  SearchQuery two_sites = test::query_for("site:BBC 疫苗");
  two_sites.site = "法广";
  EXPECT_TRUE(run(db, two_sites).hits.empty());
  SearchQuery dated = test::query_for("疫苗");
  dated.since = 2000;
  dated.until = 3000;
  EXPECT_EQ(ids(run(db, dated)), std::vector{b});
}

TEST(SearchIndex, ExclusionAndTitlePrefix) {
  SearchDb db;
  auto a = db.add("BBC", "特朗普确诊", "白宫发布消息");
  auto b = db.add("BBC", "白宫声明", "特朗普确诊");
  EXPECT_EQ(ids(run(db, "特朗普 -白宫声明")), std::vector{a});
  EXPECT_EQ(ids(run(db, "title:特朗普")), std::vector{a});
  EXPECT_EQ(ids(run(db, "title:白宫")), std::vector{b});
}

TEST(SearchIndex, TotalCountsAllMatchesBeyondTheLimit) {
  SearchDb db;
  for (int i = 0; i < 7; ++i) db.add("BBC", "新闻" + std::to_string(i), "疫苗", i);
  SearchQuery query = test::query_for("疫苗");
  query.limit = 3;
  query.offset = 3;
  auto page = run(db, query);
  EXPECT_EQ(page.total, 7);
  EXPECT_EQ(page.hits.size(), 3u);
  query.offset = 10;
  auto past_end = run(db, query);
  EXPECT_EQ(past_end.total, 7);
  EXPECT_TRUE(past_end.hits.empty());
}

TEST(SearchIndex, TotalCountsMatchesOlderThanTheRankedCandidates) {
  // More matches than the 2,000 newest that are ranked: the total adds
  // the older ones, with and without a filter, and past the last page.
  SearchDb db;
  db.exec("BEGIN");
  for (int i = 0; i < 2101; ++i) db.add(i % 3 ? "BBC" : "法广", "新闻", "疫苗", i);
  db.exec("COMMIT");
  EXPECT_EQ(run(db, "疫苗").total, 2101);
  EXPECT_EQ(run(db, "site:法广 疫苗").total, 701);
  SearchQuery past_end = test::query_for("疫苗");
  past_end.offset = 5000;
  EXPECT_EQ(run(db, past_end).total, 2101);
  EXPECT_TRUE(run(db, "疫苗").total_exact);

  // Counting stops at count_limit older matches: the total is then a
  // lower bound, and says so.
  SearchQuery capped = test::query_for("疫苗");
  capped.count_limit = 40;
  auto at_least = run(db, capped);
  EXPECT_EQ(at_least.total, 2040);
  EXPECT_FALSE(at_least.total_exact);
  capped.text = "site:法广 疫苗";
  capped.count_limit = 1000;
  EXPECT_EQ(run(db, capped).total, 701) << "under the limit the count is exact";
  EXPECT_TRUE(run(db, capped).total_exact);
  capped.count_limit = 101;
  capped.text = "疫苗";
  EXPECT_EQ(run(db, capped).total, 2101);
  EXPECT_FALSE(run(db, capped).total_exact) << "exactly at the limit: more may lie beyond";

  // The same with a filter, past the ranked candidates: 2,400 of the BBC.
  db.exec("BEGIN");
  for (int i = 2101; i < 3101; ++i) db.add("BBC", "新闻", "疫苗", i);
  db.exec("COMMIT");
  SearchQuery bbc = test::query_for("site:BBC 疫苗");
  EXPECT_EQ(run(db, bbc).total, 2400);
  EXPECT_TRUE(run(db, bbc).total_exact);
  bbc.count_limit = 100;
  EXPECT_EQ(run(db, bbc).total, 2100);
  EXPECT_FALSE(run(db, bbc).total_exact);
}

TEST(SearchIndex, HitCarriesTheArticleFields) {
  SearchDb db;
  auto id = db.add("法广", "标题", "正文", 1234);
  auto results = run(db, "正文");
  ASSERT_EQ(results.hits.size(), 1u);
  const SearchHit& hit = results.hits[0];
  EXPECT_EQ(hit.article_id, id);
  EXPECT_EQ(hit.site, "法广");
  EXPECT_EQ(hit.file, "articles/法广/1.md");
  EXPECT_EQ(hit.title, "标题");
  EXPECT_EQ(hit.link, "https://example.com/1");
  EXPECT_EQ(hit.published, 1234);
  EXPECT_GT(hit.score, 0);
}

TEST(SearchIndex, SnippetHighlightsMatchesInTheBody) {
  SearchDb db;
  db.add("BBC", "标题",
         "第一段没有关系的文字，很长很长很长很长很长很长很长很长很长。\n"
         "美国总统特朗普周五确诊感染新冠病毒，正在白宫接受隔离。特朗普说他感觉很好。后面还有很多很多很多很多很多字。");
  SearchQuery query = test::query_for("特朗普");
  query.highlight_open = "[";
  query.highlight_close = "]";
  auto results = run(db, query);
  ASSERT_EQ(results.hits.size(), 1u);
  // 15 characters before the first match, 25 from its start; the second
  // match starts at the 24th and is shown whole, not cut to "[特朗]".
  EXPECT_EQ(results.hits[0].snippet, "…长很长很长很长很长。 美国总统[特朗普]周五确诊感染新冠病毒，正在白宫接受隔离。[特朗普]…");
}

TEST(SearchIndex, SnippetHighlightsTheOriginalTextOfFoldedMatches) {
  SearchDb db;
  db.add("BBC", "标题", "He said ＣＯＶＩＤ in 臺灣.");
  auto results = run(db, test::query_for("covid 台湾"));
  ASSERT_EQ(results.hits.size(), 1u);
  EXPECT_EQ(results.hits[0].snippet, "He said **ＣＯＶＩＤ** in **臺灣**.");
}

TEST(SearchIndex, AdjacentMatchesHighlightAsOne) {
  SearchDb db;
  db.add("BBC", "标题", "中国中国人");
  auto results = run(db, test::query_for("中国"));
  ASSERT_EQ(results.hits.size(), 1u);
  EXPECT_EQ(results.hits[0].snippet, "**中国中国**人");
}

TEST(SearchIndex, OneCharacterQueryFindsItInsideWordsAndHighlightsItAlone) {
  SearchDb db;
  const auto middle = db.add("BBC", "标题", "我们的国家和人民");  // 国 inside a run, once
  const auto twice = db.add("BBC", "标题", "中国人，外国人");      // 国 again, not first in its run
  db.add("BBC", "标题", "没有那个字");
  auto results = run(db, test::query_for("國"));
  ASSERT_EQ(results.total, 2);
  for (const SearchHit& hit : results.hits) {
    if (hit.article_id == middle) EXPECT_EQ(hit.snippet, "我们的**国**家和人民");
    else if (hit.article_id == twice) EXPECT_EQ(hit.snippet, "中**国**人，外**国**人");
    else ADD_FAILURE() << "unexpected hit " << hit.article_id;
  }
}

TEST(SearchIndex, NumberThenCharacterMatchesAsAPhraseAndHighlightsBoth) {
  SearchDb db;
  db.add("BBC", "标题", "他60年代来，60年后走，1960年不算");
  db.add("BBC", "标题", "60个人在年底");  // 60 and 年, not together
  auto results = run(db, test::query_for("60年"));
  ASSERT_EQ(results.total, 1);
  EXPECT_EQ(results.hits[0].snippet, "他**60年**代来，**60年**后走，1960年不算");
}

TEST(SearchIndex, HostileQueriesAreUsageErrorsOrResultsNeverSqlErrors) {
  SearchDb db;
  db.add("BBC", "title", "body text");
  for (const char* q : {"\"", "a\"b", "NEAR(", "*", "^x", "title:", "-", ")(", "AND OR NOT", "{title}:x", "x:y",
                        "col : \"a\"", "\xff\xfe"}) {
    auto results = search(db.db(), test::query_for(q));
    if (!results.ok()) {
      EXPECT_EQ(results.error().kind, core::ErrorKind::usage) << q << ": " << results.error().message;
    }
  }
}

TEST(SearchIndex, AnotherConnectionSearchesOnceItRegistersTheTokenizer) {
  ::newsmirror::test::TempDir dir;
  const std::string file = (dir.path() / "catalog.db").string();
  auto open = [&] { return ::newsmirror::test::open_database(file); };
  {
    auto writer = open();
    ASSERT_TRUE(writer.exec("CREATE TABLE articles(id INTEGER PRIMARY KEY, site TEXT NOT NULL, file TEXT NOT NULL,"
                            " title TEXT NOT NULL, link TEXT, published INTEGER)", "creating articles").ok());
    ASSERT_TRUE(create_search_schema(writer).ok());
    ASSERT_TRUE(create_search_schema(writer).ok());  // idempotent
    ASSERT_TRUE(writer.exec("INSERT INTO articles VALUES(7, 'BBC', 'a.md', '臺灣', NULL, NULL)", "adding").ok());
    ASSERT_TRUE(index_article(writer, 7, "臺灣", "正文").ok());
  }
  auto reader = open();
  auto without = search(reader, test::query_for("台湾"));
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().kind, core::ErrorKind::database);
  EXPECT_NE(without.error().message.find("newsmirror"), std::string::npos) << without.error().message;
  ASSERT_TRUE(prepare_connection(reader).ok());
  ASSERT_TRUE(prepare_connection(reader).ok());  // a no-op the second time
  auto with = search(reader, test::query_for("台湾"));
  ASSERT_TRUE(with.ok()) << with.error().message;
  EXPECT_EQ(ids(with.value()), std::vector<std::int64_t>{7});
}

}  // namespace
}  // namespace newsmirror::search
