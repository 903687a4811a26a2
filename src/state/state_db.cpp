// The state database. Schema (PRAGMA user_version):
//
//   v1  articles(identity TEXT PRIMARY KEY, site, file_name, seq UNIQUE,
//                title, link, published ms, first_seen ms, content_hash)
//       counters(name TEXT PRIMARY KEY, value)   -- 'seq': last reserved
//       validators(url TEXT PRIMARY KEY, etag, last_modified)
//       source_health(source TEXT PRIMARY KEY, last_attempt ms,
//                     last_success ms, last_error, consecutive_failures,
//                     articles_archived, last_new_count)
//   v2  articles += versions (1 = never changed), last_changed ms
//   v3  identity_aliases(alias TEXT PRIMARY KEY, identity)  -- an article's
//       other identity keys (its link when the GUID is primary), so that
//       one article reaching us through two feeds of a source is one
//   v4  pending_images(site, file_name, attempts)  -- articles whose
//       pictures could not all be kept locally yet, retried each cycle
//   v5  numbering per site: articles.seq is no longer unique but the
//       article's place in its site, 0xFFFFF ^ N of its file name (which
//       also repairs mirrors adopted before, whose seq held N itself);
//       sites(site, folder, last_seq) holds each site's counter (the
//       highest seq it ever reserved or recorded) and, when it is not the
//       site's name made safe, its folder. The mirror-wide 'seq' counter
//       is no longer read.
//
// Migrations only ever append: a database at version N runs the steps
// N+1..kSchemaVersion, each in the same transaction as its user_version
// bump, so an interrupted migration is simply run again.
#include "state/state_db.hpp"

#include <sqlite3.h>

#include <array>
#include <map>
#include <string>
#include <system_error>

#include <fmt/format.h>

namespace newsmirror::state {

namespace {

using core::Error;
using core::ErrorKind;

// Every SQLite failure becomes an Error here, with what we were doing.
Error error_from_sqlite(sqlite3* db, int code, std::string_view context) {
  const char* detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return Error(ErrorKind::database,
               fmt::format("state database: {}: {} (sqlite error {})", context, detail, code));
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;

// A prepared statement, owned; reset (not finalized) between uses.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  explicit operator bool() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }

  // Binding by position, 1-based as SQLite counts.
  void bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, std::int64_t value) { sqlite3_bind_int64(stmt_, i, value); }
  void bind_optional(int i, const std::optional<std::string>& text) {
    if (text) bind(i, std::string_view(*text));
    else sqlite3_bind_null(stmt_, i);
  }
  void bind_optional(int i, const std::optional<core::TimePoint>& time) {
    if (time) bind(i, static_cast<std::int64_t>(time->time_since_epoch().count()));
    else sqlite3_bind_null(stmt_, i);
  }

