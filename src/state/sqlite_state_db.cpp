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
// SqliteStateDb is the one engine of state::StateDb today.
//
// Migrations only ever append: a database at version N runs the steps
// N+1..kSchemaVersion, each in the same transaction as its user_version
// bump, so an interrupted migration is simply run again.
#include "state/sqlite_state_db.hpp"

#include <array>
#include <map>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "core/mirror_layout.hpp"
#include "storage/sqlite.hpp"

namespace newsmirror::state {

namespace {

using core::Error;
using core::ErrorKind;

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
    // kSiteSummaries: counted by the triggers of schema 6, not by a scan.
    "SELECT site, articles, newest_published FROM sites WHERE articles > 0 ORDER BY site",
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
};

// Step i brings the schema from version i to i + 1.
constexpr const char* kMigrationSql[] = {
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
    // 5 -> 6: each site's article count and newest date, kept by triggers in
    // the transaction that adds an article, so that the README's counts and
    // the catalog's catch-up check cost one row per site, not a scan of
    // every article (a million at the scale of the real mirrors). Rows are
    // never deleted today; the delete trigger keeps the counts true if that
    // changes. "WHERE true" tells SQLite's parser the SELECT ends there.
    "ALTER TABLE sites ADD COLUMN articles INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sites ADD COLUMN newest_published INTEGER;"
    "INSERT INTO sites(site, last_seq, articles, newest_published)"
    "  SELECT site, 0, count(*), max(published) FROM articles WHERE true GROUP BY site"
    "  ON CONFLICT(site) DO UPDATE SET articles = excluded.articles, newest_published = excluded.newest_published;"
    "CREATE TRIGGER articles_counted AFTER INSERT ON articles BEGIN"
    "  INSERT INTO sites(site, last_seq, articles, newest_published) VALUES(new.site, 0, 1, new.published)"
    "  ON CONFLICT(site) DO UPDATE SET articles = articles + 1,"
    "    newest_published = max(coalesce(newest_published, new.published), new.published);"
    "END;"
    "CREATE TRIGGER articles_uncounted AFTER DELETE ON articles BEGIN"
    "  UPDATE sites SET articles = articles - 1,"
    "    newest_published = (SELECT max(published) FROM articles WHERE site = old.site)"
    "  WHERE site = old.site;"
    "END;",
};
static_assert(std::size(kMigrationSql) == kSchemaVersion);

ArchivedArticle read_article(const storage::Query& s) {
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

// The state in an SQLite file (see the schema above).
class SqliteStateDb final : public StateDb {
 public:
  explicit SqliteStateDb(storage::Connection connection) : db_(std::move(connection)) {}

  std::optional<ArchivedArticle> find(std::string_view identity) override;
  bool knows_file(std::string_view site, std::string_view file_name) override;
  core::Status record_articles(const std::vector<ArchivedArticle>& articles) override;
  std::vector<ArchivedArticle> newest(std::string_view site, std::size_t limit) override;
  std::vector<SiteCount> site_summaries() override;
  core::Status mark_changed(std::string_view identity, std::string_view content_hash,
                            core::TimePoint when) override;
  core::Status accept_content_hash(std::string_view identity, std::string_view content_hash) override;
  core::Result<std::uint64_t> reserve_site_sequence(std::string_view site, std::size_t count) override;
  core::Result<bool> claim_site_sequence(std::string_view site, std::uint64_t seq) override;
  core::Status raise_site_sequence(std::string_view site, std::uint64_t seq) override;
  std::uint64_t last_site_sequence(std::string_view site) override;
  std::vector<std::pair<std::string, std::string>> site_folders() override;
  core::Status set_site_folder(std::string_view site, std::string_view folder) override;
  Validators get_validators(std::string_view url) override;
  core::Status set_validators(std::string_view url, const std::optional<std::string>& etag,
                              const std::optional<std::string>& last_modified) override;
  core::Status set_images_pending(std::string_view site, std::string_view file_name, bool pending) override;
  std::vector<PendingImages> images_pending(std::uint32_t max_attempts) override;
  core::Status record_attempt(std::string_view source, core::TimePoint time, const core::Status& outcome,
                              std::size_t new_count) override;
  std::vector<SourceHealth> health() override;
  core::Status transaction(const std::function<core::Status()>& body) override;
  int schema_version() override;

 private:
  storage::Connection db_;
  storage::StatementCache<kCount> statements_{kSqlText};

  // A statement's use; a failure to prepare it is returned.
  core::Result<storage::Query> query(Sql sql) { return statements_.query(db_, sql); }
  // For the plain-value queries (see the header): failures are thrown.
  storage::Query must(Sql sql) { return statements_.must(db_, sql); }

  core::Status raise_site_counter(std::string_view site, std::uint64_t seq) {
    auto s = query(kRaiseSiteCounter);
    if (!s) return s.error();
    s->bind(1, site);
    s->bind(2, static_cast<std::int64_t>(seq));
    return s->run(fmt::format("raising the counter of {}", site));
  }
};

}  // namespace

core::Result<std::unique_ptr<StateDb>> open_sqlite_state_db(const std::filesystem::path& db_file) {
  storage::OpenOptions options;
  options.name = "state database";
  // WAL lets readers (status, serve) proceed during a run; NORMAL is durable
  // across application crashes and loses at most the last commits on power
  // loss, never consistency. OFF is never acceptable. Foreign keys only
  // after the migrations: a migration that rebuilds a table (v5) must be
  // free to drop the old one while rows refer to it.
  options.setup_sql = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;";
  auto db = storage::Connection::open(db_file, options);
  if (!db) return db.error();
  std::vector<storage::Migration> migrations;
  for (const char* sql : kMigrationSql)
    migrations.push_back([sql](storage::Connection& c) { return c.exec(sql, "migrating the schema"); });
  if (auto s = db->migrate(migrations, "upgrade newsmirror"); !s) return s.error();
  if (auto s = db->exec("PRAGMA foreign_keys=ON;", fmt::format("configuring {}", db_file.string())); !s)
    return s.error();
  return std::unique_ptr<StateDb>(std::make_unique<SqliteStateDb>(std::move(*db)));
}

std::optional<ArchivedArticle> SqliteStateDb::find(std::string_view identity) {
  auto s = must(kFind);
  s.bind(1, identity);
  if (s.next("looking up an article")) return read_article(s);
  return std::nullopt;
}

bool SqliteStateDb::knows_file(std::string_view site, std::string_view file_name) {
  auto s = must(kFileKnown);
  s.bind(1, site);
  s.bind(2, file_name);
  return s.next("looking up an article file");
}

core::Status SqliteStateDb::record_articles(const std::vector<ArchivedArticle>& articles) {
  if (articles.empty()) return core::ok_status();
  return transaction([&]() -> core::Status {
    std::map<std::string, std::uint64_t, std::less<>> highest;  // per site
    for (const auto& a : articles) {
      auto s = query(kInsertArticle);
      if (!s) return s.error();
      s->bind(1, a.identity);
      s->bind(2, a.site);
      s->bind(3, a.file_name);
      s->bind(4, static_cast<std::int64_t>(a.seq));
      s->bind(5, a.title);
      s->bind(6, a.link);
      s->bind(7, a.published);
      s->bind(8, a.first_seen);
      s->bind(9, a.content_hash);
      s->bind(10, static_cast<std::int64_t>(a.versions));
      s->bind(11, a.last_changed);
      if (auto status = s->run(fmt::format("recording article {} (seq {})", a.identity, a.seq)); !status)
        return status;
      auto [at, inserted] = highest.emplace(a.site, a.seq);
      if (!inserted) at->second = std::max(at->second, a.seq);
      for (const auto& alias : a.aliases) {
        if (alias == a.identity) continue;
        auto alias_insert = query(kInsertAlias);
        if (!alias_insert) return alias_insert.error();
        alias_insert->bind(1, alias);
        alias_insert->bind(2, a.identity);
        if (auto status = alias_insert->run(fmt::format("recording alias {} of {}", alias, a.identity)); !status)
          return status;
      }
    }
    for (const auto& [site, seq] : highest)
      if (auto status = raise_site_counter(site, seq); !status) return status;
    return core::ok_status();
  });
}

std::vector<ArchivedArticle> SqliteStateDb::newest(std::string_view site, std::size_t limit) {
  auto s = must(kNewest);
  s.bind(1, site);
  s.bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<ArchivedArticle> out;
  while (s.next("listing the newest articles")) out.push_back(read_article(s));
  return out;
}

std::vector<SiteCount> SqliteStateDb::site_summaries() {
  auto s = must(kSiteSummaries);
  std::vector<SiteCount> out;
  while (s.next("summarizing sites"))
    out.push_back({s.text(0), static_cast<std::uint64_t>(s.integer(1)), s.optional_time(2)});
  return out;
}

core::Status SqliteStateDb::mark_changed(std::string_view identity, std::string_view content_hash,
                                         core::TimePoint when) {
  auto s = query(kMarkChanged);
  if (!s) return s.error();
  s->bind(1, identity);
  s->bind(2, content_hash);
  s->bind(3, when);
  if (auto status = s->run("marking an article changed"); !status) return status;
  if (db_.changes() == 0)
    return Error(ErrorKind::database,
                 fmt::format("state database: marking an article changed: no archived article \"{}\"",
                             identity));
  return core::ok_status();
}

core::Status SqliteStateDb::accept_content_hash(std::string_view identity, std::string_view content_hash) {
  auto s = query(kAcceptHash);
  if (!s) return s.error();
  s->bind(1, identity);
  s->bind(2, content_hash);
  return s->run("storing an article's hash");
}

core::Result<std::uint64_t> SqliteStateDb::reserve_site_sequence(std::string_view site, std::size_t count) {
  if (count == 0) return last_site_sequence(site) + 1;
  std::uint64_t last = 0;
  auto status = transaction([&]() -> core::Status {
    auto s = query(kAddToSiteCounter);
    if (!s) return s.error();
    s->bind(1, site);
    s->bind(2, static_cast<std::int64_t>(count));
    const auto context = fmt::format("reserving numbers for {}", site);
    auto row = s->step(context);
    if (!row) return row.error();
    if (!*row) return Error(ErrorKind::database, "state database: " + context + ": no counter returned");
    last = static_cast<std::uint64_t>(s->integer(0));
    return s->run(context);  // finishes the statement before the commit
  });
  if (!status) return status.error();
  return last - count + 1;
}

core::Result<bool> SqliteStateDb::claim_site_sequence(std::string_view site, std::uint64_t seq) {
  bool claimed = false;
  auto status = transaction([&]() -> core::Status {
    {
      auto taken = query(kSeqTaken);
      if (!taken) return taken.error();
      taken->bind(1, site);
      taken->bind(2, static_cast<std::int64_t>(seq));
      auto row = taken->step(fmt::format("looking up number {} of {}", seq, site));
      if (!row) return row.error();
      if (*row) return core::ok_status();
    }
    claimed = true;
    return raise_site_counter(site, seq);
  });
  if (!status) return status.error();
  return claimed;
}

core::Status SqliteStateDb::raise_site_sequence(std::string_view site, std::uint64_t seq) {
  return raise_site_counter(site, seq);
}

std::uint64_t SqliteStateDb::last_site_sequence(std::string_view site) {
  auto s = must(kGetSiteCounter);
  s.bind(1, site);
  if (s.next("reading a site's counter")) return static_cast<std::uint64_t>(s.integer(0));
  return 0;
}

std::vector<std::pair<std::string, std::string>> SqliteStateDb::site_folders() {
  auto s = must(kSiteFolders);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.next("reading the site folders")) out.emplace_back(s.text(0), s.text(1));
  return out;
}

