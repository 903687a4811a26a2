#include "search/search_index.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>

#include "search/fts5_extension.hpp"
#include "search/query.hpp"
#include "search/tokenizer.hpp"

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

// Ranking: newsmirror_rank (rank_function.hpp), BM25 with weights (body,
// title): a match in the title counts ten times one in the body.
//
// Scoring every match does not scale: the score reads each match's column
// sizes and positions, about 1.3 us a match, 80 ms for a common word in
// 100,000 articles. So the candidates are the newest (highest id) matches
// that pass the filters, at most kRankedCandidates (or offset + limit,
// when paging deeper), read in the index's own rowid order with no
// per-match work besides the filters; they are ranked, and only the page
// shown is joined with the rest of its row. For a query with fewer
// matches than that, the ranking is over all, and the candidates are the
// total. The rank function must stay in the query that holds the MATCH.
constexpr int kRankedCandidates = 2000;

constexpr const char* kSearchSql = R"sql(
  WITH candidates AS MATERIALIZED (
    SELECT f.rowid AS id, a.published AS published,
           newsmirror_rank(article_fts, 1.0, 10.0,
                           (SELECT min(id) FROM article_text), (SELECT max(id) FROM article_text)) AS rank
    FROM article_fts AS f CROSS JOIN articles AS a ON a.id = f.rowid
    WHERE article_fts MATCH ?1
      AND (?2 IS NULL OR a.site = ?2)
      AND (?3 IS NULL OR a.site = ?3)
      AND (?4 IS NULL OR a.published >= ?4)
      AND (?5 IS NULL OR a.published < ?5)
    ORDER BY f.rowid DESC LIMIT ?8),
  page AS MATERIALIZED (
    SELECT id, rank, published FROM candidates
    ORDER BY round(rank, 1), published DESC, id DESC
    LIMIT ?6 OFFSET ?7)
  SELECT a.id, a.site, a.file, a.title, a.link, a.published, p.rank,
         (SELECT count(*) FROM candidates), (SELECT min(id) FROM candidates)
  FROM page AS p CROSS JOIN articles AS a ON a.id = p.id
  ORDER BY round(p.rank, 1), p.published DESC, p.id DESC)sql";

// The total: the candidates, and the matches older than them (?6, the
// oldest candidate's id), which the ranked query did not reach. Without
// filters the index alone counts (no per-match lookup).
constexpr const char* kCountSql = "SELECT count(*) FROM article_fts WHERE article_fts MATCH ?1 AND rowid < ?6";
constexpr const char* kFilteredCountSql = R"sql(
  SELECT count(*) FROM article_fts AS f CROSS JOIN articles AS a ON a.id = f.rowid
  WHERE article_fts MATCH ?1 AND f.rowid < ?6
    AND (?2 IS NULL OR a.site = ?2)
    AND (?3 IS NULL OR a.site = ?3)
    AND (?4 IS NULL OR a.published >= ?4)
    AND (?5 IS NULL OR a.published < ?5))sql";

// Snippets for all hits in one query, not in the ranked one (SQLite would
// build one for every candidate) nor one query per hit (each evaluates the
// MATCH again, and a prefix query's setup merges every term it expands
// to). The rowid range lets FTS5 skip the rest; `+rowid IN` only filters.
constexpr const char* kSnippetSql =
    "SELECT rowid, newsmirror_snippet(article_fts, ?2, ?3, 0, ?7) FROM article_fts"
    " WHERE article_fts MATCH ?1 AND rowid BETWEEN ?4 AND ?5 AND +rowid IN (SELECT value FROM json_each(?6))";

void bind_optional_int(sqlite3_stmt* s, int index, const std::optional<std::int64_t>& value) {
  if (value) sqlite3_bind_int64(s, index, *value);
  else sqlite3_bind_null(s, index);
}

}  // namespace

core::Status prepare_connection(sqlite3* db) {
  // SQLite caps the size at its build's SQLITE_MAX_MMAP_SIZE (2 GB in
  // Debian's); the rest of a larger file is read as before.
  if (auto s = exec(db, "PRAGMA mmap_size = 4294967296", "search index: mapping the database"); !s) return s;
  return register_fts5_extensions(db);
}