  std::string text(int column) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }
  std::optional<std::string> optional_text(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return text(column);
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::optional<core::TimePoint> optional_time(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return time(column);
  }
  core::TimePoint time(int column) const {
    return core::TimePoint(std::chrono::milliseconds(integer(column)));
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets and clears bindings when a use of a cached statement ends, however
// it ends, so the next use starts clean and no read lock is held.
class Use {
 public:
  explicit Use(Statement& s) : s_(s) {}
  ~Use() {
    sqlite3_reset(s_.get());
    sqlite3_clear_bindings(s_.get());
  }
  Statement* operator->() { return &s_; }
  Statement& operator*() { return s_; }

 private:
  Statement& s_;
};

// The statements, by index into Impl::statements: prepared on first use
// and kept for the life of the connection.
enum Sql : std::size_t {
  kFind,
  kSeqTaken,
  kFileKnown,
  kInsertAlias,
  kInsertArticle,
  kNewest,
  kSiteSummaries,
  kMarkChanged,
  kAcceptHash,
  kGetSiteCounter,
  kRaiseSiteCounter,
  kAddToSiteCounter,
  kSiteFolders,
  kSetSiteFolder,
  kGetValidators,
  kSetValidators,
  kRecordSuccess,
  kRecordFailure,
  kHealth,
  kMarkImagesPending,
  kClearImagesPending,
  kImagesPending,
  kBegin,
  kCommit,
  kSavepoint,
  kRelease,
  kCount,
};

constexpr std::array<const char*, kCount> kSqlText = {
    // kFind
    "SELECT identity, site, file_name, seq, title, link, published, first_seen, content_hash,"
    " versions, last_changed FROM articles"
    " WHERE identity IN (?1, (SELECT identity FROM identity_aliases WHERE alias = ?1))",
    // kSeqTaken
    "SELECT 1 FROM articles WHERE site = ?1 AND seq = ?2",
    // kFileKnown
    "SELECT 1 FROM articles WHERE site = ?1 AND file_name = ?2",
    // kInsertAlias: an alias already taken keeps its first article.
    "INSERT OR IGNORE INTO identity_aliases(alias, identity) VALUES(?1, ?2)",
    // kInsertArticle
    "INSERT INTO articles(identity, site, file_name, seq, title, link, published, first_seen,"
    " content_hash, versions, last_changed) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    // kNewest
    "SELECT identity, site, file_name, seq, title, link, published, first_seen, content_hash,"
    " versions, last_changed FROM articles WHERE site = ?1 ORDER BY seq DESC, file_name LIMIT ?2",
    // kSiteSummaries
    "SELECT site, count(*), max(published) FROM articles GROUP BY site ORDER BY site",
    // kMarkChanged
    "UPDATE articles SET content_hash = ?2, versions = versions + 1, last_changed = ?3"
    " WHERE identity = ?1",
    // kAcceptHash
    "UPDATE articles SET content_hash = ?2 WHERE identity = ?1",
    // kGetSiteCounter
    "SELECT last_seq FROM sites WHERE site = ?1",
    // kRaiseSiteCounter
    "INSERT INTO sites(site, last_seq) VALUES(?1, ?2)"
    " ON CONFLICT(site) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
    // kAddToSiteCounter
    "INSERT INTO sites(site, last_seq) VALUES(?1, ?2)"
    " ON CONFLICT(site) DO UPDATE SET last_seq = last_seq + excluded.last_seq RETURNING last_seq",
    // kSiteFolders
    "SELECT site, folder FROM sites WHERE folder IS NOT NULL ORDER BY site",
    // kSetSiteFolder
    "INSERT INTO sites(site, folder, last_seq) VALUES(?1, ?2, 0)"
    " ON CONFLICT(site) DO UPDATE SET folder = excluded.folder",
    // kGetValidators
    "SELECT etag, last_modified FROM validators WHERE url = ?1",
    // kSetValidators
    "INSERT INTO validators(url, etag, last_modified) VALUES(?1, ?2, ?3)"
    " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified",
    // kRecordSuccess
    "INSERT INTO source_health(source, last_attempt, last_success, last_error,"
    " consecutive_failures, articles_archived, last_new_count) VALUES(?1, ?2, ?2, NULL, 0, ?3, ?3)"
    " ON CONFLICT(source) DO UPDATE SET last_attempt = ?2, last_success = ?2, last_error = NULL,"
    " consecutive_failures = 0, articles_archived = articles_archived + ?3, last_new_count = ?3",
    // kRecordFailure
    "INSERT INTO source_health(source, last_attempt, last_error, consecutive_failures)"
    " VALUES(?1, ?2, ?3, 1)"
    " ON CONFLICT(source) DO UPDATE SET last_attempt = ?2, last_error = ?3,"
    " consecutive_failures = consecutive_failures + 1",
    // kHealth
    "SELECT source, last_attempt, last_success, last_error, consecutive_failures,"
    " articles_archived, last_new_count FROM source_health ORDER BY source",
    // kMarkImagesPending: the first failure counts as attempt 1.
    "INSERT INTO pending_images(site, file_name, attempts) VALUES(?1, ?2, 1)"
    " ON CONFLICT(site, file_name) DO UPDATE SET attempts = attempts + 1",
    // kClearImagesPending
    "DELETE FROM pending_images WHERE site = ?1 AND file_name = ?2",
    // kImagesPending
    "SELECT site, file_name, attempts FROM pending_images WHERE attempts < ?1"
    " ORDER BY site, file_name",
    // kBegin: IMMEDIATE takes the write lock at once, so two processes
    // cannot both read the counter and then collide on the upgrade.
    "BEGIN IMMEDIATE",
    // kCommit
    "COMMIT",
    // kSavepoint / kRelease: nested transactions
    "SAVEPOINT nested",
    "RELEASE nested",
};

// Step i brings the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    // 0 -> 1
    "CREATE TABLE articles("
    "  identity TEXT PRIMARY KEY NOT NULL,"
    "  site TEXT NOT NULL,"
    "  file_name TEXT NOT NULL,"
    "  seq INTEGER NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  link TEXT NOT NULL,"
    "  published INTEGER NOT NULL,"
    "  first_seen INTEGER NOT NULL,"
    "  content_hash TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX articles_by_site ON articles(site, seq);"
    "CREATE TABLE counters(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE validators(url TEXT PRIMARY KEY NOT NULL, etag TEXT, last_modified TEXT) WITHOUT ROWID;"
    "CREATE TABLE source_health("
    "  source TEXT PRIMARY KEY NOT NULL,"
    "  last_attempt INTEGER,"
    "  last_success INTEGER,"
    "  last_error TEXT,"
    "  consecutive_failures INTEGER NOT NULL DEFAULT 0,"
    "  articles_archived INTEGER NOT NULL DEFAULT 0,"
    "  last_new_count INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;",
    // 1 -> 2: versions of an article (mark_changed)
    "ALTER TABLE articles ADD COLUMN versions INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE articles ADD COLUMN last_changed INTEGER;",
    // 2 -> 3: identity aliases
    "CREATE TABLE identity_aliases("
    "  alias TEXT PRIMARY KEY NOT NULL,"
    "  identity TEXT NOT NULL REFERENCES articles(identity)"
    ") WITHOUT ROWID;",
    // 3 -> 4: articles with images still to be kept locally
    "CREATE TABLE pending_images("
    "  site TEXT NOT NULL,"
    "  file_name TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  PRIMARY KEY(site, file_name)"
    ") WITHOUT ROWID;",
    // 4 -> 5: numbering per site. The table is rebuilt to drop seq's
    // UNIQUE (open() runs migrations before it turns foreign keys on, so
    // the aliases survive the swap). SQLite has no XOR: a ^ m is
    // (a | m) - (a & m). CAST reads the leading digits of a file name; the
    // name counts as numbered only as archive::parse_article_number reads
    // it (the digits, then nothing, `.md` or `_`), else its seq is 0.
    "CREATE TABLE articles_v5("
    "  identity TEXT PRIMARY KEY NOT NULL,"
    "  site TEXT NOT NULL,"
    "  file_name TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  title TEXT NOT NULL,"
    "  link TEXT NOT NULL,"
    "  published INTEGER NOT NULL,"
    "  first_seen INTEGER NOT NULL,"
    "  content_hash TEXT NOT NULL,"
    "  versions INTEGER NOT NULL DEFAULT 1,"
    "  last_changed INTEGER"
    ") WITHOUT ROWID;"
    "INSERT INTO articles_v5 SELECT identity, site, file_name,"
    "  CASE WHEN file_name GLOB '[0-9]*' AND ("
    "      file_name = CAST(CAST(file_name AS INTEGER) AS TEXT)"
    "      OR file_name = CAST(CAST(file_name AS INTEGER) AS TEXT) || '.md'"
    "      OR file_name GLOB CAST(CAST(file_name AS INTEGER) AS TEXT) || '_*') THEN"
    "    (CAST(file_name AS INTEGER) | 1048575) - (CAST(file_name AS INTEGER) & 1048575)"
    "  ELSE 0 END,"
    "  title, link, published, first_seen, content_hash, versions, last_changed FROM articles;"
    "DROP TABLE articles;"
    "ALTER TABLE articles_v5 RENAME TO articles;"
    "CREATE INDEX articles_by_site ON articles(site, seq);"
    "CREATE INDEX articles_by_file ON articles(site, file_name);"
    "CREATE TABLE sites("
    "  site TEXT PRIMARY KEY NOT NULL,"
    "  folder TEXT,"
    "  last_seq INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT INTO sites(site, last_seq) SELECT site, max(seq) FROM articles GROUP BY site;",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

ArchivedArticle read_article(const Statement& s) {
  ArchivedArticle a;
  a.identity = s.text(0);
  a.site = s.text(1);
  a.file_name = s.text(2);
  a.seq = static_cast<std::uint64_t>(s.integer(3));
  a.title = s.text(4);
  a.link = s.text(5);
  a.published = s.time(6);
  a.first_seen = s.time(7);
  a.content_hash = s.text(8);
  a.versions = static_cast<std::uint32_t>(s.integer(9));
  a.last_changed = s.optional_time(10);
  return a;
}

std::int64_t millis(core::TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

struct StateDb::Impl {
  DbHandle db;
  std::filesystem::path file;
  std::array<Statement, kCount> statements;
  int depth = 0;  // open transaction() levels

  // The cached statement for `sql`, preparing it on first use.
  core::Result<Statement*> statement(Sql sql) {
    auto& s = statements[sql];
    if (!s) {
      sqlite3_stmt* raw = nullptr;
      int rc = sqlite3_prepare_v3(db.get(), kSqlText[sql], -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      if (rc != SQLITE_OK) return error_from_sqlite(db.get(), rc, "preparing a statement");
      s = Statement(raw);
    }
    return &s;
  }

  // Runs a statement that returns no rows (or whose rows are ignored).
  core::Status run(Statement& s, std::string_view context) {
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return error_from_sqlite(db.get(), rc, context);
    return core::ok_status();
  }

  core::Status raise_site_counter(std::string_view site, std::uint64_t seq) {
    auto st = statement(kRaiseSiteCounter);
    if (!st) return st.error();
    Use s(**st);
    s->bind(1, site);
    s->bind(2, static_cast<std::int64_t>(seq));
    return run(**st, fmt::format("raising the counter of {}", site));
  }

  // Cleanup after a failure: the first error is the one worth reporting.
  void exec_ignoring_errors(const char* sql) { sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr); }

  core::Status exec(const char* sql, std::string_view context) {
    int rc = sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return error_from_sqlite(db.get(), rc, context);
    return core::ok_status();
  }

  // For the plain-value queries (see the header): failures are thrown.
  [[noreturn]] void fail(const Error& error) { throw DatabaseError(error.message); }
  Statement& must(Sql sql) {
    auto s = statement(sql);
    if (!s) fail(s.error());
    return **s;
  }
  [[noreturn]] void fail_step(int rc, std::string_view context) {
    fail(error_from_sqlite(db.get(), rc, context));
  }

  core::Result<std::int64_t> pragma_int(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db.get(), sql, -1, &raw, nullptr);
    if (rc != SQLITE_OK) return error_from_sqlite(db.get(), rc, sql);
    Statement s(raw);
    rc = sqlite3_step(raw);
    if (rc != SQLITE_ROW) return error_from_sqlite(db.get(), rc, sql);
    return s.integer(0);
  }

  core::Status migrate() {
    auto version = pragma_int("PRAGMA user_version");
    if (!version) return version.error();
    if (*version > kSchemaVersion)
      return Error(ErrorKind::database,
                   fmt::format("{}: schema version {} is newer than this newsmirror understands ({}); "
                               "upgrade newsmirror",
                               file.string(), *version, kSchemaVersion));
    for (auto v = *version; v < kSchemaVersion; ++v) {
      if (auto s = exec("BEGIN IMMEDIATE", "starting a migration"); !s) return s;
      // Another process may have migrated while we waited for the lock.
      auto now = pragma_int("PRAGMA user_version");
      if (!now) {
        exec_ignoring_errors("ROLLBACK");
        return now.error();
      }
      if (*now > v) {
        exec_ignoring_errors("ROLLBACK");
        v = *now - 1;
        continue;
      }
      // user_version cannot be bound; the number is ours, not user input.
      std::string step = std::string(kMigrations[v]) + fmt::format("PRAGMA user_version = {};", v + 1);
      if (auto s = exec(step.c_str(), fmt::format("migrating the schema to version {}", v + 1)); !s) {
        exec_ignoring_errors("ROLLBACK");
        return s;
      }
      if (auto s = exec("COMMIT", "committing a migration"); !s) return s;
    }
    return core::ok_status();
  }
};

StateDb::StateDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateDb::StateDb(StateDb&&) noexcept = default;
StateDb& StateDb::operator=(StateDb&&) noexcept = default;
StateDb::~StateDb() = default;

core::Result<StateDb> StateDb::open(const std::filesystem::path& mirror_dir) {
  auto dir = mirror_dir / ".newsmirror";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error(ErrorKind::io, fmt::format("{}: cannot create folder: {}", dir.string(), ec.message()));
  return open_file(dir / "state.db");
}

core::Result<StateDb> StateDb::open_file(const std::filesystem::path& db_file) {
  auto impl = std::make_unique<Impl>();
  impl->file = db_file;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_file.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  impl->db.reset(raw);  // sqlite3 hands out a handle even on failure
  if (rc != SQLITE_OK)
    return error_from_sqlite(raw, rc, fmt::format("opening {}", db_file.string()));
  sqlite3_extended_result_codes(raw, 1);
  // Another process (a second `newsmirror run`, `status`) may hold the
  // write lock for a moment; wait rather than fail.
  sqlite3_busy_timeout(raw, 10000);
  // WAL lets readers (status, serve) proceed during a run; NORMAL is durable
  // across application crashes and loses at most the last commits on power
  // loss, never consistency. OFF is never acceptable.
  const char* setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;";
  if (auto s = impl->exec(setup, fmt::format("configuring {}", db_file.string())); !s) return s.error();
  // Foreign keys only after the migrations: a migration that rebuilds a
  // table (v5) must be free to drop the old one while rows refer to it.
  if (auto s = impl->migrate(); !s) return s.error();
  if (auto s = impl->exec("PRAGMA foreign_keys=ON;", fmt::format("configuring {}", db_file.string())); !s)
    return s.error();
  return StateDb(std::move(impl));
}

std::optional<ArchivedArticle> StateDb::find(std::string_view identity) {
  Use s(impl_->must(kFind));
  s->bind(1, identity);
  int rc = sqlite3_step(s->get());
  if (rc == SQLITE_ROW) return read_article(*s);
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "looking up an article");
  return std::nullopt;
}

bool StateDb::knows_file(std::string_view site, std::string_view file_name) {
  Use s(impl_->must(kFileKnown));
  s->bind(1, site);
  s->bind(2, file_name);
  int rc = sqlite3_step(s->get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) impl_->fail_step(rc, "looking up an article file");
  return rc == SQLITE_ROW;
}

core::Status StateDb::record_articles(const std::vector<ArchivedArticle>& articles) {
  if (articles.empty()) return core::ok_status();
  return transaction([&]() -> core::Status {
    auto insert = impl_->statement(kInsertArticle);
    if (!insert) return insert.error();
    std::map<std::string, std::uint64_t, std::less<>> highest;  // per site
    for (const auto& a : articles) {
      Use s(**insert);
      s->bind(1, a.identity);
      s->bind(2, a.site);
      s->bind(3, a.file_name);
      s->bind(4, static_cast<std::int64_t>(a.seq));
      s->bind(5, a.title);
      s->bind(6, a.link);
      s->bind(7, millis(a.published));
      s->bind(8, millis(a.first_seen));
      s->bind(9, a.content_hash);
      s->bind(10, static_cast<std::int64_t>(a.versions));
      s->bind_optional(11, a.last_changed);
      if (auto status = impl_->run(*s,
                                   fmt::format("recording article {} (seq {})", a.identity, a.seq));
          !status)
        return status;
      auto [at, inserted] = highest.emplace(a.site, a.seq);
      if (!inserted) at->second = std::max(at->second, a.seq);
      if (a.aliases.empty()) continue;
      auto alias_insert = impl_->statement(kInsertAlias);
      if (!alias_insert) return alias_insert.error();
      for (const auto& alias : a.aliases) {
        if (alias == a.identity) continue;
        Use alias_statement(**alias_insert);
        alias_statement->bind(1, alias);
        alias_statement->bind(2, a.identity);
        if (auto status = impl_->run(*alias_statement,
                                     fmt::format("recording alias {} of {}", alias, a.identity));
            !status)
          return status;
      }
    }
    for (const auto& [site, seq] : highest)
      if (auto status = impl_->raise_site_counter(site, seq); !status) return status;
    return core::ok_status();
  });
}

std::vector<ArchivedArticle> StateDb::newest(std::string_view site, std::size_t limit) {
  Use s(impl_->must(kNewest));
  s->bind(1, site);
  s->bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<ArchivedArticle> out;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) out.push_back(read_article(*s));
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "listing the newest articles");
  return out;
}

