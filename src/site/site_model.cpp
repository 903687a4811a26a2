#include "site/site_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "site/site_paths.hpp"

namespace newsmirror::site {

namespace {

using std::chrono::floor;

std::chrono::sys_seconds to_seconds(core::TimePoint time) {
  return floor<std::chrono::seconds>(time);
}

}  // namespace

SiteModel::SiteModel(std::vector<catalog::Article> articles,
                     std::unordered_map<catalog::ArticleId, int> version_counts,
                     core::TimeZone zone)
    : articles_(std::move(articles)),
      version_counts_(std::move(version_counts)),
      zone_(std::move(zone)) {
  // Months are asked for again and again (lists, fingerprints): work each
  // out once.
  months_.reserve(articles_.size());
  for (const auto& article : articles_) {
    auto utc = to_seconds(when(article));
    auto quarter = utc.time_since_epoch().count() / 900;
    auto known = offsets_.find(quarter);
    if (known == offsets_.end()) known = offsets_.emplace(quarter, zone_.offset_at_utc(utc)).first;
    std::chrono::year_month_day day{floor<std::chrono::days>(utc + known->second)};
    months_.push_back(static_cast<int>(day.year()) * 12 + static_cast<int>(static_cast<unsigned>(day.month())) - 1);
  }
  std::vector<const catalog::Article*> order;
  order.reserve(articles_.size());
  for (const auto& article : articles_) order.push_back(&article);
  // Newest first; articles of the same instant by number, then by id, so
  // that the order never depends on the catalog's row order alone.
  auto newer = [this](const catalog::Article* a, const catalog::Article* b) {
    auto when_a = when(*a), when_b = when(*b);
    if (when_a != when_b) return when_a > when_b;
    if (a->number != b->number) return a->number > b->number;
    return a->id > b->id;
  };
  std::stable_sort(order.begin(), order.end(), newer);

  std::map<std::string_view, SiteListing> by_site;
  for (const auto* article : order) {
    auto& site = by_site[article->site];
    if (site.name.empty()) site.name = article->site;
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
    std::map<std::string, std::vector<const catalog::Article*>, std::greater<>> months;
    for (auto& month : site.months) {
      auto& merged = months[month.year_month];
      merged.insert(merged.end(), month.articles.begin(), month.articles.end());
    }
    site.months.clear();
    for (auto& [key, list] : months) {
      std::stable_sort(list.begin(), list.end(), newer);
      site.months.push_back({key, std::move(list)});
    }
    sites_.push_back(std::move(site));
  }
}

const SiteListing* SiteModel::find_site(std::string_view name) const {
  auto found = std::lower_bound(sites_.begin(), sites_.end(), name,
                                [](const SiteListing& s, std::string_view n) { return s.name < n; });
  return found != sites_.end() && found->name == name ? &*found : nullptr;
}

std::vector<const catalog::Article*> SiteModel::newest(std::size_t count) const {
  std::vector<const catalog::Article*> merged;
  for (const auto& site : sites_) {
    auto take = std::min(count, site.articles.size());
    merged.insert(merged.end(), site.articles.begin(), site.articles.begin() + take);
  }
  std::stable_sort(merged.begin(), merged.end(), [this](auto* a, auto* b) {
    auto when_a = when(*a), when_b = when(*b);
    if (when_a != when_b) return when_a > when_b;
    return a->id > b->id;
  });
  if (merged.size() > count) merged.resize(count);
  return merged;
}

const catalog::Article* SiteModel::find_by_page(std::string_view path) const {
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

int SiteModel::version_count(const catalog::Article& article) const {
  auto found = version_counts_.find(article.id);
  return found == version_counts_.end() ? 1 : found->second;
}

core::TimePoint SiteModel::when(const catalog::Article& article) const {
  return article.published.value_or(article.first_seen);
}

std::string SiteModel::year_month(const catalog::Article& article) const {
  int key = months_[index_of(article)];
  int year = key / 12, month = key % 12 + 1;
  if (year < 0 || year > 9999) return fmt::format("{:04}-{:02}", year, month);
  std::string text = "0000-00";
  for (int i = 3; i >= 0; --i, year /= 10) text[static_cast<std::size_t>(i)] = static_cast<char>('0' + year % 10);
  text[5] = static_cast<char>('0' + month / 10);
  text[6] = static_cast<char>('0' + month % 10);
  return text;
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
