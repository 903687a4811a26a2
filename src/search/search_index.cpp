#include "search/search_index.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>

#include "search/fts5_extension.hpp"
#include "search/query.hpp"
#include "search/tokenizer.hpp"
#include "storage/sqlite.hpp"

namespace newsmirror::search {
namespace {

using storage::Connection;
using storage::Query;

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
// At most ?7 of them (SearchQuery::count_limit): the LIMIT stops FTS5
// reading the term's entries.
constexpr const char* kCountSql =
    "SELECT count(*) FROM (SELECT 1 FROM article_fts WHERE article_fts MATCH ?1 AND rowid < ?6 LIMIT ?7)";
constexpr const char* kFilteredCountSql = R"sql(
  SELECT count(*) FROM (SELECT 1 FROM article_fts AS f CROSS JOIN articles AS a ON a.id = f.rowid
  WHERE article_fts MATCH ?1 AND f.rowid < ?6
    AND (?2 IS NULL OR a.site = ?2)
    AND (?3 IS NULL OR a.site = ?3)
    AND (?4 IS NULL OR a.published >= ?4)
    AND (?5 IS NULL OR a.published < ?5)
  LIMIT ?7))sql";

// Snippets for all hits in one query, not in the ranked one (SQLite would
// build one for every candidate) nor one query per hit (each evaluates the
// MATCH again, and a prefix query's setup merges every term it expands
// to). The rowid range lets FTS5 skip the rest; `+rowid IN` only filters.
constexpr const char* kSnippetSql =
    "SELECT rowid, newsmirror_snippet(article_fts, ?2, ?3, 0, ?7) FROM article_fts"
    " WHERE article_fts MATCH ?1 AND rowid BETWEEN ?4 AND ?5 AND +rowid IN (SELECT value FROM json_each(?6))";

}  // namespace

core::Status prepare_connection(Connection& db) {
  // SQLite caps the size at its build's SQLITE_MAX_MMAP_SIZE (2 GB in
  // Debian's); the rest of a larger file is read as before.
  if (auto s = db.exec("PRAGMA mmap_size = 4294967296", "search index: mapping the database"); !s) return s;
  return register_fts5_extensions(db.fts5());
}


namespace {

// FTS5 gathers new terms in memory and writes them out as a segment when
// they pass `hashsize` (default 1 MB) or a transaction ends. At 1 MB an
// import wrote a segment every ~200 articles and spent its time merging
// them; 32 MB makes a segment of each import batch. Stored in the index's
// config table.
core::Status apply_index_settings(Connection& db) {
  return db.exec("INSERT INTO article_fts(article_fts, rank) VALUES('hashsize', 33554432)",
              "search index: configuring");
}

// The body is the first column: FTS5 marks a position list's every column
// but the first with two bytes, and most terms are only in the body. With
// the title first, those marks were a fifth of the index.
constexpr const char* kCreateFtsSql =
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5("
    "  body, title, content='article_text', content_rowid='id', tokenize='newsmirror');";

}  // namespace

core::Status create_search_schema(Connection& db) {
  if (auto s = prepare_connection(db); !s) return s;
  if (auto s = db.exec(
                    "CREATE TABLE IF NOT EXISTS article_text("
                    "  id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL);",
                    "search index: creating its tables");
      !s)
    return s;
  if (auto s = db.exec(kCreateFtsSql, "search index: creating its tables"); !s) return s;
  return apply_index_settings(db);
}

core::Status start_bulk_indexing(Connection& db) {
  // crisismerge: FTS5 merges a level at once when it holds this many
  // segments; 1999 is its largest (FTS5_MAX_SEGMENT - 1).
  return db.exec(
              "INSERT INTO article_fts(article_fts, rank) VALUES('automerge', 0);"
              "INSERT INTO article_fts(article_fts, rank) VALUES('crisismerge', 1999)",
              "search index: starting a bulk load");
}

core::Status finish_bulk_indexing(Connection& db) {
  // FTS5's defaults (automerge 4, crisismerge 16), then one merge of all.
  return db.exec(
              "INSERT INTO article_fts(article_fts, rank) VALUES('automerge', 4);"
              "INSERT INTO article_fts(article_fts, rank) VALUES('crisismerge', 16);"
              "INSERT INTO article_fts(article_fts) VALUES('optimize')",
              "search index: finishing a bulk load");
}

core::Status upgrade_search_index(Connection& db) {
  if (auto s = prepare_connection(db); !s) return s;
  if (auto s = db.exec("DROP TABLE IF EXISTS article_fts", "search index: dropping the old index"); !s) return s;
  if (auto s = db.exec(kCreateFtsSql, "search index: creating the new index"); !s) return s;
  if (auto s = apply_index_settings(db); !s) return s;
  if (auto s = rebuild_search_index(db); !s) return s;
  return optimize_search_index(db);
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

enum IndexSql : std::size_t { kOldText, kForget, kRemove, kStore, kInsert, kIndexSqlCount };

constexpr std::array<const char*, kIndexSqlCount> kIndexSqlText = {
    "SELECT title, body FROM article_text WHERE id = ?1",
    "INSERT INTO article_fts(article_fts, rowid, title, body) VALUES('delete', ?1, ?2, ?3)",
    "DELETE FROM article_text WHERE id = ?1",
    "INSERT INTO article_text(id, title, body) VALUES(?1, ?2, ?3)",
    "INSERT INTO article_fts(rowid, title, body) VALUES(?1, ?2, ?3)",
};

}  // namespace

struct IndexWriter::Statements {
  explicit Statements(Connection& connection) : db(connection) {}
  Connection& db;
  storage::StatementCache<kIndexSqlCount> cache{kIndexSqlText};