std::vector<SiteCount> StateDb::site_summaries() {
  Use s(impl_->must(kSiteSummaries));
  std::vector<SiteCount> out;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW)
    out.push_back({s->text(0), static_cast<std::uint64_t>(s->integer(1)), s->optional_time(2)});
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "summarizing sites");
  return out;
}

core::Status StateDb::mark_changed(std::string_view identity, std::string_view content_hash,
                                   core::TimePoint when) {
  auto st = impl_->statement(kMarkChanged);
  if (!st) return st.error();
  Use s(**st);
  s->bind(1, identity);
  s->bind(2, content_hash);
  s->bind(3, millis(when));
  if (auto status = impl_->run(**st, "marking an article changed"); !status) return status;
  if (sqlite3_changes(impl_->db.get()) == 0)
    return Error(ErrorKind::database,
                 fmt::format("state database: marking an article changed: no archived article \"{}\"",
                             identity));
  return core::ok_status();
}

core::Status StateDb::accept_content_hash(std::string_view identity, std::string_view content_hash) {
  auto st = impl_->statement(kAcceptHash);
  if (!st) return st.error();
  Use s(**st);
  s->bind(1, identity);
  s->bind(2, content_hash);
  return impl_->run(**st, "storing an article's hash");
}

core::Result<std::uint64_t> StateDb::reserve_site_sequence(std::string_view site, std::size_t count) {
  if (count == 0) return last_site_sequence(site) + 1;
  std::uint64_t last = 0;
  auto status = transaction([&]() -> core::Status {
    auto st = impl_->statement(kAddToSiteCounter);
    if (!st) return st.error();
    Use s(**st);
    s->bind(1, site);
    s->bind(2, static_cast<std::int64_t>(count));
    int rc = sqlite3_step(s->get());
    if (rc != SQLITE_ROW)
      return error_from_sqlite(impl_->db.get(), rc, fmt::format("reserving numbers for {}", site));
    last = static_cast<std::uint64_t>(s->integer(0));
    rc = sqlite3_step(s->get());  // finishes the statement before the commit
    if (rc != SQLITE_DONE)
      return error_from_sqlite(impl_->db.get(), rc, fmt::format("reserving numbers for {}", site));
    return core::ok_status();
  });
  if (!status) return status.error();
  return last - count + 1;
}

