// For the catalog tests: which articles the full-text index holds a phrase
// for, asked of the search module's FTS5 table directly (through its
// tokenizer), below the search's ranking and filters.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"

namespace newsmirror::test {

// The ids, in order, of the articles whose indexed text holds `text`.
inline std::vector<std::int64_t> search_ids(catalog::Catalog& catalog, const std::string& text) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(catalog.connection(),
                               "SELECT rowid FROM article_fts WHERE article_fts MATCH ?1 ORDER BY rowid",
                               -1, &s, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(catalog.connection());
  const std::string phrase = "\"" + text + "\"";
  sqlite3_bind_text(s, 1, phrase.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::int64_t> ids;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(s, 0));
  EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(catalog.connection());
  sqlite3_finalize(s);
  return ids;
}

}  // namespace newsmirror::test
