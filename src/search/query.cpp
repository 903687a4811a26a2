#include "search/query.hpp"

#include <unicode/utf8.h>

#include "search/tokenizer.hpp"

namespace newsmirror::search {
namespace {

// White space between terms: ASCII, no-break space and the ideographic
// space a Chinese input method types.
std::size_t space_length(std::string_view s, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (s.substr(i).starts_with("\u3000")) return 3;
  if (s.substr(i).starts_with("\u00A0")) return 2;
  return 0;
}

// An opening quote and the closing quote it wants.
std::optional<std::pair<std::string_view, std::string_view>> quote_at(std::string_view s, std::size_t i) {
  if (s.substr(i).starts_with("\"")) return std::pair{std::string_view("\""), std::string_view("\"")};
  if (s.substr(i).starts_with("\u201C")) return std::pair{std::string_view("\u201C"), std::string_view("\u201D")};
  if (s.substr(i).starts_with("\u300C")) return std::pair{std::string_view("\u300C"), std::string_view("\u300D")};
  return std::nullopt;
}

// "site:" / "title:" in any case, with an ASCII or full-width colon.
bool take_prefix(std::string_view s, std::size_t& i, std::string_view name) {
  std::string_view rest = s.substr(i);
  if (rest.size() < name.size()) return false;
  for (std::size_t k = 0; k < name.size(); ++k)
    if ((rest[k] | 0x20) != name[k]) return false;
  rest.remove_prefix(name.size());
  if (rest.starts_with(":")) { i += name.size() + 1; return true; }
  if (rest.starts_with("\uFF1A")) { i += name.size() + 3; return true; }
  return false;
}

struct RawTerm {
  bool excluded = false;
  bool title_only = false;
  bool site = false;
  std::string text;
};

std::vector<RawTerm> split_terms(std::string_view s) {
  std::vector<RawTerm> terms;
  std::size_t i = 0;
  while (i < s.size()) {
    if (std::size_t n = space_length(s, i)) { i += n; continue; }
    RawTerm term;
    if (s[i] == '-' && i + 1 < s.size() && space_length(s, i + 1) == 0) { term.excluded = true; ++i; }
    if (take_prefix(s, i, "site")) term.site = true;
    else if (take_prefix(s, i, "title")) term.title_only = true;
    if (auto quote = quote_at(s, i)) {
      i += quote->first.size();
      std::size_t close = s.find(quote->second, i);
      if (close == std::string_view::npos) close = s.size();
      term.text = s.substr(i, close - i);
      i = std::min(s.size(), close + quote->second.size());
    } else {
      std::size_t end = i;
      while (end < s.size() && space_length(s, end) == 0) ++end;
      term.text = s.substr(i, end - i);
      i = end;
    }
    terms.push_back(std::move(term));
  }
  return terms;
}

// Control characters never reach FTS5: they could forge the tokenizer's
// word marker.
std::string without_controls(std::string_view s) {
  std::string out;
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' ' : c;
  return out;
}

std::string fts5_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool has_terms(std::string_view text) {
  bool any = false;
  tokenize(text, TokenizeFor::query, [&](const Token&) { return !(any = true); });
  return any;
}

// True when the folded text is one run of CJK characters long enough for
// the index to hold it as a dictionary word too.
bool is_single_cjk_run(std::string_view text) {
  std::string folded = fold(text);
  int32_t i = 0, count = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(folded.data());
  while (i < static_cast<int32_t>(folded.size())) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, static_cast<int32_t>(folded.size()), c);
    if (c < 0 || classify(static_cast<char32_t>(c)) != CharClass::cjk) return false;
    ++count;
  }
  return count >= static_cast<int32_t>(kMinDictionaryWord);
}

// How many positions past its last term a phrase's match reaches in a
// document: a closing bigram's second character, the rest of a dictionary
// word. The snippet needs it to highlight exactly what matched.
int phrase_tail(std::string_view phrase) {
  int tail = 0;
  tokenize(phrase, TokenizeFor::query, [&](const Token& token) {
    std::string_view term = token.text;
    if (term.starts_with(kWordMarker)) term.remove_prefix(kWordMarker.size());
    int32_t i = 0, characters = 0;
    UChar32 first = 0;
    while (i < static_cast<int32_t>(term.size())) {
      UChar32 c = 0;
      U8_NEXT(reinterpret_cast<const uint8_t*>(term.data()), i, static_cast<int32_t>(term.size()), c);
      if (characters++ == 0) first = c;
    }
    tail = (first >= 0 && classify(static_cast<char32_t>(first)) == CharClass::cjk) ? characters - 1 : 0;
    return true;
  });
  return tail;
}

// The term's FTS5 expression; the tail of each phrase in it, in order,
// goes to `tails`.
std::string term_expression(const RawTerm& term, std::vector<int>& tails) {
  std::string phrase = fts5_string(term.text);
  tails.push_back(phrase_tail(term.text));
  if (is_single_cjk_run(term.text)) {
    // Same matches (a dictionary word implies its bigrams), better ranks.
    const std::string word = std::string(kWordMarker) + term.text;
    phrase = "(" + phrase + " OR " + fts5_string(word) + ")";
    tails.push_back(phrase_tail(word));
  }
  if (term.title_only) phrase = "title : " + phrase;
  return phrase;
}

}  // namespace

core::Result<ParsedQuery> parse_query(std::string_view text) {
  ParsedQuery parsed;
  std::vector<std::string> included, excluded;
  std::vector<int> excluded_tails;
  for (RawTerm& term : split_terms(without_controls(text))) {
    if (term.site) {
      if (term.excluded)
        return core::Error(core::ErrorKind::usage, "search: -site: is not supported; name the site to keep with site:NAME");
      if (term.text.empty()) return core::Error(core::ErrorKind::usage, "search: site: needs a site name (site:BBC)");
      if (parsed.site && *parsed.site != term.text)
        return core::Error(core::ErrorKind::usage,
                           "search: only one site: per query (got \"" + *parsed.site + "\" and \"" + term.text + "\")");
      parsed.site = term.text;
      continue;
    }
    if (!has_terms(term.text)) continue;
    if (term.excluded) {
      excluded.push_back(term_expression(term, excluded_tails));
    } else {
      included.push_back(term_expression(term, parsed.phrase_tails));
      parsed.required_terms.push_back(term.text);
    }
  }
  if (included.empty())
    return core::Error(core::ErrorKind::usage,
                       excluded.empty() ? "search: the query has no word to look for"
                                        : "search: the query only excludes words; add one to look for");
  for (std::size_t k = 0; k < included.size(); ++k) parsed.match += (k ? " AND " : "") + included[k];
  if (!excluded.empty()) {
    parsed.match = "(" + parsed.match + ") NOT (";
    for (std::size_t k = 0; k < excluded.size(); ++k) parsed.match += (k ? " OR " : "") + excluded[k];
    parsed.match += ")";
  }
  // FTS5 numbers phrases as they stand in the expression: excluded last.
  parsed.phrase_tails.insert(parsed.phrase_tails.end(), excluded_tails.begin(), excluded_tails.end());
  return parsed;
}

}  // namespace newsmirror::search
