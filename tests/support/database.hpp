// For the tests that reach under a database's API: to make a file look as
// an older release left it, or to read what the API does not show. Each
// call is a connection of its own, as another process's would be.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "storage/sqlite.hpp"

namespace newsmirror::test {

inline storage::Connection open_database(const std::filesystem::path& file) {
  storage::OpenOptions options;
  options.name = file.filename().string();
  auto db = storage::Connection::open(file, options);
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

// Runs `sql` on the database file; a failure fails the test.
inline void run_sql(const std::filesystem::path& file, const std::string& sql) {
  auto db = open_database(file);
  auto status = db.exec(sql, sql);
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
}

}  // namespace newsmirror::test
