// The catalog database. Schema (PRAGMA user_version):
//
//   v1  articles(id INTEGER PRIMARY KEY, site, file UNIQUE, number, identity,
//                title, link, published ms|NULL, first_seen ms, last_seen ms,
//                language, content_hash, current_version -> versions.id,
//                file_size, file_mtime ns)     -- one row per article file
//       versions(id INTEGER PRIMARY KEY, article -> articles.id, fetched_at
//                ms, content_hash, size, encoding 'zstd'|'zlib'|'plain', html
//                BLOB)  -- 'zlib' only in catalogs written before zstd
//       + the search module's article_text and article_fts
//   v2  the same tables; article_fts rebuilt for the search tokenizer's
//       second version (dictionary words in a text's first characters)
//   v3  article_fts made anew as (body, title), for the tokenizer's third
//       version (single characters where a query needs them, script boundaries)
//   v4  versions += title (NULL for versions stored before): a new title is
//       a new version
//
// Migrations only ever append: a database at version N runs the steps
// N+1..kSchemaVersion, each in the same transaction as its user_version
// bump, so an interrupted migration is simply run again.
#include "catalog/catalog.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "archive/article_file.hpp"
#include "catalog/compression.hpp"
#include "catalog/language.hpp"
#include "core/hash.hpp"
#include "search/plain_text.hpp"
#include "search/search_index.hpp"
#include "search/tokenizer.hpp"

namespace newsmirror::catalog {

namespace {

using core::Error;
using core::ErrorKind;

Error error_from_sqlite(sqlite3* db, int code, std::string_view context) {
  const char* detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return Error(ErrorKind::database,
               fmt::format("catalog database: {}: {} (sqlite error {})", context, detail, code));
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;

struct FinalizeStatement {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// One use of a cached statement: binds by position (1-based), reads
// columns, and resets the statement when the use ends however it ends.
class Use {
 public:
  explicit Use(sqlite3_stmt* s) : s_(s) {}
  ~Use() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  void bind(int i, std::string_view text) {
    sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int i, std::string_view bytes) {
    sqlite3_bind_blob(s_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, std::int64_t value) { sqlite3_bind_int64(s_, i, value); }
  void bind_null(int i) { sqlite3_bind_null(s_, i); }
  void bind(int i, std::optional<core::TimePoint> time) {
    if (time) bind(i, static_cast<std::int64_t>(time->time_since_epoch().count()));
    else bind_null(i);
  }
  int step() { return sqlite3_step(s_); }

  std::string text(int column) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, column))) : std::string();
  }
  std::string blob(int column) const {
    auto p = static_cast<const char*>(sqlite3_column_blob(s_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, column))) : std::string();
  }
  bool is_null(int column) const { return sqlite3_column_type(s_, column) == SQLITE_NULL; }
  std::int64_t integer(int column) const { return sqlite3_column_int64(s_, column); }
  core::TimePoint time(int column) const {
    return core::TimePoint(std::chrono::milliseconds(integer(column)));
  }

 private:
  sqlite3_stmt* s_;
};

enum Sql : std::size_t {
  kInsertArticle,
  kInsertVersion,
  kSetCurrent,
  kSeen,
  kFind,
  kFindFile,
  kFindIdentity,
  kFindNumber,
  kFindLink,
  kHasContent,
  kFilesOfSite,
  kSites,
  kCount,
  kVersions,
  kVersionHtml,
  kStamps,
  kSetStamp,
  kAllArticles,
  kVersionCounts,
  kBegin,
  kCommit,
  kSavepoint,
  kRelease,
  kStatementCount,
};

#define ARTICLE_COLUMNS                                                                     \
  "id, site, file, number, identity, title, link, published, first_seen, last_seen, language," \
  " content_hash, current_version"