namespace {

// FTS5 gathers new terms in memory and writes them out as a segment when
// they pass `hashsize` (default 1 MB) or a transaction ends. At 1 MB an
// import wrote a segment every ~200 articles and spent its time merging
// them; 32 MB makes a segment of each import batch. Stored in the index's
// config table.
core::Status apply_index_settings(sqlite3* db) {
  return exec(db, "INSERT INTO article_fts(article_fts, rank) VALUES('hashsize', 33554432)",
              "search index: configuring");
}

// The body is the first column: FTS5 marks a position list's every column
// but the first with two bytes, and most terms are only in the body. With
// the title first, those marks were a fifth of the index.
constexpr const char* kCreateFtsSql =
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5("
    "  body, title, content='article_text', content_rowid='id', tokenize='newsmirror');";

}  // namespace

core::Status create_search_schema(sqlite3* db) {
  if (auto s = prepare_connection(db); !s) return s;
  if (auto s = exec(db,
                    "CREATE TABLE IF NOT EXISTS article_text("
                    "  id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL);",
                    "search index: creating its tables");
      !s)
    return s;
  if (auto s = exec(db, kCreateFtsSql, "search index: creating its tables"); !s) return s;
  return apply_index_settings(db);
}

core::Status start_bulk_indexing(sqlite3* db) {
  // crisismerge: FTS5 merges a level at once when it holds this many
  // segments; 1999 is its largest (FTS5_MAX_SEGMENT - 1).
  return exec(db,
              "INSERT INTO article_fts(article_fts, rank) VALUES('automerge', 0);"
              "INSERT INTO article_fts(article_fts, rank) VALUES('crisismerge', 1999)",
              "search index: starting a bulk load");
}

core::Status finish_bulk_indexing(sqlite3* db) {
  // FTS5's defaults (automerge 4, crisismerge 16), then one merge of all.
  return exec(db,
              "INSERT INTO article_fts(article_fts, rank) VALUES('automerge', 4);"
              "INSERT INTO article_fts(article_fts, rank) VALUES('crisismerge', 16);"
              "INSERT INTO article_fts(article_fts) VALUES('optimize')",
              "search index: finishing a bulk load");
}

core::Status upgrade_search_index(sqlite3* db) {
  if (auto s = prepare_connection(db); !s) return s;
  if (auto s = exec(db, "DROP TABLE IF EXISTS article_fts", "search index: dropping the old index"); !s) return s;
  if (auto s = exec(db, kCreateFtsSql, "search index: creating the new index"); !s) return s;
  if (auto s = apply_index_settings(db); !s) return s;
  if (auto s = rebuild_search_index(db); !s) return s;
  return optimize_search_index(db);
}

IndexTerms index_terms(std::string_view title, std::string_view body_text) {
  return {pretokenize(title), pretokenize(body_text)};
}

namespace {

// Text as article_text keeps it. Stored text must never look pretokenized
// (tokenizer.hpp): a leading marker byte, invalid UTF-8 that the tokenizer
// reads as U+FFFD, a separator, becomes U+FFFD itself; the terms are the same.
std::string_view storable(std::string_view text, std::string& copy) {
  if (!is_pretokenized(text)) return text;
  copy = "\xEF\xBF\xBD";
  copy.append(text.substr(1));
  return copy;
}

}  // namespace

struct IndexWriter::Statements {
  sqlite3* db;
  Statement begin, commit, rollback;
  Statement old_text, forget, remove, store, insert;

  core::Result<sqlite3_stmt*> get(Statement& s, const char* sql) {
    if (!s) {
      sqlite3_stmt* raw = nullptr;
      if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK)
        return error_from_sqlite(db, "search index: preparing a statement");
      s.reset(raw);
    }
    sqlite3_reset(s.get());
    sqlite3_clear_bindings(s.get());
    return s.get();
  }

  core::Status run(Statement& s, const char* sql, std::string_view context) {
    auto st = get(s, sql);
    if (!st) return st.error();
    auto status = step_done(db, *st, context);
    sqlite3_reset(*st);
    return status;
  }

