#include "search/fts5_extension.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

struct PositionCollector {
  std::vector<ByteRange> positions;  // the bytes of each position's term
};

int collect_position(void* context, int flags, const char*, int, int begin, int end) {
  if (flags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  static_cast<PositionCollector*>(context)->positions.push_back(
      {static_cast<std::size_t>(begin), static_cast<std::size_t>(end)});
  return SQLITE_OK;
}

void snippet_function(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int arg_count,
                      sqlite3_value** args) {
  if (arg_count != 3) {
    sqlite3_result_error(result, "newsmirror_snippet(table, open, close, column): wrong number of arguments", -1);
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
  std::vector<std::pair<int, int>> spans;  // first and last position of a match
  for (int i = 0; rc == SQLITE_OK && i < instance_count; ++i) {
    int phrase = 0, instance_column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &instance_column, &offset);
    if (rc == SQLITE_OK && instance_column == column)
      spans.emplace_back(offset, offset + std::max(api->xPhraseSize(fts, phrase), 1) - 1);
  }
  PositionCollector collector;
  if (rc == SQLITE_OK && !spans.empty()) rc = api->xTokenize(fts, body.data(), static_cast<int>(body.size()), &collector, collect_position);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(result, rc);
    return;
  }
  std::vector<ByteRange> matches;
  const int position_count = static_cast<int>(collector.positions.size());
  for (const auto& [first, last] : spans)
    if (first >= 0 && last < position_count)
      matches.push_back({collector.positions[first].begin, collector.positions[last].end});
  try {
    std::string snippet = make_snippet(body, std::move(matches), open, close);
    sqlite3_result_text(result, snippet.data(), static_cast<int>(snippet.size()), SQLITE_TRANSIENT);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(result);
  }
}

// ---- registration -------------------------------------------------------

fts5_api* fts5_api_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, nullptr) != SQLITE_OK) return nullptr;
  sqlite3_bind_pointer(statement, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(statement);
  sqlite3_finalize(statement);
  return api;
}

}  // namespace

core::Status register_fts5_extensions(sqlite3* db) {
  fts5_api* api = fts5_api_of(db);
  if (api == nullptr)
    return core::Error(core::ErrorKind::database, "this SQLite has no FTS5; the search index needs it");
  void* user_data = nullptr;
  fts5_tokenizer existing{};
  if (api->xFindTokenizer(api, kTokenizerName, &user_data, &existing) == SQLITE_OK) return core::ok_status();
  fts5_tokenizer tokenizer{create_tokenizer, delete_tokenizer, run_tokenizer};
  int rc = api->xCreateTokenizer(api, kTokenizerName, nullptr, &tokenizer, nullptr);
  if (rc == SQLITE_OK) rc = api->xCreateFunction(api, "newsmirror_snippet", nullptr, snippet_function, nullptr);
  if (rc != SQLITE_OK)
    return core::Error(core::ErrorKind::database,
                       std::string("registering the search tokenizer: ") + sqlite3_errstr(rc));
  return core::ok_status();
}

}  // namespace newsmirror::search