constexpr std::array<const char*, kStatementCount> kSqlText = {
    // kInsertArticle
    "INSERT INTO articles(site, file, number, identity, title, link, published, first_seen,"
    " last_seen, language, content_hash, file_size, file_mtime)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12)",
    // kInsertVersion
    "INSERT INTO versions(article, fetched_at, content_hash, size, encoding, html, title)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    // kSetCurrent
    "UPDATE articles SET current_version = ?2, content_hash = ?3, last_seen = max(last_seen, ?4),"
    " language = ?5, title = coalesce(?6, title) WHERE id = ?1",
    // kSeen
    "UPDATE articles SET last_seen = max(last_seen, ?2) WHERE id = ?1",
    // kFind
    "SELECT " ARTICLE_COLUMNS " FROM articles WHERE id = ?1",
    // kFindFile
    "SELECT " ARTICLE_COLUMNS " FROM articles WHERE file = ?1",
    // kFindIdentity
    "SELECT " ARTICLE_COLUMNS " FROM articles WHERE identity = ?1 ORDER BY id LIMIT 1",
    // kFindNumber
    "SELECT " ARTICLE_COLUMNS " FROM articles WHERE site = ?1 AND number = ?2 ORDER BY id",
    // kFindLink
    "SELECT " ARTICLE_COLUMNS " FROM articles WHERE link = ?1 ORDER BY id",
    // kHasContent
    "SELECT 1 FROM articles WHERE identity = ?3 AND content_hash = ?2 AND site = ?1 LIMIT 1",
    // kFilesOfSite
    "SELECT file FROM articles WHERE site = ?1",
    // kSites
    "SELECT DISTINCT site FROM articles ORDER BY site",
    // kCount
    "SELECT count(*) FROM articles",
    // kVersions
    "SELECT id, fetched_at, content_hash, size, length(html), title FROM versions WHERE article = ?1"
    " ORDER BY id",
    // kVersionHtml
    "SELECT encoding, html, size FROM versions WHERE id = ?1",
    // kStamps
    "SELECT file, id, file_size, file_mtime FROM articles",
    // kSetStamp
    "UPDATE articles SET file_size = ?2, file_mtime = ?3 WHERE id = ?1",
    // kAllArticles
    "SELECT " ARTICLE_COLUMNS " FROM articles ORDER BY id",
    // kVersionCounts
    "SELECT article, count(*) FROM versions GROUP BY article HAVING count(*) > 1",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "SAVEPOINT nested",
    "RELEASE nested",
};

constexpr const char* kSchemaV1 =
    "CREATE TABLE articles("
    "  id INTEGER PRIMARY KEY,"
    "  site TEXT NOT NULL,"
    "  file TEXT NOT NULL UNIQUE,"
    "  number INTEGER,"
    "  identity TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  link TEXT,"
    "  published INTEGER,"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  language TEXT NOT NULL,"
    "  content_hash TEXT NOT NULL,"
    "  current_version INTEGER,"
    "  file_size INTEGER,"
    "  file_mtime INTEGER"
    ");"
    "CREATE INDEX articles_by_identity ON articles(identity);"
    "CREATE INDEX articles_by_number ON articles(site, number);"
    "CREATE INDEX articles_by_link ON articles(link);"
    "CREATE INDEX articles_by_content ON articles(content_hash);"
    "CREATE TABLE versions("
    "  id INTEGER PRIMARY KEY,"
    "  article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  fetched_at INTEGER NOT NULL,"
    "  content_hash TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  encoding TEXT NOT NULL,"
    "  html BLOB NOT NULL"
    ");"
    "CREATE INDEX versions_by_article ON versions(article, id);";

// Step i brings the schema from version i to i + 1.
core::Status migrate_to_1(sqlite3* db) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, kSchemaV1, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return Error(ErrorKind::database, "catalog database: creating the schema: " + detail);
  }
  return search::create_search_schema(db);
}

// v2: the tokenizer looked for dictionary words only in the first
// characters of a text (search/tokenizer.hpp): the index was rebuilt,
// since an entry must be deleted with the very terms it was made of. Now
// a no-op: v3 makes the index anew, and doing it twice would only cost.
core::Status migrate_to_2(sqlite3*) { return core::ok_status(); }

// v3: single characters are indexed too, and the body became the first
// column (search/search_index.cpp): the index is made anew.
core::Status migrate_to_3(sqlite3* db) {
  // Minutes for a big catalog, on whatever command opened it first: say so
  // (at the default log level), or it looks hung.
  sqlite3_stmt* count = nullptr;
  std::int64_t articles = 0;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM article_text", -1, &count, nullptr) == SQLITE_OK &&
      sqlite3_step(count) == SQLITE_ROW)
    articles = sqlite3_column_int64(count, 0);
  sqlite3_finalize(count);
  if (articles > 1000)
    spdlog::warn("catalog: rebuilding the search index of {} articles for this version of newsmirror, once "
                 "(about a minute per 100,000)",
                 articles);
  return search::upgrade_search_index(db);
}

