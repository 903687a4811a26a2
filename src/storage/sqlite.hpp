// The one place the program talks to SQLite: a connection, its prepared
// statements, nested transactions, forward-only schema migrations and one
// error type that keeps SQLite's result code. The state database, the
// catalog and its search index are written on top of it, so that each of
// them is its tables and its SQL, and nothing above them sees a handle.
//
//   auto db = storage::Connection::open(file, {.name = "state database"});
//   storage::StatementCache statements(kSqlText);  // prepared on first use
//   auto q = statements.query(*db, kFind);         // throws DatabaseError
//   q.bind(1, identity);
//   while (q.next("looking up an article")) use(q.text(0));
//
// Errors: calls returning Result/Status report failures as
// ErrorKind::database, "<name>: <what we were doing>: <SQLite's message>
// (sqlite error N)". Queries for plain values throw DatabaseError instead:
// a failing read of a database that opened fine is corruption or a dying
// disk, which no caller can work around, and `main` reports it.
//
// Thread-safety: a Connection and its statements belong to one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/feed.hpp"
#include "core/result.hpp"
#include "storage/database_error.hpp"

struct fts5_api;
struct sqlite3_stmt;

namespace newsmirror::storage {

class Connection;

// A prepared statement, owned by whoever prepared it.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  explicit operator bool() const { return statement_ != nullptr; }

 private:
  friend class Connection;
  friend class Query;
  friend core::Result<Statement> prepare_persistent(Connection& connection, const char* sql);
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
  sqlite3_stmt* statement_ = nullptr;
};

// One use of a statement: binds parameters (by position, 1-based as SQLite
// counts), steps through the rows and reads their columns. When it ends,
// however it ends, the statement is reset and its bindings cleared, so the
// next use starts clean and no read lock is held.
class Query {
 public:
  Query(Connection& connection, Statement& statement) : connection_(&connection), statement_(&statement) {}
  Query(Query&& other) noexcept
      : connection_(other.connection_), statement_(std::exchange(other.statement_, nullptr)) {}
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  ~Query();

  void bind(int index, std::string_view text);
  // Without a copy: `text` must stay as it is until the query ends.
  void bind_borrowed(int index, std::string_view text);
  void bind(int index, std::int64_t value);
  void bind(int index, core::TimePoint time);  // milliseconds since the epoch
  void bind_optional(int index, const std::optional<std::string>& text);  // NULL when empty
  void bind_optional(int index, const std::optional<std::string_view>& text);
  void bind(int index, const std::optional<std::int64_t>& value);
  void bind(int index, const std::optional<core::TimePoint>& time);
  void bind_blob(int index, std::string_view bytes);
  void bind_null(int index);
  // Binds column `column` of the row `row` stands on, as it is (no copy).
  void bind_column(int index, const Query& row, int column);

  // The next row: true when there is one, false when the rows are done.
  core::Result<bool> step(std::string_view context);
  // As step, throwing DatabaseError on failure.
  bool next(std::string_view context);
  // Steps through every row (a statement that returns none, or whose rows
  // do not matter).
  core::Status run(std::string_view context);

