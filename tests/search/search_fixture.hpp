// An in-memory catalog stand-in for the search tests: the `articles` table
// as the catalog defines it (the columns search reads) and the search
// schema next to it.
#pragma once

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "search/search_index.hpp"

namespace newsmirror::search::test {

// A query for `text` with the defaults (designated initializers would
// trip GCC 12's -Wmissing-field-initializers).
inline SearchQuery query_for(std::string text) {
  SearchQuery query;
  query.text = std::move(text);
  return query;
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

// How SearchDb::add gives the index an article's terms.
enum class Terms {
  from_text,     // index_article: the tokenizer runs inside SQLite
  pretokenized,  // IndexWriter with index_terms(), as the catalog does
};

class SearchDb {
 public:
  SearchDb() {
    sqlite3* raw = nullptr;
    if (sqlite3_open(":memory:", &raw) != SQLITE_OK) throw std::runtime_error("sqlite3_open");
    db_.reset(raw);
    exec("CREATE TABLE articles(id INTEGER PRIMARY KEY, site TEXT NOT NULL, file TEXT NOT NULL,"
         " title TEXT NOT NULL, link TEXT, published INTEGER, first_seen INTEGER)");
    auto status = create_search_schema(db());
    if (!status) throw std::runtime_error(status.error().message);
  }

  sqlite3* db() const { return db_.get(); }

  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db(), sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "?";
      sqlite3_free(message);
      throw std::runtime_error(sql + ": " + text);
    }
  }

  // Adds an articles row and indexes it; returns its id.
  std::int64_t add(const std::string& site, const std::string& title, const std::string& body,
                   std::optional<std::int64_t> published = std::nullopt, Terms terms = Terms::from_text) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db(), "INSERT INTO articles(site, file, title, link, published) VALUES(?1, ?2, ?3, ?4, ?5)",
                       -1, &s, nullptr);
    std::string file = "articles/" + site + "/" + std::to_string(++count_) + ".md";
    sqlite3_bind_text(s, 1, site.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, file.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, title.c_str(), -1, SQLITE_TRANSIENT);
    std::string link = "https://example.com/" + std::to_string(count_);
    sqlite3_bind_text(s, 4, link.c_str(), -1, SQLITE_TRANSIENT);
    if (published) sqlite3_bind_int64(s, 5, *published);
    if (sqlite3_step(s) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db()));
    sqlite3_finalize(s);
    std::int64_t id = sqlite3_last_insert_rowid(db());
    auto status = terms == Terms::from_text ? index_article(db(), id, title, body) : add_pretokenized(id, title, body);
    if (!status) throw std::runtime_error(status.error().message);
    return id;
  }

  // FTS5's own check that the index matches article_text.
  bool index_is_consistent() {
    return sqlite3_exec(db(), "INSERT INTO article_fts(article_fts, rank) VALUES('integrity-check', 1)", nullptr,
                        nullptr, nullptr) == SQLITE_OK;
  }

 private:
  core::Status add_pretokenized(std::int64_t id, const std::string& title, const std::string& body) {
    if (!writer_) writer_.emplace(db());
    const IndexTerms terms = index_terms(title, body);
    return writer_->index(id, title, body, &terms);
  }

  std::unique_ptr<sqlite3, CloseDb> db_;
  std::optional<IndexWriter> writer_;
  int count_ = 0;
};

}  // namespace newsmirror::search::test
