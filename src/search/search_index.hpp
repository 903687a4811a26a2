// The catalog's full-text search: an SQLite FTS5 index over the articles'
// titles and visible body text, with a tokenizer of our own that folds
// width, case and Traditional/Simplified Chinese and indexes CJK text as
// overlapping character bigrams (see tokenizer.hpp).
//
// Schema (created by create_search_schema, next to the catalog's tables):
//
//   article_text(id INTEGER PRIMARY KEY,   -- = articles.id
//                title TEXT NOT NULL, body TEXT NOT NULL)
//   article_fts  FTS5(body, title, content='article_text',
//                     content_rowid='id', tokenize='newsmirror')
//
// The FTS5 table is external-content: the text lives once, in
// article_text (snippets need it), and the index holds only tokens and
// positions. SQLite 3.40 (Debian 12) has no contentless-delete, so an
// update deletes the old entry with the old text before inserting the new
// one. index_article and unindex_article do all or nothing: alone in a
// transaction of their own, or inside the caller's, which must then be
// rolled back when they fail (no savepoint: FTS5 writes its pending terms
// out as a segment at every savepoint). Nothing else may write to these
// two tables.
//
// The search joins article_fts with the catalog's
//   articles(id INTEGER PRIMARY KEY, site TEXT NOT NULL, file TEXT NOT NULL,
//            title TEXT NOT NULL, link TEXT, published INTEGER, ...)
// (owned by the catalog) for the site and date filters and the fields of a
// hit; an indexed id with no articles row is never returned.
//
// Every connection that reads or writes article_fts must first call
// prepare_connection (create_search_schema does it for its connection).
// The connections are the catalog's (catalog::Catalog owns them and the
// articles table); nothing above the catalog calls these functions.
// Thread-safety: the functions are as thread-safe as the connection passed
// in (one connection per thread); the tokenizer's shared tables are
// immutable once built.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "search/search_query.hpp"
#include "search/tokenizer.hpp"

namespace newsmirror::storage {
class Connection;
}

namespace newsmirror::search {

// Readies a connection for the index: registers the "newsmirror" FTS5
// tokenizer and functions (a no-op if they already are), and has SQLite
// read the file through a memory map: a search reads scattered pages of
// the index and of the articles, and a read() for each was a third of a
// median query's time over 200,000 articles. Fails only when SQLite lacks
// FTS5.
core::Status prepare_connection(storage::Connection& db);

// Registers the tokenizer and creates article_text and article_fts if they
// do not exist. Call inside the catalog's migration transaction or alone.
core::Status create_search_schema(storage::Connection& db);

// Indexes (or re-indexes, replacing an earlier entry) one article.
// `body_text` is the visible text (plain_text.hpp visible_text), not HTML.
core::Status index_article(storage::Connection& db, std::int64_t article_id, std::string_view title,
                           std::string_view body_text);

// Removes an article from the index; a no-op for an id that is not indexed.
core::Status unindex_article(storage::Connection& db, std::int64_t article_id);

// Writes articles into the index on one connection, keeping its statements
// prepared (index_article and unindex_article prepare theirs on every
// call). Borrows `db`, which must outlive it. Not thread-safe.
class IndexWriter {
 public:
  explicit IndexWriter(storage::Connection& db);
  IndexWriter(IndexWriter&&) noexcept;
  IndexWriter& operator=(IndexWriter&&) noexcept;
  ~IndexWriter();

  // As index_article. With `terms` (index_terms(title, body_text)), the
  // terms are not worked out again; the index is the same either way.
  core::Status index(std::int64_t article_id, std::string_view title, std::string_view body_text,
                     const IndexTerms* terms = nullptr);
  // As unindex_article.
  core::Status unindex(std::int64_t article_id);

 private:
  struct Statements;
  std::unique_ptr<Statements> statements_;
};

// Rebuilds the FTS5 index from article_text (after a tokenizer change).
core::Status rebuild_search_index(storage::Connection& db);

// Filling an index with many articles at once: FTS5 normally merges the
// segments it writes as it goes (automerge), which rewrote each term about
// three times over an import of 100,000 articles. Between these two
// calls segments are only written; finish_bulk_indexing merges them all
// once, into one segment (also the smallest and fastest to search), and
// restores FTS5's defaults. Either may run inside the caller's transaction.
core::Status start_bulk_indexing(storage::Connection& db);
core::Status finish_bulk_indexing(storage::Connection& db);

// Brings an index made by an earlier version up to date: drops it and
// makes it anew from article_text, with the columns and settings
// create_search_schema gives, every article re-tokenized (slow: about
// 0.3 ms an article), and merged. For the catalog's schema migrations.
core::Status upgrade_search_index(storage::Connection& db);

// Merges the index's segments into one: worth it after a bulk import or
// reindex (measured: the index shrinks by about 8%, queries read less).
core::Status optimize_search_index(storage::Connection& db);
// FTS5's own integrity check of the index against the text it indexes
// (`newsmirror check`): an error (database) names what SQLite found.
core::Status check_search_index(storage::Connection& db);

// Runs a query. Hits are ordered by BM25 (title weighted 10:1 over body),
// near-ties by published date, newest first. When more than 2,000 articles
// match (or offset + limit, if larger), the ranking is over the 2,000 most
// recently cataloged of them: scoring every match of a common word took
// 80 ms in 100,000 articles. `total` counts them all. A query without any word to
// look for (empty, only punctuation, only exclusions) is a usage error.
core::Result<SearchResults> search(storage::Connection& db, const SearchQuery& query);

}  // namespace newsmirror::search
