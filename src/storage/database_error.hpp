// The one exception the storage layer throws, and the only part of it the
// modules above the databases see (state_db.hpp, catalog.hpp).
#pragma once

#include <stdexcept>

#include "core/result.hpp"

namespace newsmirror::storage {

// What a plain-value query throws: the message an ErrorKind::database
// error would carry, and SQLite's (extended) result code.
class DatabaseError : public std::runtime_error {
 public:
  DatabaseError(const core::Error& error, int sqlite_code)
      : std::runtime_error(error.message), error_(error), sqlite_code_(sqlite_code) {}
  const core::Error& error() const { return error_; }
  int sqlite_code() const { return sqlite_code_; }

 private:
  core::Error error_;
  int sqlite_code_;
};

}  // namespace newsmirror::storage
