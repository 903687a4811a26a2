// The recall test's 300 queries, drawn from the real articles of
// ../shared/corpus/archive, and the substring ground truth they are checked
// against. Shared by tests/search/recall_test.cpp and the catalog benchmark
// (bench/catalog_bench.cpp), so that both time the same queries.
#pragma once

#include <opencc/SimpleConverter.hpp>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "archive/article_file.hpp"
#include "core/result.hpp"
#include "search/plain_text.hpp"
#include "search/tokenizer.hpp"

namespace newsmirror::search::recall {

// One article of the corpus as the index sees it.
struct CorpusArticle {
  std::filesystem::path file;
  std::string site;   // its folder
  std::string title;
  std::string body;   // visible text
  std::optional<std::int64_t> published;  // ms since the epoch
};

// Every articles/<site>/*.md under `archive`, in path order. An unreadable
// file is an error naming it.
inline core::Result<std::vector<CorpusArticle>> read_corpus(const std::filesystem::path& archive) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(archive / "articles"))
    if (entry.is_regular_file() && entry.path().extension() == ".md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<CorpusArticle> articles;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto record = archive::read_article(bytes.str());
    if (!record) return record.error().with_context(file.string());
    CorpusArticle article;
    article.file = file;
    article.site = file.parent_path().filename().string();
    article.title = record->title;
    article.body = visible_text(record->html);
    if (auto ms = record->published.time_since_epoch().count()) article.published = ms;
    articles.push_back(std::move(article));
  }
  return articles;
}

inline std::u32string code_points(std::string_view s) {
  std::u32string out;
  int32_t i = 0;
  while (i < static_cast<int32_t>(s.size())) {
    UChar32 c = 0;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
    out += c < 0 ? char32_t{0xFFFD} : static_cast<char32_t>(c);
  }
  return out;
}

inline std::string utf8(std::u32string_view s) {
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
inline CharClass raw_class(char32_t c) {
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
inline bool matches_at(const std::u32string& text, std::size_t at, const std::u32string& query) {
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

inline bool contains(const std::u32string& text, const std::u32string& query) {
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

inline std::vector<DrawnQuery> draw_queries(const std::vector<std::u32string>& raw, int count) {
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


// The 300 queries of the recall test, from `articles` (read_corpus).
inline std::vector<DrawnQuery> recall_queries(const std::vector<CorpusArticle>& articles, int count = 300) {
  std::vector<std::u32string> raw;
  for (const auto& a : articles) raw.push_back(code_points(a.title + "\n" + a.body));
  return draw_queries(raw, count);
}

}  // namespace newsmirror::search::recall