// Each version keeps its title, so that a story retitled by its publisher
// is a version of its own and `history`/`diff` show the change. Versions
// stored before have none (NULL: not known).
core::Status migrate_to_4(sqlite3* db) {
  // A catalog whose version number was set back (tests do) has it already.
  sqlite3_stmt* probe = nullptr;
  bool present = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('versions') WHERE name = 'title'", -1, &probe,
                         nullptr) == SQLITE_OK)
    present = sqlite3_step(probe) == SQLITE_ROW;
  sqlite3_finalize(probe);
  if (present) return core::ok_status();
  char* message = nullptr;
  int rc = sqlite3_exec(db, "ALTER TABLE versions ADD COLUMN title TEXT;", nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return core::ok_status();
  std::string text = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return Error(ErrorKind::database, "catalog database: adding version titles: " + text);
}

using Migration = core::Status (*)(sqlite3*);
constexpr Migration kMigrations[] = {migrate_to_1, migrate_to_2, migrate_to_3, migrate_to_4};
static_assert(std::size(kMigrations) == kSchemaVersion);

std::int64_t millis(core::TimePoint t) { return t.time_since_epoch().count(); }

Article read_article_row(const Use& s) {
  Article a;
  a.id = s.integer(0);
  a.site = s.text(1);
  a.file = s.text(2);
  if (!s.is_null(3)) a.number = static_cast<std::uint64_t>(s.integer(3));
  a.identity = s.text(4);
  a.title = s.text(5);
  a.link = s.text(6);
  if (!s.is_null(7)) a.published = s.time(7);
  a.first_seen = s.time(8);
  a.last_seen = s.time(9);
  a.language = s.text(10);
  a.content_hash = s.text(11);
  a.current_version = s.integer(12);
  return a;
}

}  // namespace

std::string content_hash(std::string_view html) { return core::sha256_hex(archive::flatten_html(html)); }

PreparedArticle prepare_article(NewArticle article) {
  PreparedArticle p;
  const std::string flat = archive::flatten_html(article.html);
  p.content_hash = core::sha256_hex(flat);
  p.visible_text = search::visible_text(flat);
  p.language = guess_language(article.title + "\n" + p.visible_text.substr(0, 4000));
  auto blob = compress_html(flat);
  p.html_encoding = std::move(blob.encoding);
  p.stored_html = std::move(blob.bytes);
  p.html_size = flat.size();
  p.index_terms = search::index_terms(article.title, p.visible_text);
  article.html.clear();  // kept once, in stored_html
  p.article = std::move(article);
  return p;
}

std::filesystem::path bulk_marker(const std::filesystem::path& db_file) {
  return std::filesystem::path(db_file.string() + ".loading");
}