core::Result<bool> StateDb::claim_site_sequence(std::string_view site, std::uint64_t seq) {
  bool claimed = false;
  auto status = transaction([&]() -> core::Status {
    auto taken = impl_->statement(kSeqTaken);
    if (!taken) return taken.error();
    {
      Use s(**taken);
      s->bind(1, site);
      s->bind(2, static_cast<std::int64_t>(seq));
      int rc = sqlite3_step(s->get());
      if (rc == SQLITE_ROW) return core::ok_status();
      if (rc != SQLITE_DONE)
        return error_from_sqlite(impl_->db.get(), rc, fmt::format("looking up number {} of {}", seq, site));
    }
    claimed = true;
    return impl_->raise_site_counter(site, seq);
  });
  if (!status) return status.error();
  return claimed;
}

core::Status StateDb::raise_site_sequence(std::string_view site, std::uint64_t seq) {
  return impl_->raise_site_counter(site, seq);
}

std::uint64_t StateDb::last_site_sequence(std::string_view site) {
  Use s(impl_->must(kGetSiteCounter));
  s->bind(1, site);
  int rc = sqlite3_step(s->get());
  if (rc == SQLITE_ROW) return static_cast<std::uint64_t>(s->integer(0));
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "reading a site's counter");
  return 0;
}

