// An in-memory catalog stand-in for the search tests: the `articles` table
// as the catalog defines it (the columns search reads) and the search
// schema next to it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "search/search_index.hpp"
#include "storage/sqlite.hpp"

namespace newsmirror::search::test {

// A query for `text` with the defaults (designated initializers would
// trip GCC 12's -Wmissing-field-initializers).
inline SearchQuery query_for(std::string text) {
  SearchQuery query;
  query.text = std::move(text);
  return query;
}

// How SearchDb::add gives the index an article's terms.
enum class Terms {
  from_text,     // index_article: the tokenizer runs inside SQLite
  pretokenized,  // IndexWriter with index_terms(), as the catalog does
};

class SearchDb {
 public:
  SearchDb() : db_(open()) {
    exec("CREATE TABLE articles(id INTEGER PRIMARY KEY, site TEXT NOT NULL, file TEXT NOT NULL,"
         " title TEXT NOT NULL, link TEXT, published INTEGER, first_seen INTEGER)");
    auto status = create_search_schema(db_);
    if (!status) throw std::runtime_error(status.error().message);
  }

  storage::Connection& db() { return db_; }

  void exec(const std::string& sql) {
    if (auto status = db_.exec(sql, sql); !status) throw std::runtime_error(status.error().message);
  }

  // Adds an articles row and indexes it; returns its id.
  std::int64_t add(const std::string& site, const std::string& title, const std::string& body,
                   std::optional<std::int64_t> published = std::nullopt, Terms terms = Terms::from_text) {
    auto insert = db_.query("INSERT INTO articles(site, file, title, link, published) VALUES(?1, ?2, ?3, ?4, ?5)",
                            "adding an article");
    if (!insert) throw std::runtime_error(insert.error().message);
    ++count_;
    (*insert)->bind(1, site);
    (*insert)->bind(2, "articles/" + site + "/" + std::to_string(count_) + ".md");
    (*insert)->bind(3, title);
    (*insert)->bind(4, "https://example.com/" + std::to_string(count_));
    (*insert)->bind(5, published);
    if (auto status = (*insert)->run("adding an article"); !status) throw std::runtime_error(status.error().message);
    const std::int64_t id = db_.last_insert_rowid();
    auto status = terms == Terms::from_text ? index_article(db_, id, title, body) : add_pretokenized(id, title, body);
    if (!status) throw std::runtime_error(status.error().message);
    return id;
  }

  // FTS5's own check that the index matches article_text.
  bool index_is_consistent() { return check_search_index(db_).ok(); }

 private:
  static storage::Connection open() {
    storage::OpenOptions options;
    options.name = "search test database";
    auto db = storage::Connection::open(":memory:", options);
    if (!db) throw std::runtime_error(db.error().message);
    return std::move(*db);
  }

  core::Status add_pretokenized(std::int64_t id, const std::string& title, const std::string& body) {
    if (!writer_) writer_.emplace(db_);
    const IndexTerms terms = index_terms(title, body);
    return writer_->index(id, title, body, &terms);
  }

  storage::Connection db_;
  std::optional<IndexWriter> writer_;
  int count_ = 0;
};

}  // namespace newsmirror::search::test