core::Status sync_path(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Error(ErrorKind::io, fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return Error(ErrorKind::io, fmt::format("{}: cannot sync: {}", path.string(), std::strerror(error)));
  return core::ok_status();
}

// A bulk load that died (its marker is there and nobody holds its lock)
// left a half-filled catalog: it goes, so that open() starts it again.
void discard_interrupted_bulk_load(const std::filesystem::path& db_file) {
  const auto marker = bulk_marker(db_file);
  int fd = ::open(marker.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(db_file.string() + suffix, ec);
    std::filesystem::remove(marker, ec);
  }
  ::close(fd);  // a live load keeps its own lock
}

struct Catalog::Impl {
  DbHandle db;
  std::filesystem::path file;
  std::array<StatementHandle, kStatementCount> statements;
  std::optional<search::IndexWriter> index;  // on `db`
  int depth = 0;
  // Set when a step that took no savepoint of its own failed inside a
  // transaction: the innermost transaction() must roll back.
  std::optional<Error> doomed;
  int bulk_lock = -1;  // the bulk-load marker's descriptor, locked, while loading

  ~Impl() {
    if (bulk_lock >= 0) ::close(bulk_lock);
  }

  std::string pragma_text(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &raw, nullptr) != SQLITE_OK) return {};
    StatementHandle s(raw);
    if (sqlite3_step(raw) != SQLITE_ROW) return {};
    auto text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    return text ? text : "";
  }

  // `body` all or nothing: a transaction of its own when none is open.
  // Inside one, no savepoint: FTS5 (SQLite 3.40) writes its pending terms
  // out as a new segment at every SAVEPOINT and RELEASE, which turned each
  // imported article into a segment to merge. A failure dooms the open
  // transaction instead.
  core::Status atomically(Catalog& catalog, const std::function<core::Status()>& body) {
    if (depth == 0) return catalog.transaction(body);
    auto status = body();
    if (!status) doomed = status.error();
    return status;
  }

  core::Result<sqlite3_stmt*> statement(Sql sql) {
    auto& s = statements[sql];
    if (!s) {
      sqlite3_stmt* raw = nullptr;
      int rc = sqlite3_prepare_v3(db.get(), kSqlText[sql], -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      if (rc != SQLITE_OK) return error_from_sqlite(db.get(), rc, "preparing a statement");
      s.reset(raw);
    }
    return s.get();
  }

  // For plain-value queries: a failing read of a database that opened fine
  // is corruption or a dying disk; main reports the exception.
  sqlite3_stmt* must(Sql sql) {
    auto s = statement(sql);
    if (!s) throw std::runtime_error(s.error().message);
    return *s;
  }
  [[noreturn]] void fail_step(int rc, std::string_view context) {
    throw std::runtime_error(error_from_sqlite(db.get(), rc, context).message);
  }

  core::Status done(int rc, std::string_view context) {
    if (rc != SQLITE_DONE) return error_from_sqlite(db.get(), rc, context);
    return core::ok_status();
  }

  core::Status exec(const char* sql, std::string_view context) {
    int rc = sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return error_from_sqlite(db.get(), rc, context);
    return core::ok_status();
  }
  void exec_ignoring_errors(const char* sql) { sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr); }

  core::Result<std::int64_t> pragma_int(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db.get(), sql, -1, &raw, nullptr);
    if (rc != SQLITE_OK) return error_from_sqlite(db.get(), rc, sql);
    StatementHandle s(raw);
    rc = sqlite3_step(raw);
    if (rc != SQLITE_ROW) return error_from_sqlite(db.get(), rc, sql);
    return sqlite3_column_int64(raw, 0);
  }

  core::Status migrate() {
    auto version = pragma_int("PRAGMA user_version");
    if (!version) return version.error();
    if (*version > kSchemaVersion)
      return Error(ErrorKind::database,
                   fmt::format("{}: catalog schema version {} is newer than this newsmirror understands "
                               "({}); upgrade newsmirror, or rebuild it with `newsmirror reindex`",
                               file.string(), *version, kSchemaVersion));
    for (auto v = *version; v < kSchemaVersion; ++v) {
      if (auto s = exec("BEGIN IMMEDIATE", "starting a migration"); !s) return s;
      auto now = pragma_int("PRAGMA user_version");
      if (!now || *now > v) {  // another process migrated meanwhile
        exec_ignoring_errors("ROLLBACK");
        if (!now) return now.error();
        v = *now - 1;
        continue;
      }
      auto step = kMigrations[v](db.get());
      if (step) {
        // user_version cannot be bound; the number is ours.
        step = exec(fmt::format("PRAGMA user_version = {}", v + 1).c_str(),
                    fmt::format("migrating the catalog to version {}", v + 1));
      }
      if (!step) {
        exec_ignoring_errors("ROLLBACK");
        return step;
      }
      if (auto s = exec("COMMIT", "committing a migration"); !s) return s;
    }
    return core::ok_status();
  }

  core::Result<std::int64_t> insert_version(ArticleId article, const PreparedArticle& p,
                                            core::TimePoint fetched_at) {
    auto st = statement(kInsertVersion);
    if (!st) return st.error();
    Use s(*st);
    s.bind(1, article);
    s.bind(2, millis(fetched_at));
    s.bind(3, p.content_hash);
    s.bind(4, static_cast<std::int64_t>(p.html_size));
    s.bind(5, p.html_encoding);
    s.bind_blob(6, p.stored_html);
    s.bind(7, p.article.title);
    if (auto status = done(s.step(), "storing a version of " + p.article.file); !status) return status.error();
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.get()));
  }

  core::Status set_current(ArticleId article, std::int64_t version, const PreparedArticle& p,
                           core::TimePoint seen, std::optional<std::string_view> title) {
    auto st = statement(kSetCurrent);
    if (!st) return st.error();
    Use s(*st);
    s.bind(1, article);
    s.bind(2, version);
    s.bind(3, p.content_hash);
    s.bind(4, millis(seen));
    s.bind(5, p.language);
    if (title) s.bind(6, *title);
    else s.bind_null(6);
    return done(s.step(), fmt::format("making version {} current", version));
  }

  std::vector<Article> articles(Sql sql, const std::function<void(Use&)>& bind, std::string_view what) {
    Use s(must(sql));
    bind(s);
    std::vector<Article> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_article_row(s));
    if (rc != SQLITE_DONE) fail_step(rc, what);
    return out;
  }
};

