// For the catalog tests: which articles the full-text index holds a phrase
// for, asked of the search module's FTS5 table directly (through its
// tokenizer), below the search's ranking and filters.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/mirror_layout.hpp"
#include "support/database.hpp"

namespace newsmirror::test {

// The ids, in order, of the articles whose indexed text holds `text`, in
// the catalog of the mirror in `mirror`.
inline std::vector<std::int64_t> search_ids(const std::filesystem::path& mirror, const std::string& text) {
  auto db = open_search_database(core::layout::catalog_db(mirror));
  auto s = db.query("SELECT rowid FROM article_fts WHERE article_fts MATCH ?1 ORDER BY rowid", "search_ids");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  std::vector<std::int64_t> ids;
  if (!s) return ids;
  (*s)->bind(1, "\"" + text + "\"");
  while ((*s)->next("search_ids")) ids.push_back((*s)->integer(0));
  return ids;
}

}  // namespace newsmirror::test