  bool is_null(int column) const;
  std::string text(int column) const;
  // The same text, valid until the next step or reset: for reading many
  // rows without a string each.
  std::string_view text_view(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::string blob(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  core::TimePoint time(int column) const;
  std::optional<core::TimePoint> optional_time(int column) const;

 private:
  Connection* connection_;
  Statement* statement_;
};

struct OpenOptions {
  // Names the database in every error: "state database", "catalog database".
  std::string name = "database";
  bool read_only = false;  // read-only never creates the file
  // How long to wait for another connection's lock before failing.
  int busy_timeout_ms = 10000;
  // PRAGMAs and the like, run once the file is open.
  std::string setup_sql;
};

// A migration brings a schema from version N to N + 1; it runs inside the
// transaction that sets PRAGMA user_version to N + 1.
using Migration = std::function<core::Status(Connection&)>;

class Connection {
 public:
  static core::Result<Connection> open(const std::filesystem::path& file, const OpenOptions& options);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  const std::filesystem::path& file() const;

  core::Result<Statement> prepare(std::string_view sql, std::string_view context);
  // A statement that is prepared for one use: prepare() and a Query over it.
  class OneShot;
  core::Result<OneShot> query(std::string_view sql, std::string_view context);

  // Runs `sql` (one or more statements, no parameters).
  core::Status exec(std::string_view sql, std::string_view context);
  // For clean-up after a failure, whose first error is the one to report.
  void exec_ignoring_errors(std::string_view sql);
  // The first column of the first row of `sql` (a PRAGMA, a count).
  core::Result<std::int64_t> integer(std::string_view sql, std::string_view context);
  core::Result<std::string> text(std::string_view sql, std::string_view context);

  // `body` all or nothing. The outermost transaction is BEGIN IMMEDIATE
  // (the write lock at once, so two processes cannot both read and then
  // collide on the upgrade); one inside it is a savepoint. A failure or an
  // exception rolls back what `body` did.
  core::Status transaction(const std::function<core::Status()>& body);
  // `body` all or nothing, as transaction(), but inside an open transaction
  // no savepoint is taken: a failure dooms that transaction instead, which
  // then rolls back as a whole. For writers whose savepoints cost (FTS5
  // writes its pending terms out as a segment at every SAVEPOINT/RELEASE).
  core::Status atomically(const std::function<core::Status()>& body);
  bool in_transaction() const;

  // Runs the migrations the file's PRAGMA user_version has not seen, each in
  // its own transaction with its version bump, so an interrupted migration
  // is simply run again; a second process migrating meanwhile is waited
  // for. A file newer than `migrations` knows is an error that ends with
  // `advice`.
  core::Status migrate(std::span<const Migration> migrations, std::string_view advice);
  int schema_version();  // throws DatabaseError

  std::int64_t changes() const;          // rows the last statement changed
  std::int64_t last_insert_rowid() const;

  // Failures, in the form the header describes.
  core::Error error(int sqlite_code, std::string_view context) const;
  [[noreturn]] void fail(int sqlite_code, std::string_view context) const;

  // FTS5's extension API, for registering tokenizers and functions (the
  // search module's); null when this SQLite has no FTS5.
  fts5_api* fts5();

 private:
  friend core::Result<Statement> prepare_persistent(Connection& connection, const char* sql);
  // `sql` prepared and stepped to its first row; no row is an error.
  core::Result<OneShot> first_row(std::string_view sql, std::string_view context);
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Connection::OneShot {
 public:
  explicit OneShot(Connection& connection, Statement statement)
      : statement_(std::make_unique<Statement>(std::move(statement))), query_(connection, *statement_) {}
  Query& operator*() { return query_; }
  Query* operator->() { return &query_; }

 private:
  std::unique_ptr<Statement> statement_;  // stays put when the OneShot moves
  Query query_;
};

// Prepared with SQLITE_PREPARE_PERSISTENT: for statements kept and reused.
core::Result<Statement> prepare_persistent(Connection& connection, const char* sql);

// A connection's statements by number, each prepared on first use and kept
// (SQLITE_PREPARE_PERSISTENT) for the life of the cache. The cache must not
// outlive its connection.
template <std::size_t N>
class StatementCache {
 public:
  explicit StatementCache(const std::array<const char*, N>& sql) : sql_(sql) {}

  core::Result<Query> query(Connection& connection, std::size_t which) {
    auto& s = statements_[which];
    if (!s) {
      auto prepared = prepare_persistent(connection, sql_[which]);
      if (!prepared) return prepared.error();
      s = std::move(*prepared);
    }
    return Query(connection, s);
  }
  // As query, throwing DatabaseError on failure.
  Query must(Connection& connection, std::size_t which) {
    auto q = query(connection, which);
    if (!q) throw DatabaseError(q.error(), 0);
    return std::move(*q);
  }

 private:
  const std::array<const char*, N>& sql_;
  std::array<Statement, N> statements_;
};

}  // namespace newsmirror::storage
