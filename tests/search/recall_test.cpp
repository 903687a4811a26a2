// The issue's recall test: 300 queries drawn from the real articles of
// ../shared/corpus/archive, checked against plain substring search over the
// same folded text. Also prints the index size and query latencies (not
// asserted: the machine is shared).
#include <gtest/gtest.h>
#include <opencc/SimpleConverter.hpp>
#include <unicode/utf8.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "archive/article_file.hpp"
#include "recall_queries.hpp"
#include "search/plain_text.hpp"
#include "search/search_index.hpp"
#include "search/tokenizer.hpp"
#include "search_fixture.hpp"
#include "support/paths.hpp"

namespace newsmirror::search {
namespace {

namespace fs = std::filesystem;
using recall::code_points;
using recall::contains;
using recall::DrawnQuery;

struct Article {
  std::int64_t id = 0;
  std::string raw;     // title, line break, visible body text
  std::string folded;  // fold(raw)
};

SearchQuery with_limit(const std::string& text, int limit) {
  SearchQuery query = test::query_for(text);
  query.limit = limit;
  return query;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

std::int64_t scalar(storage::Connection& db, const char* sql) {
  auto value = db.integer(sql, sql);
  return value ? *value : -1;
}

// The corpus indexed in `db`, in read_corpus order; returns the ids.
std::vector<std::int64_t> index_corpus(test::SearchDb& db, const std::vector<recall::CorpusArticle>& corpus,
                                       test::Terms terms) {
  std::vector<std::int64_t> ids;
  db.exec("BEGIN");
  for (const auto& a : corpus) ids.push_back(db.add(a.site, a.title, a.body, a.published, terms));
  db.exec("COMMIT");
  return ids;
}

const std::vector<recall::CorpusArticle>& corpus() {
  static const std::vector<recall::CorpusArticle> articles = [] {
    auto read = recall::read_corpus(::newsmirror::test::shared_dir() / "corpus/archive");
    if (!read) throw std::runtime_error(read.error().message);
    return std::move(*read);
  }();
  return articles;
}

TEST(SearchRecall, ThreeHundredArchiveQueriesFindWhatSubstringSearchFinds) {
  SKIP_WITHOUT_SHARED();
  test::SearchDb db;
  const auto ids = index_corpus(db, corpus(), test::Terms::from_text);
  std::vector<Article> articles;
  std::vector<std::u32string> folded_points;
  std::int64_t text_bytes = 0;
  for (std::size_t k = 0; k < corpus().size(); ++k) {
    const auto& a = corpus()[k];
    Article article;
    article.id = ids[k];
    article.raw = a.title + "\n" + a.body;
    article.folded = fold(article.raw);
    text_bytes += static_cast<std::int64_t>(a.title.size() + a.body.size());
    folded_points.push_back(code_points(article.folded));
    articles.push_back(std::move(article));
  }
  ASSERT_GE(articles.size(), 50u);

  const std::vector<DrawnQuery> queries = recall::recall_queries(corpus());
  ASSERT_EQ(queries.size(), 300u);

  std::int64_t expected = 0, found_expected = 0, found_unexpected = 0;
  std::vector<double> latencies_ms;
  int queries_with_matches = 0;
  for (const DrawnQuery& query : queries) {
    const std::u32string needle = code_points(fold(query.text));
    std::set<std::int64_t> truth;
    for (std::size_t a = 0; a < articles.size(); ++a)
      if (contains(folded_points[a], needle)) truth.insert(articles[a].id);
    if (!truth.empty()) ++queries_with_matches;

    auto all = search(db.db(), with_limit(query.text, 100000));
    ASSERT_TRUE(all.ok()) << query.text << ": " << all.error().message;
    EXPECT_EQ(all->total, static_cast<std::int64_t>(all->hits.size())) << query.text;
    std::set<std::int64_t> found;
    for (const SearchHit& hit : all->hits) found.insert(hit.article_id);
    expected += static_cast<std::int64_t>(truth.size());
    for (std::int64_t id : truth) found_expected += found.count(id);
    for (std::int64_t id : found) found_unexpected += truth.count(id) ? 0 : 1;
    for (std::size_t rank = 0; rank < std::min<std::size_t>(10, all->hits.size()); ++rank)
      EXPECT_TRUE(truth.count(all->hits[rank].article_id))
          << "top-10 hit " << rank << " for \"" << query.text << "\" does not contain it: " << all->hits[rank].title;
    for (std::int64_t id : truth)
      if (!found.count(id)) ADD_FAILURE() << "missed article " << id << " for \"" << query.text << "\"";

    // What a person waits for: the first page, snippets included.
    auto start = std::chrono::steady_clock::now();
    auto page = search(db.db(), with_limit(query.text, 10));
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    ASSERT_TRUE(page.ok());
  }
  const double recall = expected ? static_cast<double>(found_expected) / static_cast<double>(expected) : 0;
  EXPECT_GE(queries_with_matches, 295);  // the queries come from the texts
  EXPECT_GE(recall, 0.99);

  const std::int64_t index_bytes =
      scalar(db.db(), "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'article_fts%'");
  const std::int64_t stored_text_bytes = scalar(db.db(), "SELECT sum(pgsize) FROM dbstat WHERE name = 'article_text'");
  std::printf("[search] %zu articles, %lld bytes of text; 300 queries, %lld expected matches\n", articles.size(),
              static_cast<long long>(text_bytes), static_cast<long long>(expected));
  std::printf("[search] recall %.4f; extra matches (not in the substring truth) %lld\n", recall,
              static_cast<long long>(found_unexpected));
  std::printf("[search] FTS5 index %lld bytes = %.2fx the text; article_text table %lld bytes\n",
              static_cast<long long>(index_bytes), static_cast<double>(index_bytes) / static_cast<double>(text_bytes),
              static_cast<long long>(stored_text_bytes));
  ASSERT_TRUE(optimize_search_index(db.db()).ok());
  const std::int64_t optimized_bytes =
      scalar(db.db(), "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'article_fts%'");
  std::printf("[search] after optimize_search_index: %lld bytes = %.2fx the text\n",
              static_cast<long long>(optimized_bytes),
              static_cast<double>(optimized_bytes) / static_cast<double>(text_bytes));
  std::printf("[search] first-page latency p50 %.2f ms, p99 %.2f ms\n", percentile(latencies_ms, 0.5),
              percentile(latencies_ms, 0.99));
}

// The import works out each article's terms on its workers and hands the
// writer a pretokenized form (tokenizer.hpp); an index built that way must
// be the index built by tokenizing the text: same matches, same order, same
// scores, same snippets, and FTS5's own check passes on it.
TEST(SearchRecall, IndexOfPretokenizedTermsAnswersEveryQueryAsTheTextIndexDoes) {
  SKIP_WITHOUT_SHARED();
  test::SearchDb from_text, from_terms;
  index_corpus(from_text, corpus(), test::Terms::from_text);
  index_corpus(from_terms, corpus(), test::Terms::pretokenized);
  EXPECT_TRUE(from_text.index_is_consistent());
  EXPECT_TRUE(from_terms.index_is_consistent());
  int snippets = 0;
  for (const DrawnQuery& query : recall::recall_queries(corpus())) {
    for (int limit : {100000, 10}) {
      auto a = search(from_text.db(), with_limit(query.text, limit));
      auto b = search(from_terms.db(), with_limit(query.text, limit));
      ASSERT_TRUE(a.ok() && b.ok()) << query.text;
      ASSERT_EQ(a->total, b->total) << query.text;
      ASSERT_EQ(a->hits.size(), b->hits.size()) << query.text;
      for (std::size_t k = 0; k < a->hits.size(); ++k) {
        EXPECT_EQ(a->hits[k].article_id, b->hits[k].article_id) << query.text << " #" << k;
        EXPECT_DOUBLE_EQ(a->hits[k].score, b->hits[k].score) << query.text << " #" << k;
        EXPECT_EQ(a->hits[k].snippet, b->hits[k].snippet) << query.text << " #" << k;
        snippets += b->hits[k].snippet.find("**") != std::string::npos;
      }
    }
  }
  EXPECT_GT(snippets, 1000);  // highlighted, not merely equal
}

}  // namespace
}  // namespace newsmirror::search