  // All of `body` or nothing when the connection is in no transaction.
  // Inside the caller's transaction no savepoint is taken: FTS5 (SQLite
  // 3.40) writes its pending terms out as a new segment at every SAVEPOINT
  // and RELEASE, which made every article a segment of its own and the
  // import spend most of its time merging them. There a failure leaves the
  // caller's transaction to be rolled back (the catalog's are).
  template <class Body>
  core::Status atomically(Body body) {
    if (!sqlite3_get_autocommit(db)) return body();
    if (auto s = run(begin, "BEGIN", "search index: starting a transaction"); !s) return s;
    core::Status status = body();
    if (status) status = run(commit, "COMMIT", "search index: committing");
    if (!status) (void)run(rollback, "ROLLBACK", "search index: rolling back");
    return status;
  }

  // External-content FTS5 forgets an entry only when told the values it
  // indexed; the stored text gives the same terms.
  core::Status forget_entry(std::int64_t article_id) {
    auto old = get(old_text, "SELECT title, body FROM article_text WHERE id = ?1");
    if (!old) return old.error();
    sqlite3_bind_int64(*old, 1, article_id);
    int rc = sqlite3_step(*old);
    if (rc == SQLITE_DONE) {
      sqlite3_reset(*old);
      return core::ok_status();
    }
    if (rc != SQLITE_ROW) {
      auto error = error_from_sqlite(db, "search index: reading an article's indexed text");
      sqlite3_reset(*old);
      return error;
    }
    auto del = get(forget, "INSERT INTO article_fts(article_fts, rowid, title, body) VALUES('delete', ?1, ?2, ?3)");
    if (!del) return del.error();
    sqlite3_bind_int64(*del, 1, article_id);
    sqlite3_bind_value(*del, 2, sqlite3_column_value(*old, 0));
    sqlite3_bind_value(*del, 3, sqlite3_column_value(*old, 1));
    auto status = step_done(db, *del, "search index: removing an article's terms");
    sqlite3_reset(*del);
    sqlite3_reset(*old);
    if (!status) return status;
    auto gone = get(remove, "DELETE FROM article_text WHERE id = ?1");
    if (!gone) return gone.error();
    sqlite3_bind_int64(*gone, 1, article_id);
    status = step_done(db, *gone, "search index: removing an article's text");
    sqlite3_reset(*gone);
    return status;
  }
};

IndexWriter::IndexWriter(sqlite3* db) : statements_(std::make_unique<Statements>()) { statements_->db = db; }
IndexWriter::IndexWriter(IndexWriter&&) noexcept = default;
IndexWriter& IndexWriter::operator=(IndexWriter&&) noexcept = default;
IndexWriter::~IndexWriter() = default;

core::Status IndexWriter::index(std::int64_t article_id, std::string_view title, std::string_view body_text,
                                const IndexTerms* terms) {
  Statements& s = *statements_;
  return s.atomically([&]() -> core::Status {
    if (auto status = s.forget_entry(article_id); !status) return status;
    std::string title_copy, body_copy;
    const std::string_view stored_title = storable(title, title_copy);
    const std::string_view stored_body = storable(body_text, body_copy);
    auto text = s.get(s.store, "INSERT INTO article_text(id, title, body) VALUES(?1, ?2, ?3)");
    if (!text) return text.error();
    sqlite3_bind_int64(*text, 1, article_id);
    bind_text(*text, 2, stored_title);
    bind_text(*text, 3, stored_body);
    auto status = step_done(s.db, *text, "search index: storing an article's text");
    sqlite3_reset(*text);
    if (!status) return status;
    auto insert = s.get(s.insert, "INSERT INTO article_fts(rowid, title, body) VALUES(?1, ?2, ?3)");
    if (!insert) return insert.error();
    sqlite3_bind_int64(*insert, 1, article_id);
    bind_text(*insert, 2, terms ? std::string_view(terms->title) : stored_title);
    bind_text(*insert, 3, terms ? std::string_view(terms->body) : stored_body);
    status = step_done(s.db, *insert, "search index: indexing an article");
    sqlite3_reset(*insert);
    return status;
  });
}

core::Status IndexWriter::unindex(std::int64_t article_id) {
  return statements_->atomically([&] { return statements_->forget_entry(article_id); });
}

core::Status index_article(sqlite3* db, std::int64_t article_id, std::string_view title,
                           std::string_view body_text) {
  return IndexWriter(db).index(article_id, title, body_text);
}

