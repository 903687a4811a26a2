// What the site shows, worked out from the catalog's article rows alone
// (no HTML): the sites, each site's articles newest first and grouped by
// month, the newest articles overall, and which articles were edited.
// Built in one pass over the catalog's rows, holding a ListedArticle for
// each (site/listed_article.hpp): a build or a server makes a fresh one
// whenever the catalog changed.
//
// "When" an article is: its published time, or when it was first seen if
// its file has no time line. Months are in the mirror's time zone (the
// config's `timezone`), as the list pages of the mirror are.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/time_zone.hpp"
#include "site/listed_article.hpp"

namespace newsmirror::site {

// In a model of the whole catalog a listing holds all its articles. In a
// partial one (SiteModel::partial) it holds those that were read, and its
// count comes from the ListingCounts it was given.
struct MonthListing {
  std::string year_month;                      // "2026-11"
  std::vector<const ListedArticle*> articles;  // newest first
  std::size_t count = 0;                       // articles in the month
};

struct SiteListing {
  std::string name;
  std::vector<const ListedArticle*> articles;  // newest first
  std::vector<MonthListing> months;            // newest first
  std::size_t count = 0;                       // articles of the site
};

// What only a listing of the whole archive can count: how many articles
// each site lists in each month ("2026-11"), and which sitemap chunks
// (article ids 1 + K * kSitemapLimit on) hold any. A build keeps them
// (site/build_state.hpp) to make a partial model after a change.
struct ListingCounts {
  std::map<std::string, std::map<std::string, std::size_t>, std::less<>> months;
  std::set<std::size_t> chunks;

  bool operator==(const ListingCounts&) const = default;
};

// The sitemap chunk of an article: its id, not its rank, decides, so that
// a new article never moves an old one to another chunk.
inline std::size_t sitemap_chunk_of(catalog::ArticleId id, std::size_t limit) {
  return id > 0 ? static_cast<std::size_t>(id - 1) / limit : 0;
}

// "2026-11": the month `time` falls in, in `zone`.
std::string year_month_in(const core::TimeZone& zone, core::TimePoint time);

class SiteModel {
 public:
  // Reads every article row of `catalog` once (throws as the catalog does).
  static std::unique_ptr<SiteModel> from_catalog(catalog::Catalog& catalog, core::TimeZone zone);
  // The same from rows at hand (the page fuzzer's one article).
  static std::unique_ptr<SiteModel> from_rows(const std::vector<catalog::Article>& rows,
                                              std::unordered_map<catalog::ArticleId, int> version_counts,
                                              core::TimeZone zone);
  // A model of some of the articles (`rows`, in any order, each once) that
  // lists every month and site of `counts` with those counts. Its pages
  // are right where it holds everything they show: the month pages of the
  // months it holds whole, the lists of a site's newest when it holds
  // them, the sitemap chunks whose every id it holds.
  static std::unique_ptr<SiteModel> partial(std::vector<catalog::Article> rows,
                                            std::unordered_map<catalog::ArticleId, int> version_counts,
                                            core::TimeZone zone, const ListingCounts& counts);
  SiteModel(const SiteModel&) = delete;
  SiteModel& operator=(const SiteModel&) = delete;

  const std::vector<SiteListing>& sites() const { return sites_; }  // by name
  const SiteListing* find_site(std::string_view name) const;
  // The newest `count` articles of every site together.
  std::vector<const ListedArticle*> newest(std::size_t count) const;
  // Every article, in catalog id order.
  const std::vector<ListedArticle>& articles() const { return articles_; }
  // Those with ids in [first, last], in id order.
  std::span<const ListedArticle> articles_by_id(catalog::ArticleId first, catalog::ArticleId last) const;
  // The sitemap chunks that hold articles, in order (ListingCounts).
  const std::vector<std::size_t>& sitemap_chunks() const { return chunks_; }
  // The counts this model lists: its own, or those it was given.
  ListingCounts listing_counts() const;
  // The article whose page is `path` (site_paths.hpp), or null.
  const ListedArticle* find_by_page(std::string_view path) const;

  // 1 for an article never edited.
  int version_count(catalog::ArticleId article) const;
  int version_count(const ListedArticle& article) const { return version_count(article.id); }
  // "2026-11" of `article.when` in the mirror's time zone, and of any time.
  std::string year_month(const ListedArticle& article) const;
  std::string year_month(core::TimePoint time) const;
  // "2026-11-26 14:05" in the mirror's time zone, and the ISO form with
  // its offset for <time datetime>.
  std::string local_text(core::TimePoint time) const;
  std::string iso_text(core::TimePoint time) const;

 private:
  explicit SiteModel(core::TimeZone zone);
  void add(const catalog::Article& row);
  // `counts`: a partial model's (null: count what it holds).
  void list(const ListingCounts* counts = nullptr);
  // Copies the stem, and the title unless the stem ends with it.
  const char* keep(std::string_view stem, std::string_view title);

  // The zone's offset at `utc`, from offsets_ when the quarter hour is
  // known (every article's is), else from the zone itself.
  std::chrono::seconds offset_at(std::chrono::sys_seconds utc) const;
  int month_key(core::TimePoint time);

  std::size_t index_of(const ListedArticle& article) const {
    return static_cast<std::size_t>(&article - articles_.data());
  }

  std::vector<ListedArticle> articles_;
  std::vector<int> months_;  // year * 12 + month - 1 of each article, in the mirror's zone
  // The articles' strings, in blocks that never move once filled.
  std::vector<std::unique_ptr<char[]>> text_blocks_;
  std::size_t text_left_ = 0;
  char* text_next_ = nullptr;
  std::deque<std::string> site_names_;  // what ListedArticle::site() points to
  std::unordered_map<std::string, const std::string*> site_by_name_;
  std::unordered_map<catalog::ArticleId, int> version_counts_;
  core::TimeZone zone_;
  // Quarter hour since the epoch -> offset. A zone's offset changes only on
  // quarter hours, and asking ICU costs thousands of instructions: this
  // makes listing 100,000 articles cheap.
  std::unordered_map<std::int64_t, std::chrono::seconds> offsets_;
  std::vector<SiteListing> sites_;
  std::vector<std::size_t> chunks_;
  // (hash of the page's path, index in articles_), by hash: 16 bytes an
  // article, where the paths themselves would take ten times that.
  mutable std::once_flag by_page_made_;
  mutable std::vector<std::pair<std::uint64_t, std::uint32_t>> by_page_;
};

}  // namespace newsmirror::site