  // External-content FTS5 forgets an entry only when told the values it
  // indexed; the stored text gives the same terms.
  core::Status forget_entry(std::int64_t article_id) {
    auto old = cache.query(db, kOldText);
    if (!old) return old.error();
    old->bind(1, article_id);
    auto row = old->step("search index: reading an article's indexed text");
    if (!row || !*row) return row ? core::ok_status() : core::Status(row.error());
    {
      auto forget = cache.query(db, kForget);
      if (!forget) return forget.error();
      forget->bind(1, article_id);
      forget->bind_column(2, *old, 0);
      forget->bind_column(3, *old, 1);
      if (auto s = forget->run("search index: removing an article's terms"); !s) return s;
    }
    auto remove = cache.query(db, kRemove);
    if (!remove) return remove.error();
    remove->bind(1, article_id);
    return remove->run("search index: removing an article's text");
  }
};

IndexWriter::IndexWriter(Connection& db) : statements_(std::make_unique<Statements>(db)) {}
IndexWriter::IndexWriter(IndexWriter&&) noexcept = default;
IndexWriter& IndexWriter::operator=(IndexWriter&&) noexcept = default;
IndexWriter::~IndexWriter() = default;

// All or nothing: alone, a transaction of its own; inside the caller's, no
// savepoint (FTS5, SQLite 3.40, writes its pending terms out as a new
// segment at every SAVEPOINT and RELEASE, which made every article a
// segment of its own and the import spend most of its time merging them),
// and a failure dooms the caller's transaction.
core::Status IndexWriter::index(std::int64_t article_id, std::string_view title, std::string_view body_text,
                                const IndexTerms* terms) {
  Statements& s = *statements_;
  return s.db.atomically([&]() -> core::Status {
    if (auto status = s.forget_entry(article_id); !status) return status;
    std::string title_copy, body_copy;
    const std::string_view stored_title = storable(title, title_copy);
    const std::string_view stored_body = storable(body_text, body_copy);
    {
      auto store = s.cache.query(s.db, kStore);
      if (!store) return store.error();
      store->bind(1, article_id);
      store->bind_borrowed(2, stored_title);
      store->bind_borrowed(3, stored_body);
      if (auto status = store->run("search index: storing an article's text"); !status) return status;
    }
    auto insert = s.cache.query(s.db, kInsert);
    if (!insert) return insert.error();
    insert->bind(1, article_id);
    insert->bind_borrowed(2, terms ? std::string_view(terms->title) : stored_title);
    insert->bind_borrowed(3, terms ? std::string_view(terms->body) : stored_body);
    return insert->run("search index: indexing an article");
  });
}

core::Status IndexWriter::unindex(std::int64_t article_id) {
  return statements_->db.atomically([&] { return statements_->forget_entry(article_id); });
}

core::Status index_article(Connection& db, std::int64_t article_id, std::string_view title,
                           std::string_view body_text) {
  return IndexWriter(db).index(article_id, title, body_text);
}

core::Status unindex_article(Connection& db, std::int64_t article_id) { return IndexWriter(db).unindex(article_id); }

core::Status rebuild_search_index(Connection& db) {
  return db.exec("INSERT INTO article_fts(article_fts) VALUES('rebuild')", "search index: rebuilding");
}

core::Status check_search_index(Connection& db) {
  return db.exec("INSERT INTO article_fts(article_fts, rank) VALUES('integrity-check', 1)",
                 "search index: integrity check");
}

core::Status optimize_search_index(Connection& db) {
  return db.exec("INSERT INTO article_fts(article_fts) VALUES('optimize')", "search index: optimizing");
}

namespace {

void bind_filters(Query& q, const SearchQuery& query, const ParsedQuery& parsed) {
  q.bind(1, std::string_view(parsed.match));
  if (query.site) q.bind(2, std::string_view(*query.site));
  if (parsed.site) q.bind(3, std::string_view(*parsed.site));
  q.bind(4, query.since);
  q.bind(5, query.until);
}

SearchHit read_hit(const Query& q) {
  SearchHit hit;
  hit.article_id = q.integer(0);
  hit.site = q.text(1);
  hit.file = q.text(2);
  hit.title = q.text(3);
  hit.link = q.optional_text(4);
  if (!q.is_null(5)) hit.published = q.integer(5);
  hit.score = -q.real(6);
  return hit;
}

// The matches not among the ranked candidates: the ones older than the
// oldest candidate (all of them when the page was empty), up to
// query.count_limit.
core::Result<std::int64_t> count_older_matches(Connection& db, const SearchQuery& query, const ParsedQuery& parsed,
                                               std::int64_t below) {
  const bool filtered = query.site || parsed.site || query.since || query.until;
  auto counted = db.query(filtered ? kFilteredCountSql : kCountSql, "search: counting matches");
  if (!counted) return counted.error();
  if (filtered) bind_filters(**counted, query, parsed);
  else (*counted)->bind(1, std::string_view(parsed.match));
  (*counted)->bind(6, below);
  (*counted)->bind(7, std::max<std::int64_t>(query.count_limit, 0));
  auto row = (*counted)->step("search: counting matches");
  if (!row) return row.error();
  return *row ? (*counted)->integer(0) : 0;
}

core::Status add_snippets(Connection& db, const SearchQuery& query, const ParsedQuery& parsed,
                          std::vector<SearchHit>& hits) {
  auto snippets = db.query(kSnippetSql, "search: making snippets");
  if (!snippets) return snippets.error();
  Query& n = **snippets;
  std::int64_t low = hits.front().article_id, high = low;
  std::string ids = "[";
  for (const SearchHit& hit : hits) {
    low = std::min(low, hit.article_id);
    high = std::max(high, hit.article_id);
    ids += (ids.size() > 1 ? "," : "") + std::to_string(hit.article_id);
  }
  ids += "]";
  n.bind(1, std::string_view(parsed.match));
  n.bind(2, std::string_view(query.highlight_open));
  n.bind(3, std::string_view(query.highlight_close));
  n.bind(4, low);
  n.bind(5, high);
  n.bind(6, std::string_view(ids));
  std::string tails;
  for (int tail : parsed.phrase_tails) {
    if (!tails.empty()) tails += ',';
    tails += std::to_string(tail);
  }
  n.bind(7, std::string_view(tails));
  std::unordered_map<std::int64_t, std::string> by_id;
  for (;;) {
    auto row = n.step("search: making snippets");
    if (!row) return row.error();
    if (!*row) break;
    by_id[n.integer(0)] = n.text(1);
  }
  for (SearchHit& hit : hits)
    if (auto it = by_id.find(hit.article_id); it != by_id.end()) hit.snippet = std::move(it->second);
  return core::ok_status();
}

}  // namespace

core::Result<SearchResults> search(Connection& db, const SearchQuery& query) {
  if (query.limit < 0 || query.offset < 0)
    return core::Error(core::ErrorKind::usage, "search: limit and offset must not be negative");
  auto parsed = parse_query(query.text);
  if (!parsed) return parsed.error();

  const std::string context = "search: running \"" + query.text + "\"";
  auto ranked = db.query(kSearchSql, context);
  if (!ranked) return ranked.error();
  Query& q = **ranked;
  bind_filters(q, query, *parsed);
  q.bind(6, std::int64_t{query.limit});
  q.bind(7, std::int64_t{query.offset});
  const std::int64_t candidate_limit = std::max<std::int64_t>(kRankedCandidates, std::int64_t{query.offset} + query.limit);
  q.bind(8, candidate_limit);

  SearchResults results;
  std::int64_t candidates = -1;  // unknown when the page is empty
  std::int64_t oldest_candidate = 0;
  for (;;) {
    auto row = q.step(context);
    if (!row) return row.error();
    if (!*row) break;
    results.hits.push_back(read_hit(q));
    candidates = q.integer(7);
    oldest_candidate = q.integer(8);
  }

  if (candidates >= 0 && candidates < candidate_limit) {
    results.total = candidates;  // every match was a candidate
  } else {
    // An empty page (an offset past the end) says nothing: count them all.
    const bool known = candidates >= 0;
    auto older = count_older_matches(db, query, *parsed,
                                     known ? oldest_candidate : std::numeric_limits<std::int64_t>::max());
    if (!older) return older.error();
    results.total = (known ? candidates : 0) + *older;
    results.total_exact = *older < query.count_limit;
  }

  if (results.hits.empty()) return results;
  if (auto s = add_snippets(db, query, *parsed, results.hits); !s) return s.error();
  return results;
}

}  // namespace newsmirror::search
