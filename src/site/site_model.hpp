// What the site shows, worked out from the catalog's article rows alone
// (no HTML): the sites, each site's articles newest first and grouped by
// month, the newest articles overall, and which articles were edited.
// Building it for 100,000 articles takes a few tens of milliseconds, so a
// build or a server makes a fresh one whenever the catalog changed.
//
// "When" an article is: its published time, or when it was first seen if
// its file has no time line. Months are in the mirror's time zone (the
// config's `timezone`), as the list pages of the mirror are.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/time_zone.hpp"

namespace newsmirror::site {

struct MonthListing {
  std::string year_month;                         // "2026-11"
  std::vector<const catalog::Article*> articles;  // newest first
};

struct SiteListing {
  std::string name;
  std::vector<const catalog::Article*> articles;  // newest first
  std::vector<MonthListing> months;               // newest first
};

class SiteModel {
 public:
  SiteModel(std::vector<catalog::Article> articles,
            std::unordered_map<catalog::ArticleId, int> version_counts, core::TimeZone zone);
  SiteModel(const SiteModel&) = delete;
  SiteModel& operator=(const SiteModel&) = delete;

  const std::vector<SiteListing>& sites() const { return sites_; }  // by name
  const SiteListing* find_site(std::string_view name) const;
  // The newest `count` articles of every site together.
  std::vector<const catalog::Article*> newest(std::size_t count) const;
  // Every article, in catalog id order.
  const std::vector<catalog::Article>& articles() const { return articles_; }
  // The article whose page is `path` (site_paths.hpp), or null.
  const catalog::Article* find_by_page(std::string_view path) const;

  // 1 for an article never edited.
  int version_count(const catalog::Article& article) const;
  core::TimePoint when(const catalog::Article& article) const;
  // "2026-11" of `when(article)` in the mirror's time zone.
  std::string year_month(const catalog::Article& article) const;
  // "2026-11-26 14:05" in the mirror's time zone, and the ISO form with
  // its offset for <time datetime>.
  std::string local_text(core::TimePoint time) const;
  std::string iso_text(core::TimePoint time) const;

 private:
  // The zone's offset at `utc`, from offsets_ when the quarter hour is
  // known (every article's is), else from the zone itself.
  std::chrono::seconds offset_at(std::chrono::sys_seconds utc) const;

  std::size_t index_of(const catalog::Article& article) const {
    return static_cast<std::size_t>(&article - articles_.data());
  }

  std::vector<catalog::Article> articles_;
  std::vector<int> months_;  // year * 12 + month - 1 of each article, in the mirror's zone
  std::unordered_map<catalog::ArticleId, int> version_counts_;
  core::TimeZone zone_;
  // Quarter hour since the epoch -> offset. A zone's offset changes only on
  // quarter hours, and asking ICU costs thousands of instructions: this
  // makes listing 100,000 articles cheap.
  std::unordered_map<std::int64_t, std::chrono::seconds> offsets_;
  std::vector<SiteListing> sites_;
  // (hash of the page's path, index in articles_), by hash: 16 bytes an
  // article, where the paths themselves would take ten times that.
  mutable std::once_flag by_page_made_;
  mutable std::vector<std::pair<std::uint64_t, std::uint32_t>> by_page_;
};

}  // namespace newsmirror::site