core::Status unindex_article(sqlite3* db, std::int64_t article_id) { return IndexWriter(db).unindex(article_id); }

core::Status rebuild_search_index(sqlite3* db) {
  return exec(db, "INSERT INTO article_fts(article_fts) VALUES('rebuild')", "search index: rebuilding");
}

core::Status check_search_index(sqlite3* db) {
  return exec(db, "INSERT INTO article_fts(article_fts, rank) VALUES('integrity-check', 1)",
              "search index: integrity check");
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
  auto bind_filters = [&](sqlite3_stmt* statement) {
    bind_text(statement, 1, parsed->match);
    if (query.site) bind_text(statement, 2, *query.site);
    if (parsed->site) bind_text(statement, 3, *parsed->site);
    bind_optional_int(statement, 4, query.since);
    bind_optional_int(statement, 5, query.until);
  };
  bind_filters(s);
  sqlite3_bind_int(s, 6, query.limit);
  sqlite3_bind_int(s, 7, query.offset);
  const std::int64_t candidate_limit = std::max<std::int64_t>(kRankedCandidates, std::int64_t{query.offset} + query.limit);
  sqlite3_bind_int64(s, 8, candidate_limit);

  SearchResults results;
  std::int64_t candidates = -1;  // unknown when the page is empty
  std::int64_t oldest_candidate = 0;
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
    candidates = sqlite3_column_int64(s, 7);
    oldest_candidate = sqlite3_column_int64(s, 8);
    results.hits.push_back(std::move(hit));
  }
  if (rc != SQLITE_DONE) return error_from_sqlite(db, "search: running \"" + query.text + "\"");

  if (candidates >= 0 && candidates < candidate_limit) {
    results.total = candidates;  // every match was a candidate
  } else {
    // An empty page (an offset past the end) says nothing: count them all.
    const bool known = candidates >= 0;
    const bool filtered = query.site || parsed->site || query.since || query.until;
    auto counted = prepare(db, filtered ? kFilteredCountSql : kCountSql);
    if (!counted) return counted.error();
    if (filtered) bind_filters(counted->get());
    else bind_text(counted->get(), 1, parsed->match);
    sqlite3_bind_int64(counted->get(), 6, known ? oldest_candidate : std::numeric_limits<std::int64_t>::max());
    if (sqlite3_step(counted->get()) != SQLITE_ROW) return error_from_sqlite(db, "search: counting matches");
    results.total = (known ? candidates : 0) + sqlite3_column_int64(counted->get(), 0);
  }

  if (results.hits.empty()) return results;
  auto snippets = prepare(db, kSnippetSql);
  if (!snippets) return snippets.error();
  sqlite3_stmt* n = snippets->get();
  std::int64_t low = results.hits.front().article_id, high = low;
  std::string ids = "[";
  for (const SearchHit& hit : results.hits) {
    low = std::min(low, hit.article_id);
    high = std::max(high, hit.article_id);
    ids += (ids.size() > 1 ? "," : "") + std::to_string(hit.article_id);
  }
  ids += "]";
  bind_text(n, 1, parsed->match);
  bind_text(n, 2, query.highlight_open);
  bind_text(n, 3, query.highlight_close);
  sqlite3_bind_int64(n, 4, low);
  sqlite3_bind_int64(n, 5, high);
  bind_text(n, 6, ids);
  std::string tails;
  for (int tail : parsed->phrase_tails) {
    if (!tails.empty()) tails += ',';
    tails += std::to_string(tail);
  }
  bind_text(n, 7, tails);
  std::unordered_map<std::int64_t, std::string> by_id;
  while ((rc = sqlite3_step(n)) == SQLITE_ROW) by_id[sqlite3_column_int64(n, 0)] = column_text(n, 1);
  if (rc != SQLITE_DONE) return error_from_sqlite(db, "search: making snippets");
  for (SearchHit& hit : results.hits)
    if (auto it = by_id.find(hit.article_id); it != by_id.end()) hit.snippet = std::move(it->second);
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
  if (auto s = prepare_connection(db.get()); !s) return s.error();
  auto results = search(db.get(), query);
  if (!results && results.error().kind == core::ErrorKind::database)
    return results.error().with_context(db_file.string());
  return results;
}

}  // namespace newsmirror::search
