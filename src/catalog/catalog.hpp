// The catalog makes the archive searchable and historical: one row per
// article file with what the Markdown cannot hold (identity, first and
// last seen, language, content hash), every version of every article
// (compressed HTML), and the full-text index.
//
// Kept apart from the state (state/state_db.hpp) on purpose: the catalog
// can be rebuilt from the Markdown files at any time (`newsmirror
// reindex`; only the earlier versions of edited articles live nowhere
// else), while the state (counters, identities, validators, health)
// cannot. A damaged or deleted catalog must never put the state at risk.
//
// Catalog is the interface the rest of the program uses; an engine
// implements it. The one engine today is SQLite (catalog/sqlite_catalog.hpp:
// `.newsmirror/catalog.db` with the FTS5 index of search/search_index.hpp,
// schema versions migrated forward on open). The contract is Catalog's
// comments; tests/catalog pins it.
//
// Content hash: SHA-256 of the HTML as the article file holds it (every
// line trimmed and joined, archive::flatten_html), so that a version equals
// its file and re-serializing never counts as an edit. The mirror passes
// HTML that is already cleaned, so a rotating ad slot is not an edit.
//
// Errors: calls returning Result/Status report failures as
// ErrorKind::database with context; the plain-value queries throw
// storage::DatabaseError (a failing read of a database that opened fine is
// corruption or a dying disk, which `main` reports).
//
// Thread-safety: a Catalog is NOT thread-safe; use one per thread.
// prepare_article() is a free function and may run on any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/feed.hpp"
#include "core/read_file.hpp"
#include "core/result.hpp"
#include "search/search_query.hpp"
#include "search/tokenizer.hpp"
#include "storage/database_error.hpp"

namespace newsmirror::catalog {

inline constexpr int kSchemaVersion = 6;

using ArticleId = std::int64_t;

// Size and modification time of an article file when it was cataloged: an
// import skips a file whose stamp is unchanged without reading it.
using FileStamp = core::FileStamp;

struct Article {
  ArticleId id = 0;
  std::string site;                      // the site folder's name (articles/<site>)
  std::string file;                      // relative to the mirror: articles/<site>/<name>
  std::optional<std::uint64_t> number;   // N of `<N>_<title>.md`
  std::string identity;                  // the mirror's identity key
  std::string title;
  std::string link;
  std::optional<core::TimePoint> published;  // absent when the file has no time line
  core::TimePoint first_seen{};
  core::TimePoint last_seen{};
  std::string language;                  // zh-Hans, zh-Hant, en, und (language.hpp)
  std::string content_hash;              // of the current version
  std::int64_t current_version = 0;      // Version::id
};

struct Version {
  std::int64_t id = 0;
  int ordinal = 0;             // 1 for the first version of its article
  core::TimePoint fetched_at{};
  std::string content_hash;
  std::size_t size = 0;        // bytes of HTML
  std::size_t stored_size = 0; // bytes in the database (compressed)
  std::optional<std::string> title;  // absent for versions stored before titles were kept
};

// Where a catalog's history stands. Articles are only ever added and given
// new versions, and ids only grow, so a later mark tells what changed in
// between (Catalog::listed_changed_since). `catalog` is made at random with
// the catalog: a rebuilt one (reindex) has another, and the ids of a mark
// of the old one mean nothing to it.
struct ChangeMark {
  std::string catalog;
  ArticleId last_article = 0;
  std::int64_t last_version = 0;  // Version::id

  bool operator==(const ChangeMark&) const = default;
};

// An article about to be cataloged, as the mirror (or the import) has it.
struct NewArticle {
  std::string site;
  std::string file;
  std::optional<std::uint64_t> number;
  std::string identity;
  std::string title;
  std::string link;
  std::optional<core::TimePoint> published;
  std::string html;
  core::TimePoint fetched_at{};   // first seen, and the first version's time
  std::optional<FileStamp> stamp;
};

// A NewArticle with the costly work done (visible text, hash, language,
// compression): made on worker threads, written by the one writer.
struct PreparedArticle {
  NewArticle article;
  std::string visible_text;
  std::string content_hash;
  std::string language;
  std::string html_encoding;
  std::string stored_html;
  std::size_t html_size = 0;
  // The title's and visible text's search terms, worked out here so that
  // the writer only stores them.
  search::IndexTerms index_terms;
};

// Thread-safe.
PreparedArticle prepare_article(NewArticle article);
// The content hash of `html` (see the header comment).
std::string content_hash(std::string_view html);

// What a connection is mostly for. A writer (a cycle, an import) keeps much
// of the database in a cache of its own; a reader (the server's pooled
// connections, a site build's) keeps little: the kernel's page cache
// serves it as well, and every connection's cache is memory the process
// holds (the server's peak at a million articles).
enum class CatalogUse { writing, reading };

class Catalog {
 public:
  // Opens the catalog of the mirror in `mirror_dir`, creating and migrating
  // it. The engine is SQLite, `.newsmirror/catalog.db`
  // (catalog/sqlite_catalog.hpp); a second engine is chosen here. Either
  // use may read and write.
  static core::Result<std::unique_ptr<Catalog>> open(const std::filesystem::path& mirror_dir,
                                                     CatalogUse use = CatalogUse::writing);

  Catalog() = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;
  virtual ~Catalog() = default;

