// What the search text fuzzer checks for one input, shared with the normal
// build's regression test (tests/parse/fuzz_regression_test.cpp).
// Besides crashes and UB (the fuzz build's sanitizers):
//   - every token's byte range lies inside the text, in every mode;
//   - the folded text is valid UTF-8;
//   - the pretokenized form replays to the very terms and flags that
//     tokenizing the text as a document gives (the import relies on it);
//   - parse_query gives a result or a usage error, never another kind,
//     and a result has a match expression and a tail per phrase.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/utf8.hpp"
#include "search/query.hpp"
#include "search/tokenizer.hpp"

namespace newsmirror::fuzz {

inline std::optional<std::string> search_text_problem(std::string_view text) {
  using namespace newsmirror::search;
  const int size = static_cast<int>(text.size());
  for (TokenizeFor mode : {TokenizeFor::document, TokenizeFor::query, TokenizeFor::highlight}) {
    std::optional<std::string> bad;
    tokenize(text, mode, [&](const Token& t) {
      if (t.begin < 0 || t.begin > t.end || t.end > size || t.text.empty())
        bad = "token \"" + std::string(t.text) + "\" has the byte range " + std::to_string(t.begin) + ".." +
              std::to_string(t.end) + " in a text of " + std::to_string(size);
      return !bad;
    });
    if (bad) return bad;
  }
  if (!core::is_valid_utf8(fold(text))) return "fold() gave invalid UTF-8";

  std::vector<std::pair<std::string, bool>> direct, replayed;
  tokenize(text, TokenizeFor::document, [&](const Token& t) {
    direct.emplace_back(std::string(t.text), t.colocated);
    return true;
  });
  if (!replay_pretokenized(pretokenize(text), [&](const Token& t) {
        replayed.emplace_back(std::string(t.text), t.colocated);
        return true;
      }))
    return "pretokenize() gave a form replay_pretokenized() refuses";
  if (direct != replayed) return "the pretokenized terms differ from the document terms";

  auto parsed = parse_query(text);
  if (!parsed) {
    if (parsed.error().kind != core::ErrorKind::usage) return "parse_query failed with " + parsed.error().message;
    return std::nullopt;
  }
  if (parsed->match.empty() || parsed->phrase_tails.empty()) return "parse_query gave no expression or no tails";
  for (int tail : parsed->phrase_tails)
    if (tail < 0) return "a negative phrase tail";
  return std::nullopt;
}

}  // namespace newsmirror::fuzz
