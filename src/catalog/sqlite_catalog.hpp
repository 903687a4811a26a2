// The catalog kept by SQLite: one database file (WAL) holding the articles,
// their versions and the FTS5 index of search/search_index.hpp. The rest
// of the program sees catalog::Catalog; what is here is SQLite's own:
// opening any file (reindex builds a fresh one beside the old and renames
// it into place), and leaving WAL so that the file stands alone.
//
// A bulk load (Catalog::begin_bulk_load) runs without journal or syncs. A
// marker file beside the database (`<db>.loading`, locked while the load
// lives) stands for it until end_bulk_load(): a catalog found with a marker
// nobody holds was interrupted half-filled, and open_file() empties it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "catalog/catalog.hpp"

namespace newsmirror::catalog {

class SqliteCatalog final : public Catalog {
 public:
  // Opens the database file `db_file` anywhere, creating and migrating it.
  static core::Result<std::unique_ptr<SqliteCatalog>> open_file(const std::filesystem::path& db_file,
                                                                CatalogUse use = CatalogUse::writing);
  ~SqliteCatalog() override;

  // Moves everything written so far out of the WAL into the database file
  // and makes it one file again (before reindex renames it into place).
  core::Status checkpoint_and_close_wal();
  // e.g. "wal"; "off" during a bulk load.
  std::string journal_mode();
  const std::filesystem::path& file() const;

  core::Result<ArticleId> record_prepared(const PreparedArticle& article) override;
  core::Status record_seen(ArticleId article, core::TimePoint when) override;
  core::Result<bool> record_prepared_version(ArticleId article, const PreparedArticle& version) override;
  std::optional<Article> find(ArticleId id) override;
  std::optional<Article> find_by_file(std::string_view file) override;
  std::optional<Article> find_by_identity(std::string_view identity) override;
  std::vector<Article> find_by_number(std::string_view site, std::uint64_t number) override;
  std::vector<Article> find_by_link(std::string_view link) override;
  bool has_content(std::string_view site, std::string_view identity, std::string_view hash) override;
  std::vector<std::string> files_of_site(std::string_view site) override;
  std::vector<std::string> sites() override;
  std::size_t article_count() override;
  std::vector<Article> all_articles() override;
  void each_listed_article(const std::function<void(const Article&)>& visit) override;
  std::vector<Article> articles_after(ArticleId after, std::size_t limit) override;
  std::unordered_map<ArticleId, int> version_counts() override;
  ChangeMark change_mark() override;
  std::vector<Article> listed_changed_since(const ChangeMark& since) override;
  std::vector<Article> listed_between(std::string_view site, core::TimePoint from, core::TimePoint until) override;
  std::vector<Article> listed_newest(std::string_view site, std::size_t count) override;
  std::vector<Article> listed_by_id(ArticleId first, ArticleId last) override;
  int version_count(ArticleId article) override;
  std::vector<Version> versions(ArticleId article) override;
  core::Result<std::string> version_html(std::int64_t version_id) override;
  std::unordered_map<std::string, std::pair<ArticleId, FileStamp>> file_stamps() override;
  core::Status set_stamp(ArticleId article, const FileStamp& stamp) override;
  core::Status transaction(const std::function<core::Status()>& body) override;
  core::Result<bool> begin_bulk_load() override;
  core::Status end_bulk_load() override;
  bool bulk_loading() const override;
  int schema_version() override;
  core::Result<std::int64_t> data_version() override;
  core::Result<search::SearchResults> search(const search::SearchQuery& query) override;
  core::Status check_search_index() override;

 private:
  struct Impl;
  explicit SqliteCatalog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// search_catalog() for an SQLite catalog file: opened read-only for the
// one query.
core::Result<search::SearchResults> search_sqlite_catalog(const std::filesystem::path& db_file,
                                                          const search::SearchQuery& query);

}  // namespace newsmirror::catalog