std::vector<std::pair<std::string, std::string>> StateDb::site_folders() {
  Use s(impl_->must(kSiteFolders));
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) out.emplace_back(s->text(0), s->text(1));
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "reading the site folders");
  return out;
}

core::Status StateDb::set_site_folder(std::string_view site, std::string_view folder) {
  auto st = impl_->statement(kSetSiteFolder);
  if (!st) return st.error();
  Use s(**st);
  s->bind(1, site);
  s->bind(2, folder);
  return impl_->run(**st, fmt::format("recording the folder of {}", site));
}

Validators StateDb::get_validators(std::string_view url) {
  Use s(impl_->must(kGetValidators));
  s->bind(1, url);
  int rc = sqlite3_step(s->get());
  if (rc == SQLITE_ROW) return {s->optional_text(0), s->optional_text(1)};
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "reading HTTP validators");
  return {};
}

core::Status StateDb::set_validators(std::string_view url, const std::optional<std::string>& etag,
                                     const std::optional<std::string>& last_modified) {
  auto st = impl_->statement(kSetValidators);
  if (!st) return st.error();
  Use s(**st);
  s->bind(1, url);
  s->bind_optional(2, etag);
  s->bind_optional(3, last_modified);
  return impl_->run(**st, fmt::format("storing HTTP validators of {}", url));
}

