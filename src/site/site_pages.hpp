// Every output of the site as a description (PageSpec): what `newsmirror
// build` enumerates and fingerprints, and what `newsmirror serve` looks up
// by path. PageMaker turns a description into bytes, reading article HTML
// from the catalog only when it is asked for an article or a feed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"
#include "site/page_renderer.hpp"
#include "site/site_model.hpp"
#include "site/site_renderer.hpp"

namespace newsmirror::site {

enum class PageKind {
  home,
  style,
  site_index,
  month,
  article,
  version,           // an earlier version of an article
  feed,              // overall when `site` is null
  opml,
  sitemap_index,
  sitemap_lists,     // home, site and month pages
  sitemap_articles,  // article pages of ids 1 + chunk * kSitemapLimit on, in id order
};

struct PageSpec {
  PageKind kind = PageKind::home;
  std::string path{};   // relative to the site root, with the variant
  std::string variant{};  // "" for the page as archived
  const SiteListing* site = nullptr;
  std::size_t month = 0;                      // index into site->months
  const ListedArticle* article = nullptr;     // article, version
  int ordinal = 0;                            // version
  std::string format{};                       // feed: "atom", "rss", "json"
  std::size_t chunk = 0;                      // sitemap_articles
};

// Every output of a static build (the sitemap only with a base URL).
std::vector<PageSpec> all_pages(const SiteModel& model, const RenderOptions& options);

// The outputs that show one thing, each HTML page once per variant: what
// all_pages is made of, and what an incremental build picks from.
// The home page and the feeds of every site together:
void add_home_pages(std::vector<PageSpec>& pages, const RenderOptions& options);
// A site's index page and feeds:
void add_site_pages(std::vector<PageSpec>& pages, const SiteListing& site, const RenderOptions& options);
// site.months[month]'s page:
void add_month_pages(std::vector<PageSpec>& pages, const SiteListing& site, std::size_t month,
                     const RenderOptions& options);
// An article's page and the pages of its earlier versions:
void add_article_pages(std::vector<PageSpec>& pages, const ListedArticle& article, const SiteModel& model,
                       const RenderOptions& options);
// With a base URL: the sitemap index, the sitemap of list pages, and
// those of `chunks`.
void add_sitemap_pages(std::vector<PageSpec>& pages, const std::vector<std::size_t>& chunks,
                       const RenderOptions& options);

// The output at `path`, or nullopt. "search.html" is the server's and not
// described here.
std::optional<PageSpec> page_at(const SiteModel& model, const RenderOptions& options,
                                std::string_view path);

// Changes whenever the bytes of the output would: from the catalog's rows
// alone (content hashes stand for the HTML), so a build knows what to
// rewrite without rendering it. `salt` covers templates and options.
std::uint64_t fingerprint(const PageSpec& page, const SiteModel& model, std::string_view salt);

std::string content_type_of(const PageSpec& page);

// Not thread-safe: one per thread, each with its own catalog connection.
class PageMaker {
 public:
  // `opml` is the sources' OPML document (config::render_opml).
  static core::Result<std::unique_ptr<PageMaker>> create(const Templates& templates,
                                                         const RenderOptions& options,
                                                         const SiteModel& model,
                                                         catalog::Catalog& catalog,
                                                         std::string opml);
  ~PageMaker();
  core::Result<std::string> make(const PageSpec& page);
  PageRenderer& renderer();

 private:
  struct Impl;
  explicit PageMaker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsmirror::site
