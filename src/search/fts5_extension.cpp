#include "search/fts5_extension.hpp"

#include <sqlite3.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "search/rank_function.hpp"
#include "search/tokenizer.hpp"

namespace newsmirror::search {
namespace {

// ---- tokenizer ----------------------------------------------------------

// The tokenizer has no per-table state; FTS5 still wants an object.
struct TokenizerInstance {};

int create_tokenizer(void*, const char**, int arg_count, Fts5Tokenizer** out) {
  if (arg_count != 0) return SQLITE_ERROR;  // "newsmirror" takes no options
  *out = reinterpret_cast<Fts5Tokenizer*>(new (std::nothrow) TokenizerInstance);
  return *out ? SQLITE_OK : SQLITE_NOMEM;
}

void delete_tokenizer(Fts5Tokenizer* tokenizer) { delete reinterpret_cast<TokenizerInstance*>(tokenizer); }

using TokenCallback = int (*)(void*, int, const char*, int, int, int);

int run_tokenizer(Fts5Tokenizer*, void* context, int flags, const char* text, int length,
                  TokenCallback callback) {
  TokenizeFor mode = TokenizeFor::document;
  if (flags & FTS5_TOKENIZE_QUERY) mode = TokenizeFor::query;
  else if (flags & FTS5_TOKENIZE_AUX) mode = TokenizeFor::highlight;
  int rc = SQLITE_OK;
  const std::string_view input(text, static_cast<std::size_t>(std::max(length, 0)));
  auto pass_on = [&](const Token& token) {
    rc = callback(context, token.colocated ? FTS5_TOKEN_COLOCATED : 0, token.text.data(),
                  static_cast<int>(token.text.size()), token.begin, token.end);
    return rc == SQLITE_OK;
  };
  try {
    // Terms worked out ahead (tokenizer.hpp): only ever a document being
    // written; stored text never starts with the marker (search_index.cpp).
    if (mode == TokenizeFor::document && is_pretokenized(input)) {
      if (!replay_pretokenized(input, pass_on) && rc == SQLITE_OK) return SQLITE_ERROR;
      return rc;
    }
    tokenize(input, mode, pass_on);
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception&) {
    return SQLITE_ERROR;  // ICU or OpenCC could not load their data
  }
  return rc;
}

// ---- snippet --------------------------------------------------------------

constexpr int kContextBefore = 15;  // characters before the first match
constexpr int kContextAfter = 25;   // characters after its start (at least; matches are never cut)

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t back_chars(std::string_view text, std::size_t at, int count) {
  while (at > 0 && count > 0) {
    --at;
    while (at > 0 && is_continuation_byte(text[at])) --at;
    --count;
  }
  return at;
}

std::size_t forward_chars(std::string_view text, std::size_t at, int count) {
  while (at < text.size() && count > 0) {
    ++at;
    while (at < text.size() && is_continuation_byte(text[at])) ++at;
    --count;
  }
  return at;
}

// Appends text with every run of white space made one space.
void append_flat(std::string& out, std::string_view text) {
  for (char c : text) {
    bool space = (c == '\n' || c == '\r' || c == '\t' || c == ' ');
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
}

struct ByteRange {
  std::size_t begin;
  std::size_t end;
};

std::string make_snippet(std::string_view text, std::vector<ByteRange> matches, std::string_view open,
                         std::string_view close) {
  std::sort(matches.begin(), matches.end(), [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
  std::vector<ByteRange> merged;
  for (const ByteRange& m : matches) {
    if (!merged.empty() && m.begin <= merged.back().end) merged.back().end = std::max(merged.back().end, m.end);
    else merged.push_back(m);
  }
  std::size_t start = 0;
  std::size_t stop = forward_chars(text, 0, kContextBefore + kContextAfter);
  if (!merged.empty()) {
    start = back_chars(text, merged.front().begin, kContextBefore);
    stop = std::max(merged.front().end, forward_chars(text, merged.front().begin, kContextAfter));
    // A match the window reaches into is shown whole: half a highlight
    // ("[特朗]" for 特朗普) would claim a match that is not the query.
    for (const ByteRange& m : merged)
      if (m.begin < stop) stop = std::max(stop, m.end);
  }
  std::string out;
  if (start > 0) out += "…";
  std::size_t at = start;
  for (const ByteRange& m : merged) {
    if (m.begin >= stop) break;
    append_flat(out, text.substr(at, m.begin - at));
    out += open;
    append_flat(out, text.substr(m.begin, m.end - m.begin));
    out += close;
    at = m.end;
  }
  append_flat(out, text.substr(at, stop - at));
  if (stop < text.size()) out += "…";
  return out;
}

// "1,0,2" -> {1, 0, 2}; anything but digits separates numbers.
std::vector<int> parse_tails(std::string_view text) {
  std::vector<int> tails;
  int value = -1;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      value = std::min((value < 0 ? 0 : value) * 10 + (c - '0'), 1000);
    } else if (value >= 0) {
      tails.push_back(value);
      value = -1;
    }
  }
  if (value >= 0) tails.push_back(value);
  return tails;
}

// The positions of the text being highlighted (TokenizeFor::highlight).
struct PositionCollector {
  std::vector<ByteRange> bytes;      // a CJK position's first character, or a word
  std::vector<char32_t> characters;  // a CJK position's first character (folded), else 0
};

int collect_position(void* context, int flags, const char* term, int term_length, int begin, int end) {
  if (flags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  auto& collector = *static_cast<PositionCollector*>(context);
  collector.bytes.push_back({static_cast<std::size_t>(begin), static_cast<std::size_t>(end)});
  int32_t i = 0;
  UChar32 first = -1;
  if (term_length > 0) U8_NEXT(reinterpret_cast<const uint8_t*>(term), i, term_length, first);
  const bool cjk = first > 0 && classify(static_cast<char32_t>(first)) == CharClass::cjk;
  collector.characters.push_back(cjk ? static_cast<char32_t>(first) : 0);
  return SQLITE_OK;
}

// A phrase's match, in positions.
struct Span {
  int first;
  int last;            // with the phrase's tail
  bool lone_character; // one position standing for one character
};

// The bytes each match covers. A lone character is indexed at only some of
// its occurrences (tokenizer.hpp), so every position that starts with a
// matched lone character is highlighted, not just the ones FTS5 reports.
std::vector<ByteRange> matched_bytes(const std::vector<Span>& spans, const PositionCollector& positions) {
  std::vector<ByteRange> matches;
  std::vector<char32_t> lone;
  const int count = static_cast<int>(positions.bytes.size());
  for (const Span& span : spans) {
    if (span.first < 0 || span.first >= count) continue;
    matches.push_back({positions.bytes[span.first].begin, positions.bytes[std::min(span.last, count - 1)].end});
    if (span.lone_character && positions.characters[span.first] != 0)
      lone.push_back(positions.characters[span.first]);
  }
  if (!lone.empty())
    for (int k = 0; k < count; ++k)
      if (std::find(lone.begin(), lone.end(), positions.characters[k]) != lone.end())
        matches.push_back(positions.bytes[k]);
  return matches;
}

void snippet_function(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int arg_count,
                      sqlite3_value** args) {
  if (arg_count != 4) {
    sqlite3_result_error(result, "newsmirror_snippet(table, open, close, column, tails): wrong number of arguments",
                         -1);
    return;
  }
  auto text_arg = [&](int i) {
    const unsigned char* s = sqlite3_value_text(args[i]);
    return std::string_view(s ? reinterpret_cast<const char*>(s) : "",
                            static_cast<std::size_t>(sqlite3_value_bytes(args[i])));
  };
  std::string open(text_arg(0));
  std::string close(text_arg(1));
  const int column = sqlite3_value_int(args[2]);
  const std::vector<int> tails = parse_tails(text_arg(3));

  const char* text = nullptr;
  int length = 0;
  int rc = api->xColumnText(fts, column, &text, &length);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(result, rc);
    return;
  }
  std::string_view body(text ? text : "", static_cast<std::size_t>(std::max(length, 0)));

  int instance_count = 0;
  rc = api->xInstCount(fts, &instance_count);
  std::vector<Span> spans;
  for (int i = 0; rc == SQLITE_OK && i < instance_count; ++i) {
    int phrase = 0, instance_column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &instance_column, &offset);
    if (rc == SQLITE_OK && instance_column == column) {
      const int tail = phrase < static_cast<int>(tails.size()) ? tails[phrase] : 0;
      const int size = std::max(api->xPhraseSize(fts, phrase), 1);
      spans.push_back({offset, offset + size - 1 + tail, size == 1 && tail == 0});
    }
  }
  PositionCollector positions;
  if (rc == SQLITE_OK && !spans.empty())
    rc = api->xTokenize(fts, body.data(), static_cast<int>(body.size()), &positions, collect_position);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(result, rc);
    return;
  }
  try {
    std::string snippet = make_snippet(body, matched_bytes(spans, positions), open, close);
    sqlite3_result_text(result, snippet.data(), static_cast<int>(snippet.size()), SQLITE_TRANSIENT);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(result);
  }
}

// ---- registration -------------------------------------------------------

}  // namespace

core::Status register_fts5_extensions(fts5_api* api) {
  if (api == nullptr)
    return core::Error(core::ErrorKind::database, "this SQLite has no FTS5; the search index needs it");
  void* user_data = nullptr;
  fts5_tokenizer existing{};
  if (api->xFindTokenizer(api, kTokenizerName, &user_data, &existing) == SQLITE_OK) return core::ok_status();
  fts5_tokenizer tokenizer{create_tokenizer, delete_tokenizer, run_tokenizer};
  int rc = api->xCreateTokenizer(api, kTokenizerName, nullptr, &tokenizer, nullptr);
  if (rc == SQLITE_OK) rc = api->xCreateFunction(api, "newsmirror_snippet", nullptr, snippet_function, nullptr);
  if (rc == SQLITE_OK) rc = create_rank_function(api);
  if (rc != SQLITE_OK)
    return core::Error(core::ErrorKind::database,
                       std::string("registering the search tokenizer: ") + sqlite3_errstr(rc));
  return core::ok_status();
}

}  // namespace newsmirror::search