core::Status StateDb::record_attempt(std::string_view source, core::TimePoint time,
                                     const core::Status& outcome, std::size_t new_count) {
  auto st = impl_->statement(outcome ? kRecordSuccess : kRecordFailure);
  if (!st) return st.error();
  Use s(**st);
  s->bind(1, source);
  s->bind(2, millis(time));
  if (outcome) s->bind(3, static_cast<std::int64_t>(new_count));
  else s->bind(3, std::string_view(outcome.error().message));
  return impl_->run(**st, fmt::format("recording the health of {}", source));
}

core::Status StateDb::set_images_pending(std::string_view site, std::string_view file_name,
                                         bool pending) {
  auto st = impl_->statement(pending ? kMarkImagesPending : kClearImagesPending);
  if (!st) return st.error();
  Use s(**st);
  s->bind(1, site);
  s->bind(2, file_name);
  return impl_->run(**st, fmt::format("recording the images of {}/{}", site, file_name));
}

std::vector<PendingImages> StateDb::images_pending(std::uint32_t max_attempts) {
  Use s(impl_->must(kImagesPending));
  s->bind(1, static_cast<std::int64_t>(max_attempts));
  std::vector<PendingImages> out;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW)
    out.push_back({s->text(0), s->text(1), static_cast<std::uint32_t>(s->integer(2))});
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "reading the articles with pending images");
  return out;
}