Catalog::Catalog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;
Catalog::~Catalog() = default;

std::filesystem::path Catalog::default_path(const std::filesystem::path& mirror_dir) {
  return mirror_dir / ".newsmirror" / "catalog.db";
}

core::Result<Catalog> Catalog::open(const std::filesystem::path& mirror_dir) {
  auto dir = mirror_dir / ".newsmirror";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error(ErrorKind::io, fmt::format("{}: cannot create folder: {}", dir.string(), ec.message()));
  return open_file(default_path(mirror_dir));
}

core::Result<Catalog> Catalog::open_file(const std::filesystem::path& db_file) {
  discard_interrupted_bulk_load(db_file);
  auto impl = std::make_unique<Impl>();
  impl->file = db_file;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_file.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  impl->db.reset(raw);
  if (rc != SQLITE_OK) return error_from_sqlite(raw, rc, fmt::format("opening {}", db_file.string()));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 10000);
  // WAL: search and serve read while a cycle or an import writes. NORMAL
  // is durable across application crashes; the catalog can be rebuilt from
  // the files in any case.
  const char* setup =
      "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
      " PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000;";
  if (auto s = impl->exec(setup, fmt::format("configuring {}", db_file.string())); !s) return s.error();
  if (auto s = search::prepare_connection(raw); !s) return s.error();
  if (auto s = impl->migrate(); !s) return s.error();
  impl->index.emplace(raw);
  return Catalog(std::move(impl));
}

core::Result<ArticleId> Catalog::record_new_article(const NewArticle& article) {
  return record_prepared(prepare_article(article));
}

core::Result<ArticleId> Catalog::record_prepared(const PreparedArticle& p) {
  const auto& a = p.article;
  ArticleId id = 0;
  auto status = impl_->atomically(*this, [&]() -> core::Status {
    auto st = impl_->statement(kInsertArticle);
    if (!st) return st.error();
    {
      Use s(*st);
      s.bind(1, a.site);
      s.bind(2, a.file);
      if (a.number) s.bind(3, static_cast<std::int64_t>(*a.number));
      else s.bind_null(3);
      s.bind(4, a.identity);
      s.bind(5, a.title);
      s.bind(6, a.link);
      s.bind(7, a.published);
      s.bind(8, millis(a.fetched_at));
      s.bind(9, p.language);
      s.bind(10, p.content_hash);
      if (a.stamp) {
        s.bind(11, a.stamp->size);
        s.bind(12, a.stamp->mtime_ns);
      }
      if (auto done = impl_->done(s.step(), "cataloging " + a.file); !done) return done;
    }
    id = sqlite3_last_insert_rowid(impl_->db.get());
    auto version = impl_->insert_version(id, p, a.fetched_at);
    if (!version) return version.error();
    if (auto s = impl_->set_current(id, *version, p, a.fetched_at, std::nullopt); !s) return s;
    return impl_->index->index(id, a.title, p.visible_text, &p.index_terms);
  });
  if (!status) return status.error();
  return id;
}

core::Status Catalog::record_seen(ArticleId article, core::TimePoint when) {
  auto st = impl_->statement(kSeen);
  if (!st) return st.error();
  Use s(*st);
  s.bind(1, article);
  s.bind(2, millis(when));
  return impl_->done(s.step(), "recording when an article was seen");
}

