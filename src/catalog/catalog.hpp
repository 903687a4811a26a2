// The catalog: `.newsmirror/catalog.db`, an SQLite database (WAL) that makes
// the archive searchable and historical — one row per article file with
// what the Markdown cannot hold (identity, first and last seen, language,
// content hash), every version of every article (compressed HTML), and the
// full-text index (search/search_index.hpp, same database).
//
// Kept apart from `.newsmirror/state.db` on purpose: the catalog can be
// rebuilt from the Markdown files at any time (`newsmirror reindex`; only
// the earlier versions of edited articles live nowhere else), while the
// state (sequence counter, identities, validators, health) cannot. A
// damaged or deleted catalog must never put the state at risk, and a
// rebuild swaps a whole new file in.
//
// Schema versions are kept in PRAGMA user_version and migrated forward
// automatically on open (catalog.cpp lists the versions).
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
#include "core/result.hpp"
#include "search/search_index.hpp"
#include "storage/database_error.hpp"

namespace newsmirror::catalog {

inline constexpr int kSchemaVersion = 4;

using ArticleId = std::int64_t;

// Size and modification time of an article file when it was cataloged: an
// import skips a file whose stamp is unchanged without reading it.
struct FileStamp {
  std::int64_t size = -1;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

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

class Catalog {
 public:
  // Opens `mirror_dir/.newsmirror/catalog.db`, creating and migrating it.
  static core::Result<Catalog> open(const std::filesystem::path& mirror_dir);
  // Same, for a database file anywhere (reindex builds a fresh one).
  static core::Result<Catalog> open_file(const std::filesystem::path& db_file);
  static std::filesystem::path default_path(const std::filesystem::path& mirror_dir);

  Catalog(Catalog&&) noexcept;
  Catalog& operator=(Catalog&&) noexcept;
  ~Catalog();

  // --- for the mirror cycle ---
  // A new article file: its row, its first version and its index entry,
  // in one transaction. A file already cataloged is ErrorKind::database.
  core::Result<ArticleId> record_new_article(const NewArticle& article);
  core::Result<ArticleId> record_prepared(const PreparedArticle& article);
  // The article was in a feed again (unchanged): last_seen = when.
  core::Status record_seen(ArticleId article, core::TimePoint when);
  // The article as fetched at `fetched_at`. Returns true when its content
  // or its title (when given) differs from the current version: then a new
  // version is stored, the article's hash, current version, title and
  // index follow it. Returns false otherwise (last_seen is updated).
  core::Result<bool> record_version(ArticleId article, std::string_view html,
                                    core::TimePoint fetched_at,
                                    std::optional<std::string_view> title = std::nullopt);
  // The same with the work done beforehand (import of an edited file).
  core::Result<bool> record_prepared_version(ArticleId article, const PreparedArticle& version);

  // --- lookups ---
  std::optional<Article> find(ArticleId id);
  std::optional<Article> find_by_file(std::string_view file);
  std::optional<Article> find_by_identity(std::string_view identity);
  // Every article of `site` numbered `number` (old mirrors reuse numbers).
  std::vector<Article> find_by_number(std::string_view site, std::uint64_t number);
  std::vector<Article> find_by_link(std::string_view link);
  // Whether `site` has the article `identity` with current content hash
  // `hash`. (The content alone does not make an article: feeds give many
  // different items the same short body.)
  bool has_content(std::string_view site, std::string_view identity, std::string_view hash);
  // File names of a site's articles (for "did you mean").
  std::vector<std::string> files_of_site(std::string_view site);
  std::vector<std::string> sites();
  std::size_t article_count();
  // Every article, in id order (the static site lists them all; about 60 ms
  // for 100,000 articles).
  std::vector<Article> all_articles();
  // Article -> number of versions, for the articles edited at least once.
  std::unordered_map<ArticleId, int> version_counts();

  // Oldest first.
  std::vector<Version> versions(ArticleId article);
  // The HTML of one version (Version::id).
  core::Result<std::string> version_html(std::int64_t version_id);

  // file -> (id, stamp) for every article, for the import's skip test.
  std::unordered_map<std::string, std::pair<ArticleId, FileStamp>> file_stamps();
  core::Status set_stamp(ArticleId article, const FileStamp& stamp);

  // Runs `body` in one transaction: committed when it returns ok, rolled
  // back otherwise. Nests (savepoints). A record_* call that fails inside
  // it makes it roll back even if `body` goes on and returns ok.
  core::Status transaction(const std::function<core::Status()>& body);

  // --- filling an empty catalog (a first import, reindex) ---
  // For writing many articles into an EMPTY catalog at once: no journal
  // and no syncs, this connection holding the database alone (others wait
  // or time out), and the search index's segments merged once at the end
  // instead of as they come. A marker file beside the database
  // (`<db>.loading`, locked while the load lives) stands for the load until
  // end_bulk_load(): a catalog found with a marker nobody holds was
  // interrupted half-filled, and open() empties it (it was empty before,
  // and the article files are the record). Returns false, changing
  // nothing, when the catalog is not empty, is inside a transaction, or
  // another connection has it open.
  core::Result<bool> begin_bulk_load();
  // Back to WAL and shared access, the search index merged, everything on
  // disk, the marker gone. On failure the marker stays (see above).
  core::Status end_bulk_load();
  bool bulk_loading() const;

  // Moves everything written so far out of the WAL into the database file
  // and makes it one file again (before reindex renames it into place).
  core::Status checkpoint_and_close_wal();

  int schema_version();
  std::string journal_mode();
  const std::filesystem::path& file() const;
  // SQLite's data_version: changes whenever another connection (another
  // process's `run`, `import`) committed to the catalog since the last
  // call. The cheap way for a long-lived reader to know its view is stale.
  core::Result<std::int64_t> data_version();

  // The full-text search over this catalog (search::search describes the
  // query and the ranking).
  core::Result<search::SearchResults> search(const search::SearchQuery& query);
  // FTS5's own check that the index matches the stored text.
  core::Status check_search_index();

 private:
  struct Impl;
  explicit Catalog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A search that opens the catalog file `db_file` read-only (never creating
// it, never migrating it) for this one query: `newsmirror search`.
core::Result<search::SearchResults> search_catalog(const std::filesystem::path& db_file,
                                                   const search::SearchQuery& query);

}  // namespace newsmirror::catalog
