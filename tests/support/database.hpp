// For the tests that reach under a database's API: to make a file look as
// an older release left it, or to read what the API does not show. Each
// call is a connection of its own, as another process's would be.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "search/search_index.hpp"
#include "storage/sqlite.hpp"

namespace newsmirror::test {

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

// Runs `sql` on the database file; a failure fails the test.
inline void run_sql(const std::filesystem::path& file, const std::string& sql) {
  auto db = open_database(file);
  auto status = db.exec(sql, sql);
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
}

}  // namespace newsmirror::test