core::Status SqliteStateDb::set_site_folder(std::string_view site, std::string_view folder) {
  auto s = query(kSetSiteFolder);
  if (!s) return s.error();
  s->bind(1, site);
  s->bind(2, folder);
  return s->run(fmt::format("recording the folder of {}", site));
}

Validators SqliteStateDb::get_validators(std::string_view url) {
  auto s = must(kGetValidators);
  s.bind(1, url);
  if (s.next("reading HTTP validators")) return {s.optional_text(0), s.optional_text(1)};
  return {};
}

core::Status SqliteStateDb::set_validators(std::string_view url, const std::optional<std::string>& etag,
                                           const std::optional<std::string>& last_modified) {
  auto s = query(kSetValidators);
  if (!s) return s.error();
  s->bind(1, url);
  s->bind_optional(2, etag);
  s->bind_optional(3, last_modified);
  return s->run(fmt::format("storing HTTP validators of {}", url));
}

core::Status SqliteStateDb::record_attempt(std::string_view source, core::TimePoint time,
                                           const core::Status& outcome, std::size_t new_count) {
  auto s = query(outcome ? kRecordSuccess : kRecordFailure);
  if (!s) return s.error();
  s->bind(1, source);
  s->bind(2, time);
  if (outcome) s->bind(3, static_cast<std::int64_t>(new_count));
  else s->bind(3, std::string_view(outcome.error().message));
  return s->run(fmt::format("recording the health of {}", source));
}

