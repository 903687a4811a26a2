// `newsmirror save URL`: one page archived on demand.
#include "mirror/mirror_impl.hpp"

#include "archive/article_file.hpp"
#include "clean/article_cleaner.hpp"
#include "core/time_zone.hpp"
#include "core/url.hpp"
#include "mirror/identity.hpp"
#include "mirror/page_fetcher.hpp"
#include "parse/date.hpp"

namespace newsmirror::mirror {

Result<SavedPage> Mirror::save(const std::string& url, const std::string& site) {
  auto& impl = *impl_;
  if (auto status = recover(); !status) return status.error();
  const auto now = system_now();
  auto link = core::url::serialize(url);
  if (!link || !(link->starts_with("http://") || link->starts_with("https://")))
    return Error(ErrorKind::usage, "\"" + url + "\" is not an http:// or https:// URL");

  PageRequest request{*link, impl.config.proxy.value_or(""), impl.config.user_agent.value_or(""),
                      /*public_only=*/false};
  auto pages = fetch_pages({request}, impl.fetch_options());
  if (!pages.front()) return pages.front().error().with_context("nothing was saved");
  const auto& page = pages.front().value();

  archive::ArticleRecord content;
  content.link = *link;
  content.title = archive::single_line(page.article.title.value_or(*link));
  content.published = now;
  if (page.article.published)
    if (auto published = parse::parse_date(*page.article.published, core::TimeZone())) content.published = *published;
  content.html = impl.config.clean ? clean::clean_article(page.article.content_html, {page.url, nullptr})
                                   : page.article.content_html;

  core::Entry entry;
  entry.link = *link;
  entry.title = content.title;
  IncomingArticle article;
  auto keys = identity_keys(site, entry);
  article.record.content_hash = content_hash_of_file(archive::render_article(content));
  article.record.identity = keys.front();
  article.record.aliases.assign(keys.begin() + 1, keys.end());
  article.record.site = site;
  article.record.title = content.title;
  article.record.link = content.link;
  article.record.published = content.published;
  article.record.first_seen = now;
  article.content = std::move(content);
  // A saved page follows the mirror-wide settings: it has no source.
  config::Source settings;
  settings.name = site;
  article.source = &settings;

  SavedPage saved;
  std::set<std::string> touched;
  if (auto known = impl.find_known(keys)) {
    saved.file = impl.article_path(known->site, known->file_name).generic_string();
    if (known->content_hash != article.record.content_hash) {
      CycleReport report;
      report.sources.push_back({});
      std::vector<ArticleChange> edits;
      edits.push_back({*known, std::move(article), 0});
      if (auto status = impl.apply_edits(edits, report, touched, now); !status) return status.error();
      saved.changed = report.sources.front().changed > 0;
    }
  } else {
    std::vector<IncomingArticle> fresh;
    fresh.push_back(std::move(article));
    if (auto status = impl.write_new(fresh, touched); !status) return status.error();
    impl.catalog_new(fresh);
    saved.file = impl.article_path(site, fresh.front().record.file_name).generic_string();
    saved.is_new = true;
  }
  if (auto status = impl.finish_lists(touched); !status) return status.error();
  return saved;
}

}  // namespace newsmirror::mirror
