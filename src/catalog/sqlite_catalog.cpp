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
//   v5  article_count(n): one row, the number of rows of articles
//   v6  catalog_info(id): one row, made at random when the catalog is made
//       (a rebuilt catalog has another); articles_by_listing(site, listed
//       time, number): a site's articles of a month, or its newest, read
//       without reading them all (the site's incremental build)
//
// SqliteCatalog is the one engine of catalog::Catalog today.
//
// Migrations only ever append: a database at version N runs the steps
// N+1..kSchemaVersion, each in the same transaction as its user_version
// bump, so an interrupted migration is simply run again.
#include "catalog/sqlite_catalog.hpp"

#include <fcntl.h>
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
#include "core/mirror_layout.hpp"
#include "search/plain_text.hpp"
#include "search/search_index.hpp"
#include "search/tokenizer.hpp"
#include "storage/sqlite.hpp"

namespace newsmirror::catalog {

namespace {

using core::Error;
using core::ErrorKind;

using storage::Connection;
using storage::Query;

enum Sql : std::size_t {
  kInsertArticle,
  kCountArticle,
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
  kListedArticles,
  kArticlesAfter,
  kVersionCounts,
  kCatalogId,
  kLastArticle,
  kLastVersion,
  kListedChanged,
  kListedBetween,
  kListedNewest,
  kListedById,
  kVersionCount,
  kStatementCount,
};

// ARTICLE_COLUMNS less identity, last_seen and content_hash (left empty):
// what a listing reads (each_listed_article).
#define LISTED_COLUMNS \
  "id, site, file, number, '', title, link, published, first_seen, 0, language, '', current_version"

// Exactly the expression of articles_by_listing, or SQLite does not use it.
#define LISTED_TIME "coalesce(published, first_seen)"

#define ARTICLE_COLUMNS                                                                     \
  "id, site, file, number, identity, title, link, published, first_seen, last_seen, language," \
  " content_hash, current_version"

constexpr std::array<const char*, kStatementCount> kSqlText = {
    // kInsertArticle
    "INSERT INTO articles(site, file, number, identity, title, link, published, first_seen,"
    " last_seen, language, content_hash, file_size, file_mtime)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12)",
    // kCountArticle: by rowid, so that it is known to change one row and
    // needs no savepoint (see migrate_to_5)
    "UPDATE article_count SET n = n + 1 WHERE rowid = 1",
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
    "SELECT n FROM article_count",
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
    // kListedArticles
    "SELECT " LISTED_COLUMNS " FROM articles ORDER BY id",
    // kArticlesAfter
    "SELECT " ARTICLE_COLUMNS " FROM articles WHERE id > ?1 ORDER BY id LIMIT ?2",
    // kVersionCounts
    "SELECT article, count(*) FROM versions GROUP BY article HAVING count(*) > 1",
    // kCatalogId
    "SELECT id FROM catalog_info",
    // kLastArticle
    "SELECT coalesce(max(id), 0) FROM articles",
    // kLastVersion
    "SELECT coalesce(max(id), 0) FROM versions",
    // kListedChanged: new rows, and rows given a new version
    "SELECT " LISTED_COLUMNS " FROM articles WHERE id > ?1"
    " UNION SELECT " LISTED_COLUMNS " FROM articles WHERE id IN (SELECT article FROM versions WHERE id > ?2)"
    " ORDER BY id",
    // kListedBetween
    "SELECT " LISTED_COLUMNS " FROM articles WHERE site = ?1 AND " LISTED_TIME " >= ?2 AND " LISTED_TIME " < ?3"
    " ORDER BY id",
    // kListedNewest: the site model's order (site_model.cpp)
    "SELECT " LISTED_COLUMNS " FROM articles WHERE site = ?1"
    " ORDER BY " LISTED_TIME " DESC, number DESC, id DESC LIMIT ?2",
    // kListedById
    "SELECT " LISTED_COLUMNS " FROM articles WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
    // kVersionCount
    "SELECT count(*) FROM versions WHERE article = ?1",
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
core::Status migrate_to_1(Connection& db) {
  if (auto s = db.exec(kSchemaV1, "creating the schema"); !s) return s;
  return search::create_search_schema(db);
}

// v2: the tokenizer looked for dictionary words only in the first
// characters of a text (search/tokenizer.hpp): the index was rebuilt,
// since an entry must be deleted with the very terms it was made of. Now
// a no-op: v3 makes the index anew, and doing it twice would only cost.
core::Status migrate_to_2(Connection&) { return core::ok_status(); }

// v3: single characters are indexed too, and the body became the first
// column (search/search_index.cpp): the index is made anew.
core::Status migrate_to_3(Connection& db) {
  // Minutes for a big catalog, on whatever command opened it first: say so
  // (at the default log level), or it looks hung.
  auto articles = db.integer("SELECT count(*) FROM article_text", "counting the indexed articles");
  if (articles && *articles > 1000)
    spdlog::warn("catalog: rebuilding the search index of {} articles for this version of newsmirror, once "
                 "(about a minute per 100,000)",
                 *articles);
  return search::upgrade_search_index(db);
}

// Each version keeps its title, so that a story retitled by its publisher
// is a version of its own and `history`/`diff` show the change. Versions
// stored before have none (NULL: not known).
core::Status migrate_to_4(Connection& db) {
  // A catalog whose version number was set back (tests do) has it already.
  auto present = db.integer("SELECT count(*) FROM pragma_table_info('versions') WHERE name = 'title'",
                            "looking for version titles");
  if (!present) return present.error();
  if (*present > 0) return core::ok_status();
  return db.exec("ALTER TABLE versions ADD COLUMN title TEXT;", "adding version titles");
}

// Every cycle compares the catalog's article count with the state's; at a
// million articles, count(*) read every page of an index (71 MB a cycle).
// record_prepared() keeps the count, in the transaction that adds the row.
// Not a trigger: a statement that fires one runs in a savepoint, and FTS5
// writes its pending terms out as a new segment at every savepoint, one
// segment an article (a bulk load ran out of segment numbers).
core::Status migrate_to_5(Connection& db) {
  return db.exec(
      "CREATE TABLE IF NOT EXISTS article_count(n INTEGER);"
      "DELETE FROM article_count;"
      "INSERT INTO article_count(rowid, n) SELECT 1, count(*) FROM articles;",
      "counting the articles");
}

// A site build that knows what changed since its last one rewrites only
// the pages that show it (site/build_state.hpp): it needs to tell this
// catalog from a rebuilt one, and to read a site's articles of one month
// and its newest ones through an index. Building the index takes seconds
// at a million articles, once.
constexpr const char* kCreateListingIndex =
    "CREATE INDEX IF NOT EXISTS articles_by_listing ON articles(site, " LISTED_TIME ", number);";

core::Status migrate_to_6(Connection& db) {
  if (auto s = db.exec("CREATE TABLE IF NOT EXISTS catalog_info(id TEXT NOT NULL);"
                       "DELETE FROM catalog_info;"
                       "INSERT INTO catalog_info(rowid, id) VALUES(1, lower(hex(randomblob(16))));",
                       "giving the catalog its id");
      !s)
    return s;
  return db.exec(kCreateListingIndex, "indexing the articles by site and time");
}

const storage::Migration kMigrations[] = {migrate_to_1, migrate_to_2, migrate_to_3,
                                          migrate_to_4, migrate_to_5, migrate_to_6};
static_assert(std::size(kMigrations) == kSchemaVersion);

// Fills `a` from a row of ARTICLE_COLUMNS; its strings keep their buffers,
// so a reader of many rows can refill one Article.
void fill_article_row(const Query& s, Article& a) {
  a.id = s.integer(0);
  a.site.assign(s.text_view(1));
  a.file.assign(s.text_view(2));
  a.number.reset();
  if (!s.is_null(3)) a.number = static_cast<std::uint64_t>(s.integer(3));
  a.identity.assign(s.text_view(4));
  a.title.assign(s.text_view(5));
  a.link.assign(s.text_view(6));
  a.published.reset();
  if (!s.is_null(7)) a.published = s.time(7);
  a.first_seen = s.time(8);
  a.last_seen = s.time(9);
  a.language.assign(s.text_view(10));
  a.content_hash.assign(s.text_view(11));
  a.current_version = s.integer(12);
}

Article read_article_row(const Query& s) {
  Article a;
  fill_article_row(s, a);
  return a;
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

}  // namespace

struct SqliteCatalog::Impl {
  explicit Impl(Connection connection) : db(std::move(connection)), index(db) {}
  ~Impl() {
    if (bulk_lock >= 0) ::close(bulk_lock);
  }

  Connection db;
  storage::StatementCache<kStatementCount> statements{kSqlText};
  search::IndexWriter index;  // on `db`
  int bulk_lock = -1;  // the bulk-load marker's descriptor, locked, while loading

  core::Result<Query> query(Sql sql) { return statements.query(db, sql); }
  // For plain-value queries: a failing read of a database that opened fine
  // is corruption or a dying disk; main reports the exception.
  Query must(Sql sql) { return statements.must(db, sql); }

  core::Result<std::int64_t> insert_version(ArticleId article, const PreparedArticle& p,
                                            core::TimePoint fetched_at) {
    auto s = query(kInsertVersion);
    if (!s) return s.error();
    s->bind(1, article);
    s->bind(2, fetched_at);
    s->bind(3, p.content_hash);
    s->bind(4, static_cast<std::int64_t>(p.html_size));
    s->bind(5, p.html_encoding);
    s->bind_blob(6, p.stored_html);
    s->bind(7, p.article.title);
    if (auto status = s->run("storing a version of " + p.article.file); !status) return status.error();
    return db.last_insert_rowid();
  }

  core::Status set_current(ArticleId article, std::int64_t version, const PreparedArticle& p,
                           core::TimePoint seen, std::optional<std::string_view> title) {
    auto s = query(kSetCurrent);
    if (!s) return s.error();
    s->bind(1, article);
    s->bind(2, version);
    s->bind(3, p.content_hash);
    s->bind(4, seen);
    s->bind(5, p.language);
    s->bind_optional(6, title);
    return s->run(fmt::format("making version {} current", version));
  }

  std::vector<Article> articles(Sql sql, const std::function<void(Query&)>& bind, std::string_view what,
                                std::size_t expected = 0) {
    auto s = must(sql);
    bind(s);
    std::vector<Article> out;
    out.reserve(expected);
    while (s.next(what)) out.push_back(read_article_row(s));
    return out;
  }

  std::vector<Article> listed(Sql sql, const std::function<void(Query&)>& bind) {
    return articles(sql, bind, "listing articles");
  }
};

SqliteCatalog::SqliteCatalog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteCatalog::~SqliteCatalog() = default;

core::Result<std::unique_ptr<SqliteCatalog>> SqliteCatalog::open_file(const std::filesystem::path& db_file,
                                                                     CatalogUse use) {
  discard_interrupted_bulk_load(db_file);
  storage::OpenOptions options;
  options.name = "catalog database";
  // WAL: search and serve read while a cycle or an import writes. NORMAL
  // is durable across application crashes; the catalog can be rebuilt from
  // the files in any case.
  // The cache (in KB): 64 MB for a writer, 8 MB for a reader (CatalogUse).
  options.setup_sql = fmt::format(
      "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
      " PRAGMA cache_size=-{}; PRAGMA wal_autocheckpoint=10000;",
      use == CatalogUse::writing ? 65536 : 8192);
  auto db = Connection::open(db_file, options);
  if (!db) return db.error();
  if (auto s = search::prepare_connection(*db); !s) return s.error();
  if (auto s = db->migrate(kMigrations, "upgrade newsmirror, or rebuild it with `newsmirror reindex`"); !s)
    return s.error();
  return std::unique_ptr<SqliteCatalog>(new SqliteCatalog(std::make_unique<Impl>(std::move(*db))));
}

core::Result<ArticleId> SqliteCatalog::record_prepared(const PreparedArticle& p) {
  const auto& a = p.article;
  ArticleId id = 0;
  auto status = impl_->db.atomically([&]() -> core::Status {
    {
      auto s = impl_->query(kInsertArticle);
      if (!s) return s.error();
      s->bind(1, a.site);
      s->bind(2, a.file);
      if (a.number) s->bind(3, static_cast<std::int64_t>(*a.number));
      s->bind(4, a.identity);
      s->bind(5, a.title);
      s->bind(6, a.link);
      s->bind(7, a.published);
      s->bind(8, a.fetched_at);
      s->bind(9, p.language);
      s->bind(10, p.content_hash);
      if (a.stamp) {
        s->bind(11, a.stamp->size);
        s->bind(12, a.stamp->mtime_ns);
      }
      if (auto done = s->run("cataloging " + a.file); !done) return done;
    }
    id = impl_->db.last_insert_rowid();
    {
      auto s = impl_->query(kCountArticle);
      if (!s) return s.error();
      if (auto done = s->run("counting " + a.file); !done) return done;
    }
    auto version = impl_->insert_version(id, p, a.fetched_at);
    if (!version) return version.error();
    if (auto s = impl_->set_current(id, *version, p, a.fetched_at, std::nullopt); !s) return s;
    return impl_->index.index(id, a.title, p.visible_text, &p.index_terms);
  });
  if (!status) return status.error();
  return id;
}

core::Status SqliteCatalog::record_seen(ArticleId article, core::TimePoint when) {
  auto s = impl_->query(kSeen);
  if (!s) return s.error();
  s->bind(1, article);
  s->bind(2, when);
  return s->run("recording when an article was seen");
}

core::Result<bool> SqliteCatalog::record_prepared_version(ArticleId article, const PreparedArticle& p) {
  bool changed = false;
  auto status = impl_->db.atomically([&]() -> core::Status {
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
    if (title) return impl_->index.index(article, *title, p.visible_text, &p.index_terms);
    // The terms were worked out for an empty title; the article keeps its own.
    search::IndexTerms terms{search::pretokenize(current->title), p.index_terms.body};
    return impl_->index.index(article, current->title, p.visible_text, &terms);
  });
  if (!status) return status.error();
  return changed;
}

std::optional<Article> SqliteCatalog::find(ArticleId id) {
  auto found = impl_->articles(kFind, [&](Query& s) { s.bind(1, id); }, "looking up an article");
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<Article> SqliteCatalog::find_by_file(std::string_view file) {
  auto found = impl_->articles(kFindFile, [&](Query& s) { s.bind(1, file); }, "looking up a file");
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<Article> SqliteCatalog::find_by_identity(std::string_view identity) {
  auto found =
      impl_->articles(kFindIdentity, [&](Query& s) { s.bind(1, identity); }, "looking up an identity");
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<Article> SqliteCatalog::find_by_number(std::string_view site, std::uint64_t number) {
  return impl_->articles(
      kFindNumber,
      [&](Query& s) {
        s.bind(1, site);
        s.bind(2, static_cast<std::int64_t>(number));
      },
      "looking up an article number");
}

std::vector<Article> SqliteCatalog::find_by_link(std::string_view link) {
  return impl_->articles(kFindLink, [&](Query& s) { s.bind(1, link); }, "looking up a link");
}

bool SqliteCatalog::has_content(std::string_view site, std::string_view identity, std::string_view hash) {
  auto s = impl_->must(kHasContent);
  s.bind(1, site);
  s.bind(2, hash);
  s.bind(3, identity);
  return s.next("looking up a content hash");
}

std::vector<std::string> SqliteCatalog::files_of_site(std::string_view site) {
  auto s = impl_->must(kFilesOfSite);
  s.bind(1, site);
  std::vector<std::string> out;
  while (s.next("listing a site's files")) out.push_back(s.text(0));
  return out;
}

std::vector<std::string> SqliteCatalog::sites() {
  auto s = impl_->must(kSites);
  std::vector<std::string> out;
  while (s.next("listing sites")) out.push_back(s.text(0));
  return out;
}

std::vector<Article> SqliteCatalog::all_articles() {
  // Sized first: grown by doubling, the rows of a million articles would
  // briefly be held one and a half times over.
  return impl_->articles(kAllArticles, [](Query&) {}, "listing articles", article_count());
}

std::vector<Article> SqliteCatalog::articles_after(ArticleId after, std::size_t limit) {
  return impl_->articles(
      kArticlesAfter,
      [&](Query& s) {
        s.bind(1, after);
        s.bind(2, static_cast<std::int64_t>(limit));
      },
      "listing articles", limit);
}

void SqliteCatalog::each_listed_article(const std::function<void(const Article&)>& visit) {
  auto s = impl_->must(kListedArticles);
  Article a;  // refilled: its strings keep their buffers from row to row
  while (s.next("listing articles")) {
    fill_article_row(s, a);
    visit(a);
  }
}

ChangeMark SqliteCatalog::change_mark() {
  ChangeMark mark;
  auto id = impl_->must(kCatalogId);
  if (id.next("reading the catalog's id")) mark.catalog = id.text(0);
  auto article = impl_->must(kLastArticle);
  if (article.next("reading the last article")) mark.last_article = article.integer(0);
  auto version = impl_->must(kLastVersion);
  if (version.next("reading the last version")) mark.last_version = version.integer(0);
  return mark;
}

std::vector<Article> SqliteCatalog::listed_changed_since(const ChangeMark& since) {
  return impl_->listed(kListedChanged, [&](Query& s) {
    s.bind(1, since.last_article);
    s.bind(2, since.last_version);
  });
}

std::vector<Article> SqliteCatalog::listed_between(std::string_view site, core::TimePoint from,
                                                   core::TimePoint until) {
  return impl_->listed(kListedBetween, [&](Query& s) {
    s.bind(1, site);
    s.bind(2, from);
    s.bind(3, until);
  });
}

std::vector<Article> SqliteCatalog::listed_newest(std::string_view site, std::size_t count) {
  return impl_->listed(kListedNewest, [&](Query& s) {
    s.bind(1, site);
    s.bind(2, static_cast<std::int64_t>(count));
  });
}

std::vector<Article> SqliteCatalog::listed_by_id(ArticleId first, ArticleId last) {
  return impl_->listed(kListedById, [&](Query& s) {
    s.bind(1, first);
    s.bind(2, last);
  });
}

int SqliteCatalog::version_count(ArticleId article) {
  auto s = impl_->must(kVersionCount);
  s.bind(1, article);
  return s.next("counting versions") ? static_cast<int>(s.integer(0)) : 0;
}

std::unordered_map<ArticleId, int> SqliteCatalog::version_counts() {
  auto s = impl_->must(kVersionCounts);
  std::unordered_map<ArticleId, int> out;
  while (s.next("counting versions")) out.emplace(s.integer(0), static_cast<int>(s.integer(1)));
  return out;
}

std::size_t SqliteCatalog::article_count() {
  auto s = impl_->must(kCount);
  if (!s.next("counting articles")) return 0;
  return static_cast<std::size_t>(s.integer(0));
}

std::vector<Version> SqliteCatalog::versions(ArticleId article) {
  auto s = impl_->must(kVersions);
  s.bind(1, article);
  std::vector<Version> out;
  while (s.next("listing versions")) {
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
  return out;
}

core::Result<std::string> SqliteCatalog::version_html(std::int64_t version_id) {
  auto s = impl_->query(kVersionHtml);
  if (!s) return s.error();
  s->bind(1, version_id);
  auto row = s->step("reading a version");
  if (!row) return row.error();
  if (!*row) return Error(ErrorKind::database, fmt::format("catalog database: no version with id {}", version_id));
  return decompress_html(s->text(0), s->blob(1), static_cast<std::size_t>(s->integer(2)));
}

std::unordered_map<std::string, std::pair<ArticleId, FileStamp>> SqliteCatalog::file_stamps() {
  auto s = impl_->must(kStamps);
  std::unordered_map<std::string, std::pair<ArticleId, FileStamp>> out;
  while (s.next("reading file stamps")) {
    FileStamp stamp;
    if (!s.is_null(2)) stamp = {s.integer(2), s.integer(3)};
    out.emplace(s.text(0), std::make_pair(s.integer(1), stamp));
  }
  return out;
}

core::Status SqliteCatalog::set_stamp(ArticleId article, const FileStamp& stamp) {
  auto s = impl_->query(kSetStamp);
  if (!s) return s.error();
  s->bind(1, article);
  s->bind(2, stamp.size);
  s->bind(3, stamp.mtime_ns);
  return s->run("storing a file stamp");
}

core::Status SqliteCatalog::transaction(const std::function<core::Status()>& body) {
  return impl_->db.transaction(body);
}

core::Result<search::SearchResults> SqliteCatalog::search(const search::SearchQuery& query) {
  return search::search(impl_->db, query);
}

core::Status SqliteCatalog::check_search_index() { return search::check_search_index(impl_->db); }

core::Result<bool> SqliteCatalog::begin_bulk_load() {
  auto& impl = *impl_;
  auto& db = impl.db;
  if (impl.bulk_lock >= 0) return true;
  if (db.in_transaction() || article_count() != 0) return false;
  const auto marker = bulk_marker(db.file());
  int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;  // a read-only folder: load the usual way
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  auto give_up = [&] {
    db.exec_ignoring_errors("PRAGMA locking_mode=NORMAL");
    db.exec_ignoring_errors("PRAGMA journal_mode=WAL");
    std::error_code ec;
    std::filesystem::remove(marker, ec);
    ::close(fd);
  };
  // The marker must be on disk before the first unjournaled write.
  if (::fsync(fd) != 0 || !sync_path(db.file().parent_path(), O_RDONLY | O_DIRECTORY)) {
    give_up();
    return false;
  }
  // Leaving WAL needs the database to itself: with another connection on
  // it this fails and the load goes the usual way.
  db.exec_ignoring_errors("PRAGMA locking_mode=EXCLUSIVE");
  auto mode = db.text("PRAGMA journal_mode=OFF", "leaving WAL mode");
  if (!mode || *mode != "off") {
    give_up();
    return false;
  }
  // The first write takes the exclusive lock for good; the catalog must
  // still be empty then.
  if (auto s = db.exec("BEGIN IMMEDIATE", "starting a bulk load"); !s) {
    give_up();
    return s.error();
  }
  if (article_count() != 0) {
    db.exec_ignoring_errors("ROLLBACK");  // nothing written yet
    give_up();
    return false;
  }
  if (auto s = search::start_bulk_indexing(db); !s) {
    db.exec_ignoring_errors("ROLLBACK");
    give_up();
    return s.error();
  }
  // Made at the end from the sorted rows, not grown row by row in random
  // order (a tenth of an import's time).
  if (auto s = db.exec("DROP INDEX IF EXISTS articles_by_listing", "starting a bulk load"); !s) {
    db.exec_ignoring_errors("ROLLBACK");
    give_up();
    return s.error();
  }
  impl.bulk_lock = fd;
  if (auto s = db.exec("COMMIT; PRAGMA synchronous=OFF", "starting a bulk load"); !s) return s.error();
  return true;
}

core::Status SqliteCatalog::end_bulk_load() {
  auto& impl = *impl_;
  auto& db = impl.db;
  if (impl.bulk_lock < 0) return core::ok_status();
  if (auto s = db.exec(kCreateListingIndex, "indexing the articles by site and time"); !s) return s;
  if (auto s = search::finish_bulk_indexing(db); !s) return s;
  // Everything on disk before the marker goes.
  if (auto s = db.exec("PRAGMA synchronous=NORMAL", "finishing a bulk load"); !s) return s;
  if (auto s = sync_path(db.file(), O_RDONLY); !s) return s;
  // Shared again: the read releases the lock held since the first write.
  if (auto s = db.exec("PRAGMA locking_mode=NORMAL; SELECT count(*) FROM sqlite_schema", "finishing a bulk load"); !s)
    return s;
  // Back to WAL; should a reader have slipped in, the next open() does it.
  db.exec_ignoring_errors("PRAGMA journal_mode=WAL");
  const auto marker = bulk_marker(db.file());
  std::error_code ec;
  std::filesystem::remove(marker, ec);
  if (ec) return Error(ErrorKind::io, fmt::format("{}: cannot remove: {}", marker.string(), ec.message()));
  ::close(impl.bulk_lock);
  impl.bulk_lock = -1;
  return sync_path(db.file().parent_path(), O_RDONLY | O_DIRECTORY);
}

bool SqliteCatalog::bulk_loading() const { return impl_->bulk_lock >= 0; }

core::Status SqliteCatalog::checkpoint_and_close_wal() {
  if (auto s = impl_->db.exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing"); !s) return s;
  return impl_->db.exec("PRAGMA journal_mode=DELETE", "leaving WAL mode");
}

int SqliteCatalog::schema_version() { return impl_->db.schema_version(); }

const std::filesystem::path& SqliteCatalog::file() const { return impl_->db.file(); }

std::string SqliteCatalog::journal_mode() {
  auto mode = impl_->db.text("PRAGMA journal_mode", "reading the journal mode");
  if (!mode) throw storage::DatabaseError(mode.error(), 0);
  return *mode;
}

core::Result<std::int64_t> SqliteCatalog::data_version() {
  return impl_->db.integer("PRAGMA data_version", "reading the data version");
}

core::Result<search::SearchResults> search_sqlite_catalog(const std::filesystem::path& db_file,
                                                          const search::SearchQuery& query) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(db_file, error))
    return Error(ErrorKind::io, "no catalog at " + db_file.string() +
                                    " (`newsmirror import` builds it from the mirror's files)");
  storage::OpenOptions options;
  options.name = "catalog database";
  options.read_only = true;
  options.busy_timeout_ms = 5000;
  auto db = Connection::open(db_file, options);
  if (!db) return db.error();
  if (auto s = search::prepare_connection(*db); !s) return s.error();
  auto results = search::search(*db, query);
  if (!results && results.error().kind == ErrorKind::database) return results.error().with_context(db_file.string());
  return results;
}

}  // namespace newsmirror::catalog