core::Result<bool> Catalog::record_version(ArticleId article, std::string_view html,
                                           core::TimePoint fetched_at,
                                           std::optional<std::string_view> title) {
  auto current = find(article);
  if (!current)
    return Error(ErrorKind::database, fmt::format("catalog database: no article with id {}", article));
  NewArticle input;
  input.file = current->file;
  input.title = title ? std::string(*title) : current->title;
  input.html = std::string(html);
  input.fetched_at = fetched_at;
  // Cheap test first: most articles seen again are unchanged.
  const bool retitled = title && !title->empty() && *title != current->title;
  if (!retitled && content_hash(html) == current->content_hash) {
    if (auto s = record_seen(article, fetched_at); !s) return s.error();
    return false;
  }
  return record_prepared_version(article, prepare_article(std::move(input)));
}

core::Result<bool> Catalog::record_prepared_version(ArticleId article, const PreparedArticle& p) {
  bool changed = false;
  auto status = impl_->atomically(*this, [&]() -> core::Status {
    auto current = find(article);
    if (!current)
      return Error(ErrorKind::database, fmt::format("catalog database: no article with id {}", article));
    const auto when = p.article.fetched_at;
    // A new title is an edit too (a censored headline keeps its body); an
    // empty title keeps the old one.
    std::optional<std::string_view> title;
    if (!p.article.title.empty()) title = p.article.title;
    const bool retitled = title && *title != current->title;
    if (current->content_hash == p.content_hash && !retitled) return record_seen(article, when);
    changed = true;
    PreparedArticle titled = p;
    if (titled.article.title.empty()) titled.article.title = current->title;
    auto version = impl_->insert_version(article, titled, when);
    if (!version) return version.error();
    if (auto s = impl_->set_current(article, *version, p, when, title); !s) return s;
    if (p.article.stamp)
      if (auto s = set_stamp(article, *p.article.stamp); !s) return s;
    if (title) return impl_->index->index(article, *title, p.visible_text, &p.index_terms);
    // The terms were worked out for an empty title; the article keeps its own.
    search::IndexTerms terms{search::pretokenize(current->title), p.index_terms.body};
    return impl_->index->index(article, current->title, p.visible_text, &terms);
  });
  if (!status) return status.error();
  return changed;
}

std::optional<Article> Catalog::find(ArticleId id) {
  auto found = impl_->articles(kFind, [&](Use& s) { s.bind(1, id); }, "looking up an article");
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<Article> Catalog::find_by_file(std::string_view file) {
  auto found = impl_->articles(kFindFile, [&](Use& s) { s.bind(1, file); }, "looking up a file");
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<Article> Catalog::find_by_identity(std::string_view identity) {
  auto found =
      impl_->articles(kFindIdentity, [&](Use& s) { s.bind(1, identity); }, "looking up an identity");
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<Article> Catalog::find_by_number(std::string_view site, std::uint64_t number) {
  return impl_->articles(
      kFindNumber,
      [&](Use& s) {
        s.bind(1, site);
        s.bind(2, static_cast<std::int64_t>(number));
      },
      "looking up an article number");
}

std::vector<Article> Catalog::find_by_link(std::string_view link) {
  return impl_->articles(kFindLink, [&](Use& s) { s.bind(1, link); }, "looking up a link");
}

bool Catalog::has_content(std::string_view site, std::string_view identity, std::string_view hash) {
  Use s(impl_->must(kHasContent));
  s.bind(1, site);
  s.bind(2, hash);
  s.bind(3, identity);
  int rc = s.step();
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "looking up a content hash");
  return false;
}

std::vector<std::string> Catalog::files_of_site(std::string_view site) {
  Use s(impl_->must(kFilesOfSite));
  s.bind(1, site);
  std::vector<std::string> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.text(0));
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "listing a site's files");
  return out;
}

std::vector<std::string> Catalog::sites() {
  Use s(impl_->must(kSites));
  std::vector<std::string> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.text(0));
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "listing sites");
  return out;
}

std::vector<Article> Catalog::all_articles() {
  return impl_->articles(kAllArticles, [](Use&) {}, "listing articles");
}

