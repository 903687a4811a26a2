// The recall test: 300 queries drawn from the real articles of
// ../shared/corpus/archive, checked against plain substring search over the
// same folded text. Also prints the index size and query latencies (not
// asserted: the machine is shared).
#include <gtest/gtest.h>
#include <opencc/SimpleConverter.hpp>
#include <sqlite3.h>
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
#include "search/plain_text.hpp"
#include "search/search_index.hpp"
#include "search/tokenizer.hpp"
#include "search_fixture.hpp"
#include "support/paths.hpp"

namespace newsmirror::search {
namespace {

namespace fs = std::filesystem;

struct Article {
  std::int64_t id = 0;
  std::string raw;     // title, line break, visible body text
  std::string folded;  // fold(raw)
};

std::u32string code_points(std::string_view s) {
  std::u32string out;
  int32_t i = 0;
  while (i < static_cast<int32_t>(s.size())) {
    UChar32 c = 0;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
    out += c < 0 ? char32_t{0xFFFD} : static_cast<char32_t>(c);
  }
  return out;
}

std::string utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    char buffer[4];
    int32_t n = 0;
    [[maybe_unused]] UBool error = false;
    U8_APPEND(reinterpret_cast<uint8_t*>(buffer), n, 4, static_cast<UChar32>(c), error);
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

// The class of a raw character as the index sees it (after folding).
CharClass raw_class(char32_t c) {
  std::u32string folded = code_points(fold(utf8(std::u32string(1, c))));
  return folded.empty() ? CharClass::separator : classify(folded[0]);
}

// Ground truth: `query` occurs in `text` (both folded), where
//   - a query that starts or ends with a letter or digit has no letter or
//     digit right beside it in the text (words are whole words; CJK
//     characters are not words), and
//   - where the query passes from CJK to a word or back, the text may put
//     separators between them: "在Twitter" matches "在 Twitter" (Chinese
//     typesetting often spaces Latin words, often not).
bool matches_at(const std::u32string& text, std::size_t at, const std::u32string& query) {
  std::size_t t = at;
  for (std::size_t q = 0; q < query.size(); ++q) {
    if (q > 0 && classify(query[q - 1]) != classify(query[q]))
      while (t < text.size() && text[t] != query[q] && classify(text[t]) == CharClass::separator) ++t;
    if (t >= text.size() || text[t] != query[q]) return false;
    ++t;
  }
  if (classify(query.front()) == CharClass::word && at > 0 && classify(text[at - 1]) == CharClass::word) return false;
  if (classify(query.back()) == CharClass::word && t < text.size() && classify(text[t]) == CharClass::word) return false;
  return true;
}

bool contains(const std::u32string& text, const std::u32string& query) {
  if (query.empty()) return false;
  for (std::size_t at = text.find(query.front()); at != std::u32string::npos; at = text.find(query.front(), at + 1))
    if (matches_at(text, at, query)) return true;
  return false;
}

// A deterministic source of choices (std distributions differ between
// standard libraries; the engine does not).
class Chooser {
 public:
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(engine_() % n); }

