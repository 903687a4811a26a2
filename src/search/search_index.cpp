#include "search/search_index.hpp"

#include <sqlite3.h>

#include <memory>
#include <string>

#include "search/fts5_extension.hpp"
#include "search/query.hpp"

namespace newsmirror::search {
namespace {

core::Error error_from_sqlite(sqlite3* db, std::string_view context) {
  return core::Error(core::ErrorKind::database, std::string(context) + ": " + sqlite3_errmsg(db));
}

struct FinalizeStatement {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

core::Result<Statement> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK)
    return error_from_sqlite(db, "search index: preparing a statement");
  return Statement(raw);
}

void bind_text(sqlite3_stmt* s, int index, std::string_view text) {
  sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string column_text(sqlite3_stmt* s, int column) {
  const unsigned char* text = sqlite3_column_text(s, column);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(s, column)))
              : std::string();
}

core::Status exec(sqlite3* db, const char* sql, std::string_view context) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return error_from_sqlite(db, context);
  return core::ok_status();
}

core::Status step_done(sqlite3* db, sqlite3_stmt* s, std::string_view context) {
  if (sqlite3_step(s) != SQLITE_DONE) return error_from_sqlite(db, context);
  return core::ok_status();
}

// Runs `body` inside a savepoint: all of it or nothing, and usable both
// inside the caller's transaction and alone.
template <class Body>
core::Status in_savepoint(sqlite3* db, const char* name, Body body) {
  std::string begin = std::string("SAVEPOINT ") + name;
  if (auto s = exec(db, begin.c_str(), "search index: starting a savepoint"); !s) return s;
  core::Status status = body();
  if (!status) {
    std::string rollback = std::string("ROLLBACK TO ") + name + "; RELEASE " + name;
    sqlite3_exec(db, rollback.c_str(), nullptr, nullptr, nullptr);
    return status;
  }
  std::string release = std::string("RELEASE ") + name;
  return exec(db, release.c_str(), "search index: committing");
}

// External-content FTS5 forgets an entry only when told its old text.
core::Status delete_entry(sqlite3* db, std::int64_t article_id) {
  auto old = prepare(db, "SELECT title, body FROM article_text WHERE id = ?1");
  if (!old) return old.error();
  sqlite3_bind_int64(old->get(), 1, article_id);
  int rc = sqlite3_step(old->get());
  if (rc == SQLITE_DONE) return core::ok_status();
  if (rc != SQLITE_ROW) return error_from_sqlite(db, "search index: reading an article's indexed text");
  auto forget = prepare(db, "INSERT INTO article_fts(article_fts, rowid, title, body) VALUES('delete', ?1, ?2, ?3)");
  if (!forget) return forget.error();
  sqlite3_bind_int64(forget->get(), 1, article_id);
  sqlite3_bind_value(forget->get(), 2, sqlite3_column_value(old->get(), 0));
  sqlite3_bind_value(forget->get(), 3, sqlite3_column_value(old->get(), 1));
  if (auto s = step_done(db, forget->get(), "search index: removing an article's terms"); !s) return s;
  auto remove = prepare(db, "DELETE FROM article_text WHERE id = ?1");
  if (!remove) return remove.error();
  sqlite3_bind_int64(remove->get(), 1, article_id);
  return step_done(db, remove->get(), "search index: removing an article's text");
}

// bm25 weights: a match in the title counts ten times one in the body.
// The matches are materialized first: FTS5's bm25() only works in the
// query that holds the MATCH, and the window function that counts them
// would move it elsewhere.
constexpr const char* kSearchSql = R"sql(
  WITH matches AS MATERIALIZED (
    SELECT rowid AS id, bm25(article_fts, 10.0, 1.0) AS rank
    FROM article_fts WHERE article_fts MATCH ?1)
  SELECT a.id, a.site, a.file, a.title, a.link, a.published, m.rank,
         count(*) OVER () AS total
  FROM matches AS m CROSS JOIN articles AS a ON a.id = m.id
  WHERE (?2 IS NULL OR a.site = ?2)
    AND (?3 IS NULL OR a.site = ?3)
    AND (?4 IS NULL OR a.published >= ?4)
    AND (?5 IS NULL OR a.published < ?5)
  ORDER BY round(m.rank, 1), a.published DESC, a.id DESC
  LIMIT ?6 OFFSET ?7)sql";

// Snippets run per hit, not in the ranked query: there SQLite would build
// one for every match before sorting.
constexpr const char* kSnippetSql =
    "SELECT newsmirror_snippet(article_fts, ?2, ?3, 1) FROM article_fts WHERE article_fts MATCH ?1 AND rowid = ?4";

void bind_optional_int(sqlite3_stmt* s, int index, const std::optional<std::int64_t>& value) {
  if (value) sqlite3_bind_int64(s, index, *value);
  else sqlite3_bind_null(s, index);
}

}  // namespace

core::Status register_tokenizer(sqlite3* db) { return register_fts5_extensions(db); }

core::Status create_search_schema(sqlite3* db) {
  if (auto s = register_tokenizer(db); !s) return s;
  return exec(db,
              "CREATE TABLE IF NOT EXISTS article_text("
              "  id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL);"
              "CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5("
              "  title, body, content='article_text', content_rowid='id', tokenize='newsmirror');",
              "search index: creating its tables");
}