std::vector<SourceHealth> StateDb::health() {
  Use s(impl_->must(kHealth));
  std::vector<SourceHealth> out;
  int rc;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) {
    SourceHealth h;
    h.source = s->text(0);
    h.last_attempt = s->optional_time(1);
    h.last_success = s->optional_time(2);
    h.last_error = s->optional_text(3);
    h.consecutive_failures = static_cast<std::uint32_t>(s->integer(4));
    h.articles_archived = static_cast<std::uint64_t>(s->integer(5));
    h.last_new_count = static_cast<std::uint64_t>(s->integer(6));
    out.push_back(std::move(h));
  }
  if (rc != SQLITE_DONE) impl_->fail_step(rc, "reading source health");
  return out;
}

core::Status StateDb::transaction(const std::function<core::Status()>& body) {
  auto& impl = *impl_;
  bool outer = impl.depth == 0;
  auto begin = impl.statement(outer ? kBegin : kSavepoint);
  if (!begin) return begin.error();
  {
    Use s(**begin);
    if (auto status = impl.run(**begin, "starting a transaction"); !status) return status;
  }
  ++impl.depth;
  core::Status result = core::ok_status();
  try {
    result = body();
  } catch (...) {
    --impl.depth;
    impl.exec_ignoring_errors(outer ? "ROLLBACK" : "ROLLBACK TO nested; RELEASE nested");
    throw;
  }
  --impl.depth;
  if (!result) {
    impl.exec_ignoring_errors(outer ? "ROLLBACK" : "ROLLBACK TO nested; RELEASE nested");
    return result;
  }
  if (outer) {
    auto commit = impl.statement(kCommit);
    if (!commit) {
      impl.exec_ignoring_errors("ROLLBACK");
      return commit.error();
    }
    core::Status status = core::ok_status();
    {
      Use s(**commit);
      status = impl.run(**commit, "committing a transaction");
    }
    if (!status) impl.exec_ignoring_errors("ROLLBACK");
    return status;
  }
  auto release = impl.statement(kRelease);
  if (!release) return release.error();
  Use s(**release);
  return impl.run(**release, "releasing a savepoint");
}

int StateDb::schema_version() {
  auto v = impl_->pragma_int("PRAGMA user_version");
  if (!v) impl_->fail(v.error());
  return static_cast<int>(*v);
}

std::string StateDb::journal_mode() {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(impl_->db.get(), "PRAGMA journal_mode", -1, &raw, nullptr);
  if (rc != SQLITE_OK) impl_->fail_step(rc, "reading the journal mode");
  Statement s(raw);
  rc = sqlite3_step(raw);
  if (rc != SQLITE_ROW) impl_->fail_step(rc, "reading the journal mode");
  return s.text(0);
}

}  // namespace newsmirror::state
