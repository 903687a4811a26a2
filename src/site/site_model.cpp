#include "site/site_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <utility>

#include "site/feeds.hpp"
#include "site/fingerprint.hpp"
#include "site/site_paths.hpp"

namespace newsmirror::site {

namespace {

using std::chrono::floor;

std::chrono::sys_seconds to_seconds(core::TimePoint time) {
  return floor<std::chrono::seconds>(time);
}

constexpr std::size_t kTextBlock = 1 << 20;

// A million of them are held at once (listed_article.hpp).
static_assert(sizeof(ListedArticle) <= 72);

std::string year_month_text(int key) {
  int year = key / 12, month = key % 12 + 1;
  if (year < 0 || year > 9999) return fmt::format("{:04}-{:02}", year, month);
  std::string text = "0000-00";
  for (int i = 3; i >= 0; --i, year /= 10) text[static_cast<std::size_t>(i)] = static_cast<char>('0' + year % 10);
  text[5] = static_cast<char>('0' + month / 10);
  text[6] = static_cast<char>('0' + month % 10);
  return text;
}

std::string year_month_of(core::TimePoint time, std::chrono::seconds offset) {
  std::chrono::year_month_day day{floor<std::chrono::days>(to_seconds(time) + offset)};
  return year_month_text(static_cast<int>(day.year()) * 12 + static_cast<int>(static_cast<unsigned>(day.month())) - 1);
}

}  // namespace

std::string year_month_in(const core::TimeZone& zone, core::TimePoint time) {
  return year_month_of(time, zone.offset_at_utc(to_seconds(time)));
}

SiteModel::SiteModel(core::TimeZone zone) : zone_(std::move(zone)) {}

std::unique_ptr<SiteModel> SiteModel::from_catalog(catalog::Catalog& catalog, core::TimeZone zone) {
  std::unique_ptr<SiteModel> model(new SiteModel(std::move(zone)));
  // Sized first: grown by doubling, a million records would briefly be
  // held one and a half times over.
  const std::size_t count = catalog.article_count();
  model->articles_.reserve(count);
  model->months_.reserve(count);
  catalog.each_listed_article([&](const catalog::Article& row) { model->add(row); });
  model->version_counts_ = catalog.version_counts();
  model->list();
  return model;
}

std::unique_ptr<SiteModel> SiteModel::from_rows(const std::vector<catalog::Article>& rows,
                                                std::unordered_map<catalog::ArticleId, int> version_counts,
                                                core::TimeZone zone) {
  std::unique_ptr<SiteModel> model(new SiteModel(std::move(zone)));
  model->articles_.reserve(rows.size());
  for (const auto& row : rows) model->add(row);
  model->version_counts_ = std::move(version_counts);
  model->list();
  return model;
}

std::unique_ptr<SiteModel> SiteModel::partial(std::vector<catalog::Article> rows,
                                              std::unordered_map<catalog::ArticleId, int> version_counts,
                                              core::TimeZone zone, const ListingCounts& counts) {
  std::unique_ptr<SiteModel> model(new SiteModel(std::move(zone)));
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  model->articles_.reserve(rows.size());
  for (const auto& row : rows) model->add(row);
  model->version_counts_ = std::move(version_counts);
  model->list(&counts);
  return model;
}

const char* SiteModel::keep(std::string_view stem, std::string_view title) {
  const std::size_t size = stem.size() + (stem.ends_with(title) ? 0 : title.size());
  if (size > text_left_) {
    const std::size_t block = std::max(size, kTextBlock);
    text_blocks_.push_back(std::make_unique<char[]>(block));
    text_next_ = text_blocks_.back().get();
    text_left_ = block;
  }
  char* start = text_next_;
  if (!stem.empty()) std::memcpy(start, stem.data(), stem.size());
  if (size > stem.size()) std::memcpy(start + stem.size(), title.data(), title.size());
  text_next_ += size;
  text_left_ -= size;
  return start;
}

void SiteModel::add(const catalog::Article& row) {
  ListedArticle article;
  article.id = row.id;
  article.current_version = row.current_version;
  article.when = listed_time(row);
  article.has_number_ = row.number.has_value();
  article.number_ = row.number.value_or(0);
  Fingerprint details;
  details.add(row.link).add(row.language).add(row.first_seen.time_since_epoch().count());
  details.add(row.published ? row.published->time_since_epoch().count() : -1);
  article.details = details.value();

  auto site = site_by_name_.find(row.site);
  if (site == site_by_name_.end())
    site = site_by_name_.emplace(row.site, &site_names_.emplace_back(row.site)).first;
  article.site_ = site->second;
  const std::string_view stem = file_stem(row.file);
  article.text_ = keep(stem, row.title);
  article.stem_size_ = static_cast<std::uint32_t>(stem.size());
  article.title_size_ = static_cast<std::uint32_t>(row.title.size());
  article.title_offset_ = static_cast<std::uint32_t>(stem.ends_with(row.title) ? stem.size() - row.title.size()
                                                                              : stem.size());
  articles_.push_back(article);
  // Months are asked for again and again (lists, fingerprints): work each
  // out once.
  months_.push_back(month_key(article.when));
}

int SiteModel::month_key(core::TimePoint time) {
  auto utc = to_seconds(time);
  auto quarter = utc.time_since_epoch().count() / 900;
  auto known = offsets_.find(quarter);
  if (known == offsets_.end()) known = offsets_.emplace(quarter, zone_.offset_at_utc(utc)).first;
  std::chrono::year_month_day day{floor<std::chrono::days>(utc + known->second)};
  return static_cast<int>(day.year()) * 12 + static_cast<int>(static_cast<unsigned>(day.month())) - 1;
}

void SiteModel::list(const ListingCounts* counts) {
  std::vector<const ListedArticle*> order;
  order.reserve(articles_.size());
  for (const auto& article : articles_) order.push_back(&article);
  // Newest first; articles of the same instant by number, then by id, so
  // that the order never depends on the catalog's row order alone.
  auto newer = [](const ListedArticle* a, const ListedArticle* b) {
    if (a->when != b->when) return a->when > b->when;
    if (a->number() != b->number()) return a->number() > b->number();
    return a->id > b->id;
  };
  std::stable_sort(order.begin(), order.end(), newer);

  std::map<std::string_view, SiteListing> by_site;
  for (const auto* article : order) {
    auto& site = by_site[article->site()];
    if (site.name.empty()) site.name = article->site();
    site.articles.push_back(article);
    auto month = year_month(*article);
    if (site.months.empty() || site.months.back().year_month != month) {
      site.months.push_back({std::move(month), {}});
    }
    site.months.back().articles.push_back(article);
  }
  // Articles newest first give months newest first, except when the same
  // month comes back (an old article numbered late): merge those.
  for (auto& [name, site] : by_site) {
    std::map<std::string, std::vector<const ListedArticle*>, std::greater<>> months;
    for (auto& month : site.months) {
      auto& merged = months[month.year_month];
      merged.insert(merged.end(), month.articles.begin(), month.articles.end());
    }
    if (counts) {
      // Every month of the site, though only some of its articles are here.
      if (auto known = counts->months.find(name); known != counts->months.end())
        for (const auto& [key, count] : known->second) months.try_emplace(key);
    }
    site.months.clear();
    for (auto& [key, list] : months) {
      std::stable_sort(list.begin(), list.end(), newer);
      site.months.push_back({key, std::move(list)});
    }
    sites_.push_back(std::move(site));
  }
  if (counts) {
    for (const auto& [name, months] : counts->months) {
      if (by_site.count(name)) continue;
      SiteListing site;
      site.name = name;
      for (auto it = months.rbegin(); it != months.rend(); ++it) site.months.push_back({it->first, {}});
      sites_.push_back(std::move(site));
    }
    std::sort(sites_.begin(), sites_.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  for (auto& site : sites_) {
    site.count = 0;
    for (auto& month : site.months) {
      month.count = month.articles.size();
      if (counts) {
        auto known = counts->months.find(site.name);
        if (known != counts->months.end()) {
          auto count = known->second.find(month.year_month);
          if (count != known->second.end()) month.count = std::max(month.count, count->second);
        }
      }
      site.count += month.count;
    }
  }
  std::set<std::size_t> chunks;
  if (counts) chunks = counts->chunks;
  std::size_t last = SIZE_MAX;
  for (const auto& article : articles_) {
    auto chunk = sitemap_chunk_of(article.id, kSitemapLimit);
    if (chunk != last) chunks.insert(last = chunk);
  }
  chunks_.assign(chunks.begin(), chunks.end());
}

std::span<const ListedArticle> SiteModel::articles_by_id(catalog::ArticleId first, catalog::ArticleId last) const {
  auto by_id = [](const ListedArticle& a, catalog::ArticleId id) { return a.id < id; };
  auto begin = std::lower_bound(articles_.begin(), articles_.end(), first, by_id);
  auto end = std::lower_bound(begin, articles_.end(), last + 1, by_id);
  return {begin, end};
}

ListingCounts SiteModel::listing_counts() const {
  ListingCounts counts;
  for (const auto& site : sites_) {
    auto& months = counts.months[site.name];
    for (const auto& month : site.months) months[month.year_month] = month.count;
  }
  counts.chunks.insert(chunks_.begin(), chunks_.end());
  return counts;
}

const SiteListing* SiteModel::find_site(std::string_view name) const {
  auto found = std::lower_bound(sites_.begin(), sites_.end(), name,
                                [](const SiteListing& s, std::string_view n) { return s.name < n; });
  return found != sites_.end() && found->name == name ? &*found : nullptr;
}

std::vector<const ListedArticle*> SiteModel::newest(std::size_t count) const {
  std::vector<const ListedArticle*> merged;
  for (const auto& site : sites_) {
    auto take = std::min(count, site.articles.size());
    merged.insert(merged.end(), site.articles.begin(), site.articles.begin() + take);
  }
  std::stable_sort(merged.begin(), merged.end(), [](auto* a, auto* b) {
    if (a->when != b->when) return a->when > b->when;
    return a->id > b->id;
  });
  if (merged.size() > count) merged.resize(count);
  return merged;
}

const ListedArticle* SiteModel::find_by_page(std::string_view path) const {
  const std::hash<std::string_view> hash;
  // Only the server looks pages up by path: index them on first use.
  std::call_once(by_page_made_, [&] {
    by_page_.reserve(articles_.size());
    for (std::size_t i = 0; i < articles_.size(); ++i)
      by_page_.emplace_back(hash(article_path(articles_[i])), static_cast<std::uint32_t>(i));
    std::sort(by_page_.begin(), by_page_.end());
  });
  const std::uint64_t key = hash(path);
  auto [first, last] = std::equal_range(by_page_.begin(), by_page_.end(), std::pair<std::uint64_t, std::uint32_t>(key, 0),
                                        [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto it = first; it != last; ++it)
    if (article_path(articles_[it->second]) == path) return &articles_[it->second];
  return nullptr;
}

int SiteModel::version_count(catalog::ArticleId article) const {
  auto found = version_counts_.find(article);
  return found == version_counts_.end() ? 1 : found->second;
}

std::string SiteModel::year_month(const ListedArticle& article) const {
  return year_month_text(months_[index_of(article)]);
}

std::string SiteModel::year_month(core::TimePoint time) const {
  return year_month_of(time, offset_at(to_seconds(time)));
}

std::chrono::seconds SiteModel::offset_at(std::chrono::sys_seconds utc) const {
  auto known = offsets_.find(utc.time_since_epoch().count() / 900);
  return known != offsets_.end() ? known->second : zone_.offset_at_utc(utc);
}

std::string SiteModel::local_text(core::TimePoint time) const {
  auto utc = to_seconds(time);
  auto local = utc + offset_at(utc);
  auto days = floor<std::chrono::days>(local);
  std::chrono::year_month_day day{days};
  std::chrono::hh_mm_ss clock{local - days};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", static_cast<int>(day.year()),
                     static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()),
                     clock.hours().count(), clock.minutes().count());
}

std::string SiteModel::iso_text(core::TimePoint time) const {
  auto utc = to_seconds(time);
  auto offset = offset_at(utc);
  auto local = utc + offset;
  auto days = floor<std::chrono::days>(local);
  std::chrono::year_month_day day{days};
  std::chrono::hh_mm_ss clock{local - days};
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
  char sign = minutes < 0 ? '-' : '+';
  minutes = minutes < 0 ? -minutes : minutes;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", static_cast<int>(day.year()),
                     static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count(), sign,
                     minutes / 60, minutes % 60);
}

}  // namespace newsmirror::site