std::unordered_map<ArticleId, int> Catalog::version_counts() {
  Use s(impl_->must(kVersionCounts));
  std::unordered_map<ArticleId, int> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.emplace(s.integer(0), static_cast<int>(s.integer(1)));
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "counting versions");
  return out;
}

std::size_t Catalog::article_count() {
  Use s(impl_->must(kCount));
  int rc = s.step();
  if (rc != SQLITE_ROW) impl_->fail_step(rc, "counting articles");
  return static_cast<std::size_t>(s.integer(0));
}

std::vector<Version> Catalog::versions(ArticleId article) {
  Use s(impl_->must(kVersions));
  s.bind(1, article);
  std::vector<Version> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    Version v;
    v.id = s.integer(0);
    v.ordinal = static_cast<int>(out.size()) + 1;
    v.fetched_at = s.time(1);
    v.content_hash = s.text(2);
    v.size = static_cast<std::size_t>(s.integer(3));
    v.stored_size = static_cast<std::size_t>(s.integer(4));
    if (!s.is_null(5)) v.title = s.text(5);
    out.push_back(std::move(v));
  }
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "listing versions");
  return out;
}

core::Result<std::string> Catalog::version_html(std::int64_t version_id) {
  auto st = impl_->statement(kVersionHtml);
  if (!st) return st.error();
  Use s(*st);
  s.bind(1, version_id);
  int rc = s.step();
  if (rc == SQLITE_DONE)
    return Error(ErrorKind::database, fmt::format("catalog database: no version with id {}", version_id));
  if (rc != SQLITE_ROW) return error_from_sqlite(impl_->db.get(), rc, "reading a version");
  return decompress_html(s.text(0), s.blob(1), static_cast<std::size_t>(s.integer(2)));
}

std::unordered_map<std::string, std::pair<ArticleId, FileStamp>> Catalog::file_stamps() {
  Use s(impl_->must(kStamps));
  std::unordered_map<std::string, std::pair<ArticleId, FileStamp>> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    FileStamp stamp;
    if (!s.is_null(2)) stamp = {s.integer(2), s.integer(3)};
    out.emplace(s.text(0), std::make_pair(s.integer(1), stamp));
  }
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "reading file stamps");
  return out;
}

core::Status Catalog::set_stamp(ArticleId article, const FileStamp& stamp) {
  auto st = impl_->statement(kSetStamp);
  if (!st) return st.error();
  Use s(*st);
  s.bind(1, article);
  s.bind(2, stamp.size);
  s.bind(3, stamp.mtime_ns);
  return impl_->done(s.step(), "storing a file stamp");
}

core::Status Catalog::transaction(const std::function<core::Status()>& body) {
  auto& impl = *impl_;
  const bool outer = impl.depth == 0;
  {
    auto begin = impl.statement(outer ? kBegin : kSavepoint);
    if (!begin) return begin.error();
    Use s(*begin);
    if (auto status = impl.done(s.step(), "starting a transaction"); !status) return status;
  }
  const char* rollback = outer ? "ROLLBACK" : "ROLLBACK TO nested; RELEASE nested";
  ++impl.depth;
  std::optional<Error> doomed_outside = std::exchange(impl.doomed, std::nullopt);
  core::Status result = core::ok_status();
  try {
    result = body();
  } catch (...) {
    --impl.depth;
    impl.doomed = std::move(doomed_outside);
    impl.exec_ignoring_errors(rollback);
    throw;
  }
  --impl.depth;
  std::optional<Error> doomed = std::exchange(impl.doomed, std::move(doomed_outside));
  if (result && doomed) result = *doomed;
  if (!result) {
    impl.exec_ignoring_errors(rollback);
    return result;
  }
  auto end = impl.statement(outer ? kCommit : kRelease);
  if (!end) {
    impl.exec_ignoring_errors(rollback);
    return end.error();
  }
  core::Status status = core::ok_status();
  {
    Use s(*end);
    status = impl.done(s.step(), outer ? "committing a transaction" : "releasing a savepoint");
  }
  if (!status) impl.exec_ignoring_errors(rollback);
  return status;
}

