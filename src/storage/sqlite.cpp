#include "storage/sqlite.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace newsmirror::storage {

namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

std::int64_t millis(core::TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

Statement::Statement(Statement&& other) noexcept : statement_(std::exchange(other.statement_, nullptr)) {}
Statement& Statement::operator=(Statement&& other) noexcept {
  std::swap(statement_, other.statement_);
  return *this;
}
Statement::~Statement() { sqlite3_finalize(statement_); }

Query::~Query() {
  if (!statement_) return;
  sqlite3_reset(statement_->statement_);
  sqlite3_clear_bindings(statement_->statement_);
}

void Query::bind(int index, std::string_view text) {
  sqlite3_bind_text(statement_->statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
void Query::bind_borrowed(int index, std::string_view text) {
  sqlite3_bind_text(statement_->statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}
void Query::bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_->statement_, index, value); }
void Query::bind(int index, core::TimePoint time) { bind(index, millis(time)); }
void Query::bind_optional(int index, const std::optional<std::string>& text) {
  if (text) bind(index, std::string_view(*text));
  else bind_null(index);
}
void Query::bind_optional(int index, const std::optional<std::string_view>& text) {
  if (text) bind(index, *text);
  else bind_null(index);
}
void Query::bind(int index, const std::optional<std::int64_t>& value) {
  if (value) bind(index, *value);
  else bind_null(index);
}
void Query::bind(int index, const std::optional<core::TimePoint>& time) {
  if (time) bind(index, *time);
  else bind_null(index);
}
void Query::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(statement_->statement_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}
void Query::bind_null(int index) { sqlite3_bind_null(statement_->statement_, index); }
void Query::bind_column(int index, const Query& row, int column) {
  sqlite3_bind_value(statement_->statement_, index, sqlite3_column_value(row.statement_->statement_, column));
}

core::Result<bool> Query::step(std::string_view context) {
  const int rc = sqlite3_step(statement_->statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->error(rc, context);
}

bool Query::next(std::string_view context) {
  const int rc = sqlite3_step(statement_->statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) connection_->fail(rc, context);
  return false;
}

core::Status Query::run(std::string_view context) {
  int rc;
  while ((rc = sqlite3_step(statement_->statement_)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return connection_->error(rc, context);
  return core::ok_status();
}

bool Query::is_null(int column) const { return sqlite3_column_type(statement_->statement_, column) == SQLITE_NULL; }

std::string Query::text(int column) const { return std::string(text_view(column)); }

std::string_view Query::text_view(int column) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(statement_->statement_, column));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(statement_->statement_, column)))
           : std::string_view();
}

std::optional<std::string> Query::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::string Query::blob(int column) const {
  auto p = static_cast<const char*>(sqlite3_column_blob(statement_->statement_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(statement_->statement_, column)))
           : std::string();
}

std::int64_t Query::integer(int column) const { return sqlite3_column_int64(statement_->statement_, column); }
double Query::real(int column) const { return sqlite3_column_double(statement_->statement_, column); }

core::TimePoint Query::time(int column) const {
  return core::TimePoint(std::chrono::milliseconds(integer(column)));
}

std::optional<core::TimePoint> Query::optional_time(int column) const {
  if (is_null(column)) return std::nullopt;
  return time(column);
}

struct Connection::Impl {
  std::unique_ptr<sqlite3, CloseDb> db;
  std::filesystem::path file;
  std::string name;
  Statement begin, commit, savepoint, release;
  int depth = 0;  // open transaction() levels
  // Set when a step of atomically() failed inside a transaction that it
  // took no savepoint of: the innermost transaction() must roll back.
  std::optional<core::Error> doomed;

  core::Status run_cached(Statement& statement, const char* sql, Connection& connection, std::string_view context) {
    if (!statement) {
      auto prepared = prepare_persistent(connection, sql);
      if (!prepared) return prepared.error();
      statement = std::move(*prepared);
    }
    return Query(connection, statement).run(context);
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() {
  // Statements first: sqlite3_close_v2 would keep the handle alive for them.
  if (!impl_) return;
  impl_->begin = {};
  impl_->commit = {};
  impl_->savepoint = {};
  impl_->release = {};
}

core::Result<Connection> Connection::open(const std::filesystem::path& file, const OpenOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  impl->name = options.name;
  sqlite3* raw = nullptr;
  const int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  impl->db.reset(raw);  // SQLite hands out a handle even on failure
  Connection connection(std::move(impl));
  if (rc != SQLITE_OK) return connection.error(rc, fmt::format("opening {}", file.string()));
  sqlite3_extended_result_codes(raw, 1);
  // Another process (a second `newsmirror run`, `status`) may hold the
  // write lock for a moment; wait rather than fail.
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (!options.setup_sql.empty())
    if (auto s = connection.exec(options.setup_sql, fmt::format("configuring {}", file.string())); !s)
      return s.error();
  return connection;
}

const std::filesystem::path& Connection::file() const { return impl_->file; }

core::Result<Statement> Connection::prepare(std::string_view sql, std::string_view context) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(impl_->db.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  Statement statement(raw);
  if (rc != SQLITE_OK) return error(rc, context);
  return statement;
}

core::Result<Statement> prepare_persistent(Connection& connection, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(connection.impl_->db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  Statement statement(raw);
  if (rc != SQLITE_OK) return connection.error(rc, "preparing a statement");
  return statement;
}

core::Result<Connection::OneShot> Connection::query(std::string_view sql, std::string_view context) {
  auto statement = prepare(sql, context);
  if (!statement) return statement.error();
  return OneShot(*this, std::move(*statement));
}

core::Status Connection::exec(std::string_view sql, std::string_view context) {
  // sqlite3_exec needs a terminated string.
  const std::string text(sql);
  const int rc = sqlite3_exec(impl_->db.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, context);
  return core::ok_status();
}

void Connection::exec_ignoring_errors(std::string_view sql) {
  const std::string text(sql);
  sqlite3_exec(impl_->db.get(), text.c_str(), nullptr, nullptr, nullptr);
}

core::Result<Connection::OneShot> Connection::first_row(std::string_view sql, std::string_view context) {
  auto q = query(sql, context);
  if (!q) return q.error();
  auto row = (*q)->step(context);
  if (!row) return row.error();
  if (!*row) return core::Error(core::ErrorKind::database, fmt::format("{}: {}: no row", impl_->name, context));
  return std::move(*q);
}

core::Result<std::int64_t> Connection::integer(std::string_view sql, std::string_view context) {
  auto row = first_row(sql, context);
  if (!row) return row.error();
  return (*row)->integer(0);
}

core::Result<std::string> Connection::text(std::string_view sql, std::string_view context) {
  auto row = first_row(sql, context);
  if (!row) return row.error();
  return (*row)->text(0);
}

core::Status Connection::transaction(const std::function<core::Status()>& body) {
  auto& impl = *impl_;
  const bool outer = impl.depth == 0;
  if (auto s = outer ? impl.run_cached(impl.begin, "BEGIN IMMEDIATE", *this, "starting a transaction")
                     : impl.run_cached(impl.savepoint, "SAVEPOINT nested", *this, "starting a savepoint");
      !s)
    return s;
  const char* rollback = outer ? "ROLLBACK" : "ROLLBACK TO nested; RELEASE nested";
  ++impl.depth;
  std::optional<core::Error> doomed_outside = std::exchange(impl.doomed, std::nullopt);
  core::Status result = core::ok_status();
  try {
    result = body();
  } catch (...) {
    --impl.depth;
    impl.doomed = std::move(doomed_outside);
    exec_ignoring_errors(rollback);
    throw;
  }
  --impl.depth;
  std::optional<core::Error> doomed = std::exchange(impl.doomed, std::move(doomed_outside));
  if (result && doomed) result = *doomed;
  if (!result) {
    exec_ignoring_errors(rollback);
    return result;
  }
  auto status = outer ? impl.run_cached(impl.commit, "COMMIT", *this, "committing a transaction")
                      : impl.run_cached(impl.release, "RELEASE nested", *this, "releasing a savepoint");
  if (!status) exec_ignoring_errors(rollback);
  return status;
}

core::Status Connection::atomically(const std::function<core::Status()>& body) {
  if (impl_->depth == 0 && !in_transaction()) return transaction(body);
  auto status = body();
  // A transaction begun by hand (exec("BEGIN")) is its owner's to end.
  if (!status && impl_->depth > 0) impl_->doomed = status.error();
  return status;
}

bool Connection::in_transaction() const { return !sqlite3_get_autocommit(impl_->db.get()); }

core::Status Connection::migrate(std::span<const Migration> migrations, std::string_view advice) {
  const auto target = static_cast<std::int64_t>(migrations.size());
  auto version = integer("PRAGMA user_version", "reading the schema version");
  if (!version) return version.error();
  if (*version > target)
    return core::Error(core::ErrorKind::database,
                       fmt::format("{}: {} schema version {} is newer than this newsmirror understands ({}); {}",
                                   impl_->file.string(), impl_->name, *version, target, advice));
  for (auto v = *version; v < target; ++v) {
    if (auto s = exec("BEGIN IMMEDIATE", "starting a migration"); !s) return s;
    // Another process may have migrated while we waited for the lock.
    auto now = integer("PRAGMA user_version", "reading the schema version");
    if (!now || *now > v) {
      exec_ignoring_errors("ROLLBACK");
      if (!now) return now.error();
      v = *now - 1;
      continue;
    }
    auto step = migrations[static_cast<std::size_t>(v)](*this);
    // user_version cannot be bound; the number is ours, not user input.
    if (step)
      step = exec(fmt::format("PRAGMA user_version = {}", v + 1),
                  fmt::format("migrating the schema to version {}", v + 1));
    if (!step) {
      exec_ignoring_errors("ROLLBACK");
      return step;
    }
    if (auto s = exec("COMMIT", "committing a migration"); !s) return s;
  }
  return core::ok_status();
}

int Connection::schema_version() {
  auto v = integer("PRAGMA user_version", "reading the schema version");
  if (!v) throw DatabaseError(v.error(), 0);
  return static_cast<int>(*v);
}

std::int64_t Connection::changes() const { return sqlite3_changes64(impl_->db.get()); }
std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(impl_->db.get()); }

core::Error Connection::error(int sqlite_code, std::string_view context) const {
  sqlite3* db = impl_ ? impl_->db.get() : nullptr;
  const char* detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(sqlite_code);
  return core::Error(core::ErrorKind::database,
                     fmt::format("{}: {}: {} (sqlite error {})", impl_->name, context, detail, sqlite_code));
}

void Connection::fail(int sqlite_code, std::string_view context) const {
  throw DatabaseError(error(sqlite_code, context), sqlite_code);
}

fts5_api* Connection::fts5() {
  fts5_api* api = nullptr;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(impl_->db.get(), "SELECT fts5(?1)", -1, &statement, nullptr) != SQLITE_OK) return nullptr;
  sqlite3_bind_pointer(statement, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(statement);
  sqlite3_finalize(statement);
  return api;
}

}  // namespace newsmirror::storage
