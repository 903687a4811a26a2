// Full-text pages and local images for new articles, and pictures retried.
#include "mirror/mirror_impl.hpp"

#include <spdlog/spdlog.h>


#include "archive/article_file.hpp"
#include "clean/article_cleaner.hpp"
#include "core/read_file.hpp"
#include "fetch/http_client.hpp"
#include "mirror/image_localizer.hpp"
#include "mirror/page_fetcher.hpp"
#include "state/state_db.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::mirror {

fetch::Options Mirror::Impl::image_fetch_options() const {
  auto options = fetch_options();
  options.max_body_bytes = static_cast<std::size_t>(config.image_max_bytes);
  return options;
}

void Mirror::Impl::fill_full_text(std::vector<IncomingArticle>& fresh) {
  std::vector<PageRequest> requests;
  std::vector<IncomingArticle*> owners;
  for (auto& article : fresh) {
    if (!article.source->full_text || article.content.link.empty()) continue;
    requests.push_back({article.content.link,
                        config::effective_proxy(config, *article.source).value_or(""),
                        config::effective_user_agent(config, *article.source).value_or(""),
                        !article.source->allow_private});
    owners.push_back(&article);
  }
  if (requests.empty()) return;
  auto pages = fetch_pages(requests, fetch_options());
  for (std::size_t i = 0; i < pages.size(); ++i) {
    auto& article = *owners[i];
    if (!pages[i]) {
      spdlog::info("{}: full text of {}: {}; keeping the feed's text", article.source->name,
                   requests[i].url, pages[i].error().message);
      continue;
    }
    const auto& page = pages[i].value();
    if (config::effective_clean(config, *article.source))
      article.content.html = clean::clean_article(page.article.content_html, {page.url, rules_for(*article.source)});
    else
      article.content.html = page.article.content_html;
  }
}

void Mirror::Impl::localize_images(std::vector<IncomingArticle>& fresh) {
  std::vector<ImageJob> jobs;
  std::vector<IncomingArticle*> owners;
  for (auto& article : fresh) {
    if (config::effective_images(config, *article.source) != config::ImageMode::local) continue;
    jobs.push_back({article_path(article.record.site, article.record.file_name).generic_string(),
                    article.content.html,
                    config::effective_proxy(config, *article.source).value_or(""),
                    config::effective_user_agent(config, *article.source).value_or(""),
                    !article.source->allow_private});
    owners.push_back(&article);
  }
  if (jobs.empty()) return;
  ImageLocalizer localizer(dir, image_fetch_options());
  auto results = localizer.localize(jobs);
  for (std::size_t i = 0; i < results.size(); ++i) {
    owners[i]->content.html = std::move(results[i].html);
    owners[i]->images_pending = results[i].remote_left > 0;
  }
}

Status Mirror::Impl::retry_pending_images() {
  auto pending = db->images_pending(kImageAttempts);
  if (pending.empty()) return core::ok_status();
  std::vector<ImageJob> jobs;
  std::vector<archive::ArticleRecord> records;
  std::vector<const state::PendingImages*> owners;
  for (const auto& item : pending) {
    const auto* source = source_named(item.site);
    auto relative = article_path(item.site, item.file_name);
    auto bytes = core::read_file(dir / relative);
    auto record = bytes ? archive::read_article(*bytes) : core::Result<archive::ArticleRecord>(bytes.error());
    if (!record) {
      // The file is gone or unreadable: nothing left to localize.
      if (auto status = db->set_images_pending(item.site, item.file_name, false); !status) return status;
      continue;
    }
    jobs.push_back({relative.generic_string(), record->html,
                    source ? config::effective_proxy(config, *source).value_or("") : "",
                    source ? config::effective_user_agent(config, *source).value_or("") : "",
                    !(source && source->allow_private)});
    records.push_back(std::move(*record));
    owners.push_back(&item);
  }
  if (jobs.empty()) return core::ok_status();
  ImageLocalizer localizer(dir, image_fetch_options());
  auto results = localizer.localize(jobs);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& item = *owners[i];
    if (results[i].localized > 0) {
      records[i].html = std::move(results[i].html);
      auto status = storage::refuse_symlinked_folders(dir, jobs[i].article_path);
      if (status) status = storage::write_file_atomically(dir / jobs[i].article_path, archive::render_article(records[i]));
      if (!status) return status;
    }
    if (auto status = db->set_images_pending(item.site, item.file_name, results[i].remote_left > 0); !status)
      return status;
  }
  return core::ok_status();
}

}  // namespace newsmirror::mirror