 private:
  std::mt19937_64 engine_{20201009};
};

struct Run {
  std::size_t article;
  std::size_t begin;  // in the article's raw code points
  std::size_t end;
  CharClass kind;
};

enum class QueryKind { cjk, english, mixed };

struct DrawnQuery {
  std::string text;
  QueryKind kind;
};

std::vector<DrawnQuery> draw_queries(const std::vector<std::u32string>& raw, int count) {
  std::vector<Run> runs;
  for (std::size_t a = 0; a < raw.size(); ++a) {
    const std::u32string& text = raw[a];
    std::size_t i = 0;
    while (i < text.size()) {
      CharClass kind = raw_class(text[i]);
      std::size_t j = i + 1;
      while (j < text.size() && raw_class(text[j]) == kind) ++j;
      if (kind != CharClass::separator) runs.push_back({a, i, j, kind});
      i = j;
    }
  }
  std::vector<const Run*> cjk, english;
  std::vector<std::pair<const Run*, const Run*>> adjacent;  // CJK next to a word, either order
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const Run& r = runs[k];
    if (r.kind == CharClass::cjk) cjk.push_back(&r);
    bool ascii_letters = std::all_of(raw[r.article].begin() + r.begin, raw[r.article].begin() + r.end,
                                     [](char32_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; });
    if (r.kind == CharClass::word && ascii_letters && r.end - r.begin >= 3) english.push_back(&r);
    if (k + 1 < runs.size() && runs[k + 1].article == r.article && runs[k + 1].begin == r.end &&
        r.kind != runs[k + 1].kind)
      adjacent.emplace_back(&r, &runs[k + 1]);
  }
  opencc::SimpleConverter to_traditional("s2t.json");
  Chooser choose;
  std::vector<DrawnQuery> queries;
  for (int q = 0; static_cast<int>(queries.size()) < count; ++q) {
    const int slot = q % 8;
    if (slot <= 5) {
      // CJK words and phrases of 1 to 6 characters, every fifth one
      // written in Traditional characters.
      const std::size_t length = static_cast<std::size_t>(slot) + 1;
      const Run* run = cjk[choose.below(cjk.size())];
      if (run->end - run->begin < length) continue;
      std::size_t start = run->begin + choose.below(run->end - run->begin - length + 1);
      std::string text = utf8(std::u32string_view(raw[run->article]).substr(start, length));
      if (queries.size() % 5 == 0) text = to_traditional.Convert(text);
      queries.push_back({text, QueryKind::cjk});
    } else if (slot == 6) {
      const Run* run = english[choose.below(english.size())];
      queries.push_back({utf8(std::u32string_view(raw[run->article]).substr(run->begin, run->end - run->begin)),
                         QueryKind::english});
    } else {
      // A whole word with 1 to 3 CJK characters on the side it touches.
      auto [left, right] = adjacent[choose.below(adjacent.size())];
      const std::u32string& text = raw[left->article];
      const std::size_t take = 1 + choose.below(3);
      std::size_t begin = left->begin, end = right->end;
      if (left->kind == CharClass::cjk) begin = std::max(left->begin, left->end - std::min(take, left->end - left->begin));
      else end = std::min(right->end, right->begin + take);
      queries.push_back({utf8(std::u32string_view(text).substr(begin, end - begin)), QueryKind::mixed});
    }
  }
  return queries;
}

SearchQuery with_limit(const std::string& text, int limit) {
  SearchQuery query = test::query_for(text);
  query.limit = limit;
  return query;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

std::int64_t scalar(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
  std::int64_t value = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
  sqlite3_finalize(s);
  return value;
}

TEST(SearchRecall, ThreeHundredArchiveQueriesFindWhatSubstringSearchFinds) {
  SKIP_WITHOUT_SHARED();
  test::SearchDb db;
  std::vector<Article> articles;
  std::vector<std::u32string> raw_points;
  std::vector<std::u32string> folded_points;
  std::int64_t text_bytes = 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(::newsmirror::test::shared_dir() / "corpus/archive/articles"))
    if (entry.is_regular_file() && entry.path().extension() == ".md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  db.exec("BEGIN");
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto record = archive::read_article(bytes.str());
    ASSERT_TRUE(record.ok()) << file << ": " << record.error().message;
    std::string body = visible_text(record->html);
    auto published = record->published.time_since_epoch().count();
    Article article;
    article.id = db.add(file.parent_path().filename().string(), record->title, body,
                        published ? std::optional<std::int64_t>(published) : std::nullopt);
    article.raw = record->title + "\n" + body;
    article.folded = fold(article.raw);
    text_bytes += static_cast<std::int64_t>(record->title.size() + body.size());
    raw_points.push_back(code_points(article.raw));
    folded_points.push_back(code_points(article.folded));
    articles.push_back(std::move(article));
  }
  db.exec("COMMIT");
  ASSERT_GE(articles.size(), 50u);

  const std::vector<DrawnQuery> queries = draw_queries(raw_points, 300);
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

}  // namespace
}  // namespace newsmirror::search
