#include "catalog/catalog.hpp"

#include <system_error>

#include <fmt/format.h>

#include "archive/article_file.hpp"
#include "catalog/compression.hpp"
#include "catalog/language.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "core/hash.hpp"
#include "core/mirror_layout.hpp"
#include "search/plain_text.hpp"
#include "search/tokenizer.hpp"

namespace newsmirror::catalog {

using core::Error;
using core::ErrorKind;

std::string content_hash(std::string_view html) { return core::sha256_hex(archive::flatten_html(html)); }

PreparedArticle prepare_article(NewArticle article) {
  PreparedArticle p;
  const std::string flat = archive::flatten_html(article.html);
  p.content_hash = core::sha256_hex(flat);
  p.visible_text = search::visible_text(flat);
  p.language = guess_language(article.title + "\n" + p.visible_text.substr(0, 4000));
  auto blob = compress_html(flat);
  p.html_encoding = std::move(blob.encoding);
  p.stored_html = std::move(blob.bytes);
  p.html_size = flat.size();
  p.index_terms = search::index_terms(article.title, p.visible_text);
  article.html.clear();  // kept once, in stored_html
  p.article = std::move(article);
  return p;
}

core::Result<std::unique_ptr<Catalog>> Catalog::open(const std::filesystem::path& mirror_dir, CatalogUse use) {
  const auto dir = core::layout::private_dir(mirror_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error(ErrorKind::io, fmt::format("{}: cannot create folder: {}", dir.string(), ec.message()));
  auto catalog = SqliteCatalog::open_file(core::layout::catalog_db(mirror_dir), use);
  if (!catalog) return catalog.error();
  return std::unique_ptr<Catalog>(std::move(*catalog));
}

core::Result<ArticleId> Catalog::record_new_article(const NewArticle& article) {
  return record_prepared(prepare_article(article));
}

core::Result<bool> Catalog::record_version(ArticleId article, std::string_view html, core::TimePoint fetched_at,
                                           std::optional<std::string_view> title) {
  auto current = find(article);
  if (!current)
    return Error(ErrorKind::database, fmt::format("catalog database: no article with id {}", article));
  NewArticle input;
  input.file = current->file;
  input.title = title ? std::string(*title) : current->title;
  input.html = std::string(html);
  input.fetched_at = fetched_at;
  // Cheap test first: most articles seen again are unchanged.
  const bool retitled = title && !title->empty() && *title != current->title;
  if (!retitled && content_hash(html) == current->content_hash) {
    if (auto s = record_seen(article, fetched_at); !s) return s.error();
    return false;
  }
  return record_prepared_version(article, prepare_article(std::move(input)));
}

core::Result<search::SearchResults> search_catalog(const std::filesystem::path& mirror_dir,
                                                   const search::SearchQuery& query) {
  return search_sqlite_catalog(core::layout::catalog_db(mirror_dir), query);
}

}  // namespace newsmirror::catalog