core::Status SqliteStateDb::set_images_pending(std::string_view site, std::string_view file_name,
                                               bool pending) {
  auto s = query(pending ? kMarkImagesPending : kClearImagesPending);
  if (!s) return s.error();
  s->bind(1, site);
  s->bind(2, file_name);
  return s->run(fmt::format("recording the images of {}/{}", site, file_name));
}

std::vector<PendingImages> SqliteStateDb::images_pending(std::uint32_t max_attempts) {
  auto s = must(kImagesPending);
  s.bind(1, static_cast<std::int64_t>(max_attempts));
  std::vector<PendingImages> out;
  while (s.next("reading the articles with pending images"))
    out.push_back({s.text(0), s.text(1), static_cast<std::uint32_t>(s.integer(2))});
  return out;
}

std::vector<SourceHealth> SqliteStateDb::health() {
  auto s = must(kHealth);
  std::vector<SourceHealth> out;
  while (s.next("reading source health")) {
    SourceHealth h;
    h.source = s.text(0);
    h.last_attempt = s.optional_time(1);
    h.last_success = s.optional_time(2);
    h.last_error = s.optional_text(3);
    h.consecutive_failures = static_cast<std::uint32_t>(s.integer(4));
    h.articles_archived = static_cast<std::uint64_t>(s.integer(5));
    h.last_new_count = static_cast<std::uint64_t>(s.integer(6));
    out.push_back(std::move(h));
  }
  return out;
}

core::Status SqliteStateDb::transaction(const std::function<core::Status()>& body) {
  return db_.transaction(body);
}

int SqliteStateDb::schema_version() { return db_.schema_version(); }


}  // namespace newsmirror::state