  // --- for the mirror cycle ---
  // A new article file: its row, its first version and its index entry,
  // in one transaction. A file already cataloged is ErrorKind::database.
  core::Result<ArticleId> record_new_article(const NewArticle& article);
  virtual core::Result<ArticleId> record_prepared(const PreparedArticle& article) = 0;
  // The article was in a feed again (unchanged): last_seen = when.
  virtual core::Status record_seen(ArticleId article, core::TimePoint when) = 0;
  // The article as fetched at `fetched_at`. Returns true when its content
  // or its title (when given) differs from the current version: then a new
  // version is stored, the article's hash, current version, title and
  // index follow it. Returns false otherwise (last_seen is updated).
  core::Result<bool> record_version(ArticleId article, std::string_view html,
                                    core::TimePoint fetched_at,
                                    std::optional<std::string_view> title = std::nullopt);
  // The same with the work done beforehand (import of an edited file).
  virtual core::Result<bool> record_prepared_version(ArticleId article, const PreparedArticle& version) = 0;

  // --- lookups ---
  virtual std::optional<Article> find(ArticleId id) = 0;
  virtual std::optional<Article> find_by_file(std::string_view file) = 0;
  virtual std::optional<Article> find_by_identity(std::string_view identity) = 0;
  // Every article of `site` numbered `number` (old mirrors reuse numbers).
  virtual std::vector<Article> find_by_number(std::string_view site, std::uint64_t number) = 0;
  virtual std::vector<Article> find_by_link(std::string_view link) = 0;
  // Whether `site` has the article `identity` with current content hash
  // `hash`. (The content alone does not make an article: feeds give many
  // different items the same short body.)
  virtual bool has_content(std::string_view site, std::string_view identity, std::string_view hash) = 0;
  // File names of a site's articles (for "did you mean").
  virtual std::vector<std::string> files_of_site(std::string_view site) = 0;
  virtual std::vector<std::string> sites() = 0;
  virtual std::size_t article_count() = 0;
  // Every article, in id order (the static site lists them all; about 60 ms
  // for 100,000 articles).
  virtual std::vector<Article> all_articles() = 0;
  // Every article in id order, handed to `visit` one at a time (the same
  // object, refilled), without identity, content_hash and last_seen (left
  // empty): what a listing of the whole archive (the site model) reads, in
  // memory that does not grow with the catalog. Ask find() for the rest.
  virtual void each_listed_article(const std::function<void(const Article&)>& visit) = 0;
  // Up to `limit` articles with ids above `after`, in id order: the whole
  // catalog a page at a time, in bounded memory.
  virtual std::vector<Article> articles_after(ArticleId after, std::size_t limit) = 0;
  // Article -> number of versions, for the articles edited at least once.
  virtual std::unordered_map<ArticleId, int> version_counts() = 0;

  // --- what changed (an incremental site build), without reading it all ---
  // Rows are the listing's, as each_listed_article gives them; "listed
  // time" is published, else first seen.
  virtual ChangeMark change_mark() = 0;
  // The articles added or given a new version after `since` (a mark of
  // this catalog), in id order.
  virtual std::vector<Article> listed_changed_since(const ChangeMark& since) = 0;
  // The articles of `site` listed at a time in [from, until), in id order.
  virtual std::vector<Article> listed_between(std::string_view site, core::TimePoint from,
                                              core::TimePoint until) = 0;
  // The `count` newest articles of `site`: listed time, then number, then
  // id, descending (the site's lists' order).
  virtual std::vector<Article> listed_newest(std::string_view site, std::size_t count) = 0;
  // The articles with ids in [first, last], in id order.
  virtual std::vector<Article> listed_by_id(ArticleId first, ArticleId last) = 0;
  // How many versions `article` has (0 for no such article).
  virtual int version_count(ArticleId article) = 0;

  // Oldest first.
  virtual std::vector<Version> versions(ArticleId article) = 0;
  // The HTML of one version (Version::id).
  virtual core::Result<std::string> version_html(std::int64_t version_id) = 0;

  // file -> (id, stamp) for every article, for the import's skip test.
  virtual std::unordered_map<std::string, std::pair<ArticleId, FileStamp>> file_stamps() = 0;
  virtual core::Status set_stamp(ArticleId article, const FileStamp& stamp) = 0;

  // Runs `body` in one transaction: committed when it returns ok, rolled
  // back otherwise. Nests (savepoints). A record_* call that fails inside
  // it makes it roll back even if `body` goes on and returns ok.
  virtual core::Status transaction(const std::function<core::Status()>& body) = 0;

  // --- filling an empty catalog (a first import, reindex) ---
  // For writing many articles into an EMPTY catalog at once, as fast as the
  // engine can take them, this connection holding the catalog alone (others
  // wait or time out) until end_bulk_load(). A load interrupted half-way
  // leaves a catalog that the next open() finds empty again (it was empty
  // before, and the article files are the record). Returns false, changing
  // nothing, when the catalog is not empty, is inside a transaction, or
  // another connection has it open.
  virtual core::Result<bool> begin_bulk_load() = 0;
  // Back to shared access with everything on disk and the index whole. On
  // failure the catalog stays one that open() empties.
  virtual core::Status end_bulk_load() = 0;
  virtual bool bulk_loading() const = 0;

  virtual int schema_version() = 0;
  // Changes whenever another connection (another process's `run`,
  // `import`) committed to the catalog since the last call: the cheap way
  // for a long-lived reader to know its view is stale.
  virtual core::Result<std::int64_t> data_version() = 0;

  // The full-text search over this catalog (search::search describes the
  // query and the ranking).
  virtual core::Result<search::SearchResults> search(const search::SearchQuery& query) = 0;
  // The engine's own check that the index matches the stored text.
  virtual core::Status check_search_index() = 0;
};

// A search that opens the mirror's catalog read-only (never creating it,
// never migrating it) for this one query: `newsmirror search`.
core::Result<search::SearchResults> search_catalog(const std::filesystem::path& mirror_dir,
                                                   const search::SearchQuery& query);

}  // namespace newsmirror::catalog
