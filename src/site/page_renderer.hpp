// Renders the site's HTML pages from the templates (templates.hpp) and the
// site model: the same bytes whether `newsmirror build` writes them or
// `newsmirror serve` answers with them.
//
// Every link is relative to the page it is on, so the site works from
// file:// and under any sub-path. A variant ("hant", "hans") is the page
// converted with OpenCC (Simplified to Traditional, or back) whose links
// lead to the same variant; the switch between variants is left as written.
//
// Not thread-safe (parsed templates and OpenCC converters are per
// renderer): one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"
#include "search/search_query.hpp"
#include "site/site_model.hpp"
#include "site/site_renderer.hpp"
#include "site/templates.hpp"

namespace newsmirror::site {

// Articles listed on the home page and on each site's page, and in feeds.
inline constexpr std::size_t kNewestCount = 50;

class PageRenderer {
 public:
  // `templates`, `options` and `model` must outlive the renderer. Fails
  // when a template does not parse (naming it) or a variant is unknown.
  static core::Result<std::unique_ptr<PageRenderer>> create(const Templates& templates,
                                                            const RenderOptions& options,
                                                            const SiteModel& model);
  ~PageRenderer();

  std::string home(std::string_view variant);
  std::string site_index(const SiteListing& site, std::string_view variant);
  std::string month(const SiteListing& site, std::size_t month_index, std::string_view variant);
  // `versions` oldest first (empty or one: no version list); `shown` is
  // the version whose `html` this is (the current one for the article's
  // own page).
  std::string article(const catalog::Article& article, std::string_view html,
                      const std::vector<catalog::Version>& versions,
                      std::optional<int> shown_ordinal, std::string_view variant);
  // The server's results page; `error` instead of results for a query
  // the search rejected.
  std::string search(std::string_view query, const search::SearchResults* results,
                     std::string_view error, int offset, int limit, std::string_view variant);

 private:
  struct Impl;
  explicit PageRenderer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The variants `newsmirror build --variants` accepts.
bool is_known_variant(std::string_view variant);

}  // namespace newsmirror::site
