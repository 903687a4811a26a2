// The search query language, turned into an FTS5 MATCH expression.
//
//   query   = *( space ) term *( 1*space term )
//   term    = [ "-" ] [ ( "site:" | "title:" ) ] ( phrase | word )
//   phrase  = quote *( any but the closing quote ) [ quote ]   ; "…" or “…”
//   word    = 1*( any but space )
//
// Terms are ANDed; "-" excludes a term; title: looks only in titles;
// site:NAME keeps one site (not an FTS5 term). A word and a phrase search
// the same way — the tokenizer makes a phrase of the terms in either — so
// 中国人民 is one phrase of bigrams, never four loose characters. Every term
// goes to FTS5 as a quoted string, so no user input is FTS5 syntax, and a
// term without any letters, digits or CJK characters is dropped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace newsmirror::search {

struct ParsedQuery {
  std::string match;                 // the FTS5 MATCH expression
  std::optional<std::string> site;   // from site:NAME
  // The terms that must match, as written (without -, site:, title:).
  std::vector<std::string> required_terms;
  // For each phrase of `match`, in FTS5's order (as written): how many
  // positions past its last term's position its match reaches in a
  // document (1 for a closing bigram's second character, n - 1 for a
  // dictionary word of n characters, else 0). For the snippet's highlights.
  std::vector<int> phrase_tails;
};

// A usage error when nothing remains to search for (an empty query, only
// punctuation, only exclusions), or for two different site: names.
core::Result<ParsedQuery> parse_query(std::string_view text);

}  // namespace newsmirror::search