core::Result<bool> Catalog::begin_bulk_load() {
  auto& impl = *impl_;
  if (impl.bulk_lock >= 0) return true;
  if (impl.depth != 0 || article_count() != 0) return false;
  const auto marker = bulk_marker(impl.file);
  int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;  // a read-only folder: load the usual way
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  auto give_up = [&] {
    impl.exec_ignoring_errors("PRAGMA locking_mode=NORMAL");
    impl.exec_ignoring_errors("PRAGMA journal_mode=WAL");
    std::error_code ec;
    std::filesystem::remove(marker, ec);
    ::close(fd);
  };
  // The marker must be on disk before the first unjournaled write.
  if (::fsync(fd) != 0 || !sync_path(impl.file.parent_path(), O_RDONLY | O_DIRECTORY)) {
    give_up();
    return false;
  }
  // Leaving WAL needs the database to itself: with another connection on
  // it this fails and the load goes the usual way.
  impl.exec_ignoring_errors("PRAGMA locking_mode=EXCLUSIVE");
  if (impl.pragma_text("PRAGMA journal_mode=OFF") != "off") {
    give_up();
    return false;
  }
  // The first write takes the exclusive lock for good; the catalog must
  // still be empty then.
  if (auto s = impl.exec("BEGIN IMMEDIATE", "starting a bulk load"); !s) {
    give_up();
    return s.error();
  }
  if (article_count() != 0) {
    impl.exec_ignoring_errors("ROLLBACK");  // nothing written yet
    give_up();
    return false;
  }
  if (auto s = search::start_bulk_indexing(impl.db.get()); !s) {
    impl.exec_ignoring_errors("ROLLBACK");
    give_up();
    return s.error();
  }
  impl.bulk_lock = fd;
  if (auto s = impl.exec("COMMIT; PRAGMA synchronous=OFF", "starting a bulk load"); !s) return s.error();
  return true;
}

core::Status Catalog::end_bulk_load() {
  auto& impl = *impl_;
  if (impl.bulk_lock < 0) return core::ok_status();
  if (auto s = search::finish_bulk_indexing(impl.db.get()); !s) return s;
  // Everything on disk before the marker goes.
  if (auto s = impl.exec("PRAGMA synchronous=NORMAL", "finishing a bulk load"); !s) return s;
  if (auto s = sync_path(impl.file, O_RDONLY); !s) return s;
  // Shared again: the read releases the lock held since the first write.
  if (auto s = impl.exec("PRAGMA locking_mode=NORMAL; SELECT count(*) FROM sqlite_schema", "finishing a bulk load"); !s)
    return s;
  // Back to WAL; should a reader have slipped in, the next open() does it.
  impl.exec_ignoring_errors("PRAGMA journal_mode=WAL");
  std::error_code ec;
  std::filesystem::remove(bulk_marker(impl.file), ec);
  if (ec)
    return Error(ErrorKind::io,
                 fmt::format("{}: cannot remove: {}", bulk_marker(impl.file).string(), ec.message()));
  ::close(impl.bulk_lock);
  impl.bulk_lock = -1;
  return sync_path(impl.file.parent_path(), O_RDONLY | O_DIRECTORY);
}

bool Catalog::bulk_loading() const { return impl_->bulk_lock >= 0; }

core::Status Catalog::checkpoint_and_close_wal() {
  if (auto s = impl_->exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing"); !s) return s;
  return impl_->exec("PRAGMA journal_mode=DELETE", "leaving WAL mode");
}

int Catalog::schema_version() {
  auto v = impl_->pragma_int("PRAGMA user_version");
  if (!v) throw std::runtime_error(v.error().message);
  return static_cast<int>(*v);
}

std::string Catalog::journal_mode() {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(impl_->db.get(), "PRAGMA journal_mode", -1, &raw, nullptr);
  if (rc != SQLITE_OK) impl_->fail_step(rc, "reading the journal mode");
  StatementHandle s(raw);
  rc = sqlite3_step(raw);
  if (rc != SQLITE_ROW) impl_->fail_step(rc, "reading the journal mode");
  return reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
}

core::Result<std::int64_t> Catalog::data_version() { return impl_->pragma_int("PRAGMA data_version"); }

sqlite3* Catalog::connection() { return impl_->db.get(); }

}  // namespace newsmirror::catalog
