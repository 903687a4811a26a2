// For the tests that reach under a database's API: to make a file look as
// an older release left it, or to read what the API does not show. Each
// call is a connection of its own, as another process's would be.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/result.hpp"
#include "search/search_index.hpp"
#include "storage/sqlite.hpp"

namespace newsmirror::test {

// What an engine's open() returned; a failure fails the test, with its
// message (`test::opened(state::StateDb::open(dir))`).
template <class Interface>
std::unique_ptr<Interface> opened(core::Result<std::unique_ptr<Interface>> result) {
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

// PRAGMA journal_mode of the database, as a new connection finds it (WAL
// is kept in the file; other modes are the connection's own).
inline std::string journal_mode(const std::filesystem::path& file);

inline storage::Connection open_database(const std::filesystem::path& file) {
  storage::OpenOptions options;
  options.name = file.filename().string();
  auto db = storage::Connection::open(file, options);
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

// As open_database, with the search index's tokenizer and functions
// registered, for SQL that reads or changes article_fts.
inline storage::Connection open_search_database(const std::filesystem::path& file) {
  auto db = open_database(file);
  if (auto status = search::prepare_connection(db); !status) throw std::runtime_error(status.error().message);
  return db;
}

inline std::string journal_mode(const std::filesystem::path& file) {
  auto mode = open_database(file).text("PRAGMA journal_mode", "reading the journal mode");
  if (!mode) throw std::runtime_error(mode.error().message);
  return *mode;
}

// Runs `sql` on the database file; a failure fails the test.
inline void run_sql(const std::filesystem::path& file, const std::string& sql) {
  auto db = open_database(file);
  auto status = db.exec(sql, sql);
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
}

}  // namespace newsmirror::test