core::Status index_article(sqlite3* db, std::int64_t article_id, std::string_view title,
                           std::string_view body_text) {
  return in_savepoint(db, "index_article", [&]() -> core::Status {
    if (auto s = delete_entry(db, article_id); !s) return s;
    auto text = prepare(db, "INSERT INTO article_text(id, title, body) VALUES(?1, ?2, ?3)");
    if (!text) return text.error();
    sqlite3_bind_int64(text->get(), 1, article_id);
    bind_text(text->get(), 2, title);
    bind_text(text->get(), 3, body_text);
    if (auto s = step_done(db, text->get(), "search index: storing an article's text"); !s) return s;
    auto terms = prepare(db, "INSERT INTO article_fts(rowid, title, body) VALUES(?1, ?2, ?3)");
    if (!terms) return terms.error();
    sqlite3_bind_int64(terms->get(), 1, article_id);
    bind_text(terms->get(), 2, title);
    bind_text(terms->get(), 3, body_text);
    return step_done(db, terms->get(), "search index: indexing an article");
  });
}

core::Status unindex_article(sqlite3* db, std::int64_t article_id) {
  return in_savepoint(db, "unindex_article", [&] { return delete_entry(db, article_id); });
}

core::Status rebuild_search_index(sqlite3* db) {
  return exec(db, "INSERT INTO article_fts(article_fts) VALUES('rebuild')", "search index: rebuilding");
}

core::Status optimize_search_index(sqlite3* db) {
  return exec(db, "INSERT INTO article_fts(article_fts) VALUES('optimize')", "search index: optimizing");
}

core::Result<SearchResults> search(sqlite3* db, const SearchQuery& query) {
  if (query.limit < 0 || query.offset < 0)
    return core::Error(core::ErrorKind::usage, "search: limit and offset must not be negative");
  auto parsed = parse_query(query.text);
  if (!parsed) return parsed.error();

  auto ranked = prepare(db, kSearchSql);
  if (!ranked) return ranked.error();
  sqlite3_stmt* s = ranked->get();
  bind_text(s, 1, parsed->match);
  if (query.site) bind_text(s, 2, *query.site);
  if (parsed->site) bind_text(s, 3, *parsed->site);
  bind_optional_int(s, 4, query.since);
  bind_optional_int(s, 5, query.until);
  sqlite3_bind_int(s, 6, query.limit);
  sqlite3_bind_int(s, 7, query.offset);

  SearchResults results;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    SearchHit hit;
    hit.article_id = sqlite3_column_int64(s, 0);
    hit.site = column_text(s, 1);
    hit.file = column_text(s, 2);
    hit.title = column_text(s, 3);
    if (sqlite3_column_type(s, 4) != SQLITE_NULL) hit.link = column_text(s, 4);
    if (sqlite3_column_type(s, 5) != SQLITE_NULL) hit.published = sqlite3_column_int64(s, 5);
    hit.score = -sqlite3_column_double(s, 6);
    results.total = sqlite3_column_int64(s, 7);
    results.hits.push_back(std::move(hit));
  }
  if (rc != SQLITE_DONE) return error_from_sqlite(db, "search: running \"" + query.text + "\"");

  if (results.hits.empty() && query.offset > 0) {
    // Paged past the end: the window function had no row to report on.
    auto counted = prepare(db, "SELECT count(*) FROM (" + std::string(kSearchSql) + ")");
    if (!counted) return counted.error();
    sqlite3_stmt* c = counted->get();
    bind_text(c, 1, parsed->match);
    if (query.site) bind_text(c, 2, *query.site);
    if (parsed->site) bind_text(c, 3, *parsed->site);
    bind_optional_int(c, 4, query.since);
    bind_optional_int(c, 5, query.until);
    sqlite3_bind_int(c, 6, -1);
    sqlite3_bind_int(c, 7, 0);
    if (sqlite3_step(c) != SQLITE_ROW) return error_from_sqlite(db, "search: counting matches");
    results.total = sqlite3_column_int64(c, 0);
  }

  auto snippets = prepare(db, kSnippetSql);
  if (!snippets) return snippets.error();
  sqlite3_stmt* n = snippets->get();
  bind_text(n, 1, parsed->match);
  bind_text(n, 2, query.highlight_open);
  bind_text(n, 3, query.highlight_close);
  for (SearchHit& hit : results.hits) {
    sqlite3_reset(n);
    sqlite3_bind_int64(n, 4, hit.article_id);
    rc = sqlite3_step(n);
    if (rc == SQLITE_ROW) hit.snippet = column_text(n, 0);
    else if (rc != SQLITE_DONE) return error_from_sqlite(db, "search: making a snippet");
  }
  return results;
}

core::Result<SearchResults> search_catalog(const std::filesystem::path& db_file, const SearchQuery& query) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(db_file, error))
    return core::Error(core::ErrorKind::io, "no catalog at " + db_file.string() +
                                                " (`newsmirror import` builds it from the mirror's files)");
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, &sqlite3_close_v2);
  if (rc != SQLITE_OK) return error_from_sqlite(raw, "opening " + db_file.string());
  sqlite3_busy_timeout(db.get(), 5000);
  if (auto s = register_tokenizer(db.get()); !s) return s.error();
  auto results = search(db.get(), query);
  if (!results && results.error().kind == core::ErrorKind::database)
    return results.error().with_context(db_file.string());
  return results;
}

}  // namespace newsmirror::search
