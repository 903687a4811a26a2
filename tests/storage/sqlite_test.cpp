// The storage layer on a real SQLite file: statements and their uses,
// transactions that nest, writers that doom the transaction around them,
// migrations, and the errors that keep SQLite's code.
#include "storage/sqlite.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <stdexcept>
#include <vector>

#include "support/paths.hpp"

namespace newsmirror::storage {
namespace {

Connection open_in(const test::TempDir& dir, std::string name = "test database") {
  OpenOptions options;
  options.name = std::move(name);
  options.setup_sql = "PRAGMA journal_mode=WAL;";
  auto db = Connection::open(dir.path() / "test.db", options);
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

std::int64_t count(Connection& db) {
  auto n = db.integer("SELECT count(*) FROM t", "counting");
  EXPECT_TRUE(n.ok());
  return n ? *n : -1;
}

core::Status insert(Connection& db, std::int64_t value) {
  auto q = db.query("INSERT INTO t(v) VALUES(?1)", "inserting");
  if (!q) return q.error();
  (*q)->bind(1, value);
  return (*q)->run("inserting");
}

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(db_.exec("CREATE TABLE t(v INTEGER UNIQUE)", "creating").ok()); }
  test::TempDir dir_;
  Connection db_ = open_in(dir_);
};

TEST_F(StorageTest, AQueryBindsStepsAndReadsEveryKindOfValue) {
  ASSERT_TRUE(db_.exec("CREATE TABLE kinds(s TEXT, i INTEGER, b BLOB, n TEXT, t INTEGER)", "creating").ok());
  auto insert_row = db_.query("INSERT INTO kinds VALUES(?1, ?2, ?3, ?4, ?5)", "inserting");
  ASSERT_TRUE(insert_row.ok());
  (*insert_row)->bind(1, std::string_view("法广"));
  (*insert_row)->bind(2, std::int64_t{-7});
  (*insert_row)->bind_blob(3, std::string_view("a\0b", 3));
  (*insert_row)->bind_optional(4, std::optional<std::string>());
  (*insert_row)->bind(5, core::TimePoint(std::chrono::milliseconds(1689335200123)));
  ASSERT_TRUE((*insert_row)->run("inserting").ok());

  auto row = db_.query("SELECT s, i, b, n, t FROM kinds", "reading");
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE((*row)->next("reading"));
  EXPECT_EQ((*row)->text(0), "法广");
  EXPECT_EQ((*row)->integer(1), -7);
  EXPECT_EQ((*row)->blob(2), std::string("a\0b", 3));
  EXPECT_TRUE((*row)->is_null(3));
  EXPECT_FALSE((*row)->optional_text(3));
  EXPECT_EQ((*row)->time(4).time_since_epoch().count(), 1689335200123);
  EXPECT_FALSE((*row)->next("reading")) << "one row only";
}

TEST_F(StorageTest, ACachedStatementStartsEachUseWithoutTheLastOnesBindings) {
  static const std::array<const char*, 1> sql = {"SELECT ?1 IS NULL"};
  StatementCache<1> cache(sql);
  {
    auto q = cache.must(db_, 0);
    q.bind(1, std::int64_t{1});
    ASSERT_TRUE(q.next("first use"));
    EXPECT_EQ(q.integer(0), 0);
  }
  auto q = cache.must(db_, 0);
  ASSERT_TRUE(q.next("second use"));
  EXPECT_EQ(q.integer(0), 1) << "the binding of the first use is gone";
}

TEST_F(StorageTest, ANestedTransactionThatFailsRollsBackOnlyItself) {
  auto status = db_.transaction([&]() -> core::Status {
    if (auto s = insert(db_, 1); !s) return s;
    auto inner = db_.transaction([&]() -> core::Status {
      if (auto s = insert(db_, 2); !s) return s;
      return core::Error(core::ErrorKind::internal, "inner fails");
    });
    EXPECT_FALSE(inner.ok());
    return insert(db_, 3);
  });
  ASSERT_TRUE(status.ok()) << status.error().message;
  auto values = db_.query("SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY v)", "listing");
  ASSERT_TRUE(values.ok());
  ASSERT_TRUE((*values)->next("listing"));
  EXPECT_EQ((*values)->text(0), "1,3");
}

TEST_F(StorageTest, AnExceptionRollsTheTransactionBackAndPassesThrough) {
  EXPECT_THROW((void)db_.transaction([&]() -> core::Status {
    (void)insert(db_, 1);
    throw std::runtime_error("out");
  }),
               std::runtime_error);
  EXPECT_EQ(count(db_), 0);
  EXPECT_FALSE(db_.in_transaction());
}

TEST_F(StorageTest, AFailedAtomicStepInsideATransactionDoomsItEvenIfTheBodyGoesOn) {
  auto status = db_.transaction([&]() -> core::Status {
    if (auto s = insert(db_, 1); !s) return s;
    auto step = db_.atomically([&] { return insert(db_, 1); });  // breaks UNIQUE
    EXPECT_FALSE(step.ok());
    return core::ok_status();  // the body shrugs it off
  });
  EXPECT_FALSE(status.ok()) << "the failed step's error is the transaction's";
  EXPECT_EQ(count(db_), 0) << "nothing of it was committed";
}

TEST_F(StorageTest, AnAtomicStepAloneIsATransactionOfItsOwn) {
  ASSERT_TRUE(db_.atomically([&] { return insert(db_, 1); }).ok());
  EXPECT_FALSE(db_.in_transaction());
  EXPECT_FALSE(db_.atomically([&]() -> core::Status {
    (void)insert(db_, 2);
    return core::Error(core::ErrorKind::internal, "fails");
  }).ok());
  EXPECT_EQ(count(db_), 1);
}

TEST_F(StorageTest, AFailingReadThrowsDatabaseErrorWithSqlitesCodeAndTheDatabasesName) {
  auto q = db_.query("SELECT v FROM t WHERE v = ?1", "reading");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(db_.exec("DROP TABLE t", "dropping").ok());  // the prepared statement now fails
  try {
    (*q)->next("reading the values");
    FAIL() << "no DatabaseError";
  } catch (const DatabaseError& e) {
    EXPECT_NE(e.sqlite_code(), SQLITE_OK);
    EXPECT_EQ(e.error().kind, core::ErrorKind::database);
    EXPECT_NE(std::string(e.what()).find("test database: reading the values:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sqlite error"), std::string::npos) << e.what();
  }
}

TEST(StorageMigrations, RunOnceInOrderAndAFileNewerThanTheProgramIsRefused) {
  test::TempDir dir;
  std::vector<int> ran;
  const std::vector<Migration> migrations = {
      [&](Connection& db) {
        ran.push_back(1);
        return db.exec("CREATE TABLE a(x)", "v1");
      },
      [&](Connection& db) {
        ran.push_back(2);
        return db.exec("ALTER TABLE a ADD COLUMN y", "v2");
      },
  };
  {
    auto db = open_in(dir);
    ASSERT_TRUE(db.migrate(migrations, "upgrade").ok());
    EXPECT_EQ(db.schema_version(), 2);
    ASSERT_TRUE(db.migrate(migrations, "upgrade").ok());
  }
  EXPECT_EQ(ran, (std::vector<int>{1, 2})) << "the second migrate had nothing to do";
  auto db = open_in(dir);
  const std::vector<Migration> older(migrations.begin(), migrations.begin() + 1);
  auto refused = db.migrate(older, "upgrade newsmirror");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("newer"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("upgrade newsmirror"), std::string::npos) << refused.error().message;
}

TEST(StorageMigrations, AFailedStepLeavesTheVersionItWasAtAndRunsAgainNextTime) {
  test::TempDir dir;
  bool fail = true;
  const std::vector<Migration> migrations = {
      [](Connection& db) { return db.exec("CREATE TABLE a(x)", "v1"); },
      [&](Connection& db) -> core::Status {
        if (auto s = db.exec("CREATE TABLE b(x)", "v2"); !s) return s;
        if (fail) return core::Error(core::ErrorKind::database, "interrupted");
        return core::ok_status();
      },
  };
  auto db = open_in(dir);
  EXPECT_FALSE(db.migrate(migrations, "").ok());
  EXPECT_EQ(db.schema_version(), 1);
  fail = false;
  ASSERT_TRUE(db.migrate(migrations, "").ok()) << "table b was rolled back with its step";
  EXPECT_EQ(db.schema_version(), 2);
}

TEST(StorageOpen, AReadOnlyOpenOfAMissingFileFailsAndCreatesNothing) {
  test::TempDir dir;
  OpenOptions options;
  options.name = "catalog database";
  options.read_only = true;
  auto db = Connection::open(dir.path() / "missing.db", options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().kind, core::ErrorKind::database);
  EXPECT_NE(db.error().message.find("catalog database: opening"), std::string::npos) << db.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing.db"));
}

}  // namespace
}  // namespace newsmirror::storage
