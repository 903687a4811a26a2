// The catalog's side of a cycle: new articles, catching up after a failure, and edits.
#include "mirror/mirror_impl.hpp"

#include <spdlog/spdlog.h>


#include "archive/article_file.hpp"
#include "archive/text.hpp"
#include "catalog/catalog.hpp"
#include "catalog/importer.hpp"
#include "clean/article_cleaner.hpp"
#include "core/ordered_pipeline.hpp"
#include "core/read_file.hpp"
#include "mirror/identity.hpp"
#include "search/plain_text.hpp"
#include "state/state_db.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::mirror {

Status Mirror::Impl::catalog_catch_up() {
  if (!catalog) return core::ok_status();
  std::uint64_t recorded = 0;
  for (const auto& count : db->site_summaries()) recorded += count.articles;
  const std::size_t cataloged = catalog->article_count();
  if (recorded <= cataloged) return core::ok_status();
  spdlog::info("catalog: {} articles behind the state; cataloging their files", recorded - cataloged);
  catalog::ImportOptions options;
  options.mirror = dir;
  options.identity = [this](std::string_view folder, std::string_view link) {
    return link_key(folders.site_in(folder), link);
  };
  auto imported = catalog::import_articles(*catalog, options);
  if (!imported) catalog_failed(imported.error());
  return core::ok_status();
}

void Mirror::Impl::catalog_failed(const core::Error& error) {
  core::Error named = error.with_context(core::layout::catalog_db(dir).string());
  spdlog::error("catalog: {}; the archive is intact and listed: the next cycle catalogs what is missing (if the "
                "catalog stays unusable, `newsmirror reindex` rebuilds it)",
                named.message);
  if (!catalog_error) catalog_error = std::move(named);
  catalog.reset();
}

void Mirror::Impl::catalog_new(const std::vector<IncomingArticle>& fresh) {
  if (!catalog || fresh.empty()) return;
  // Prepared on workers (text, hash, language, compression, terms) while
  // this thread writes them, in one transaction: a commit writes the search
  // index's pending terms out as a segment, and outside a bulk load FTS5
  // merges segments as they come, which made a transaction per batch of
  // 500 slower than one for the cycle.
  constexpr std::size_t kBatch = 500;
  core::OrderedPipeline<catalog::PreparedArticle> pipeline(fresh.size(), kBatch, 0, [&](std::size_t i) {
    return catalog::prepare_article(catalog_entry(fresh[i].record, fresh[i].content, fresh[i].record.first_seen));
  });
  auto status = catalog->transaction([&]() -> Status {
    return pipeline.run([&](std::size_t, auto& batch) -> Status {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& article = batch[i];
        // A file cataloged already (a cycle that died after this point) is fine.
        if (catalog->find_by_file(article.article.file)) continue;
        if (auto id = catalog->record_prepared(article); !id) return id.error();
      }
      return core::ok_status();
    });
  });
  if (!status) catalog_failed(status.error());
  lap("catalog");
}

std::optional<catalog::ArticleId> Mirror::Impl::catalog_id(const state::ArchivedArticle& known) {
  auto file = article_path(known.site, known.file_name);
  if (auto article = catalog->find_by_file(file.generic_string())) return article->id;
  auto bytes = core::read_file(dir / file);
  if (!bytes) return std::nullopt;
  auto content = archive::read_article(*bytes);
  if (!content) return std::nullopt;
  content->html = archive::flatten_html(content->html);
  auto id = catalog->record_new_article(catalog_entry(known, *content, known.first_seen));
  if (!id) {
    catalog_failed(id.error());
    return std::nullopt;
  }
  return *id;
}

Status Mirror::Impl::apply_edits(std::vector<ArticleChange>& edits, CycleReport& report, std::set<std::string>& touched_sites, TimePoint now) {
  if (edits.empty()) return core::ok_status();
  std::vector<IncomingArticle> incoming;
  for (auto& edit : edits) {
    edit.incoming.record.site = edit.known.site;
    edit.incoming.record.file_name = edit.known.file_name;
    incoming.push_back(std::move(edit.incoming));
  }
  fill_full_text(incoming);
  localize_images(incoming);
  for (std::size_t i = 0; i < edits.size(); ++i) {
    const auto& known = edits[i].known;
    auto& source_report = report.sources[edits[i].source_index];
    if (reads_the_same(known, incoming[i].content)) {
      // Only the markup moved (cleaning an adopted raw article, a new
      // image host): the publisher did not edit the story, and a reader
      // must not be told so. The file stays; the state takes the new hash
      // so that the next cycle does not compare again.
      if (auto status = db->accept_content_hash(known.identity, incoming[i].record.content_hash); !status)
        return status;
      ++source_report.unchanged;
      continue;
    }
    if (!catalog) {
      ++source_report.changed;
      continue;
    }
    auto id = catalog_id(known);
    if (!id) {
      ++source_report.changed;
      continue;
    }
    auto& article = incoming[i];
    auto file = article_path(known.site, known.file_name);
    auto bytes = archive::render_article(article.content);
    if (auto status = storage::refuse_symlinked_folders(dir, file); !status) return status;
    if (auto status = storage::write_file_atomically(dir / file, bytes); !status) return status;
    auto differs = catalog->record_version(*id, archive::flatten_html(article.content.html), now, article.content.title);
    if (!differs) {
      catalog_failed(differs.error());
      ++source_report.changed;
      continue;
    }
    if (!*differs) {
      ++source_report.unchanged;
      continue;
    }
    if (auto status = db->mark_changed(known.identity, article.record.content_hash, now); !status) return status;
    if (article.images_pending)
      if (auto status = db->set_images_pending(known.site, known.file_name, true); !status) return status;
    ++source_report.changed;
    touched_sites.insert(known.site);
  }
  return core::ok_status();
}

bool Mirror::Impl::reads_the_same(const state::ArchivedArticle& known, const archive::ArticleRecord& incoming) const {
  auto bytes = core::read_file(dir / article_path(known.site, known.file_name));
  if (!bytes) return false;
  auto current = archive::read_article(*bytes);
  if (!current) return false;
  if (archive::text::trim_ascii(archive::single_line(current->title)) !=
      archive::text::trim_ascii(archive::single_line(incoming.title)))
    return false;
  std::string current_html = archive::flatten_html(current->html);
  const auto* source = source_named(known.site);
  if (source && config::effective_clean(config, *source))
    current_html = clean::clean_article(current_html, {current->link, rules_for(*source)});
  return search::visible_text(current_html) == search::visible_text(archive::flatten_html(incoming.html));
}

}  // namespace newsmirror::mirror
