// What a search asks and what it answers, apart from how an engine runs it
// (search_index.hpp is SQLite's FTS5 index; catalog::Catalog::search is
// what the program calls).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace newsmirror::search {

struct SearchQuery {
  // The user's query (query.hpp): words and CJK runs ANDed, "phrases",
  // -exclusions, site:NAME, title:WORD.
  std::string text;
  std::optional<std::string> site;          // only this site (besides site: in text)
  std::optional<std::int64_t> since;        // published >= since (ms since epoch UTC)
  std::optional<std::int64_t> until;        // published <  until (ms since epoch UTC)
  int limit = 20;
  int offset = 0;
  // Matches counted past the ranked ones (search_index.cpp) before the
  // total is given as "at least": counting every article that holds a
  // common character reads its whole index entry, the slowest part of a
  // search at a million articles, to say a number nobody reads exactly.
  std::int64_t count_limit = 10000;
  // Around each matched span in the snippet.
  std::string highlight_open = "**";
  std::string highlight_close = "**";
};

struct SearchHit {
  std::int64_t article_id = 0;
  std::string site;
  std::string file;                          // relative to the mirror
  std::string title;
  std::optional<std::string> link;
  std::optional<std::int64_t> published;     // ms since epoch UTC
  double score = 0;                          // higher is better
  std::string snippet;                       // from the body, highlighted
};

struct SearchResults {
  std::int64_t total = 0;                    // all matches, before limit/offset
  bool total_exact = true;                   // false: at least `total` (SearchQuery::count_limit)
  std::vector<SearchHit> hits;               // best first
};

}  // namespace newsmirror::search
