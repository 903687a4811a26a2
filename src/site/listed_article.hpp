// An article as the site lists it. The site model holds one for every
// article of the catalog, so it holds only what lists, paths and
// fingerprints need: ids, the time it is listed under, its number, and two
// strings (its file's name without ".md", and its title) kept in the
// model's own text blocks. What only the article's own page and the feeds
// show (its link, language, published and first-seen times) is read from
// the catalog when that page is made; `details` stands for it in the
// fingerprints. 72 bytes and its file's stem (some 160 in all), where a
// catalog row took a kilobyte (a million of them: the server's 1.3 GB).
// The title is most often the end of the stem ("1045570_标题"), and is
// then kept as that end, not a second time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"

namespace newsmirror::site {

class ListedArticle {
 public:
  catalog::ArticleId id = 0;
  std::int64_t current_version = 0;     // catalog::Version::id
  core::TimePoint when{};               // published, else first seen
  std::uint64_t details = 0;            // a hash of link, language, published, first seen

  // N of `<N>_<title>.md`.
  std::optional<std::uint64_t> number() const {
    return has_number_ ? std::optional<std::uint64_t>(number_) : std::nullopt;
  }
  std::string_view site() const { return *site_; }
  std::string_view stem() const { return {text_, stem_size_}; }  // "1045570_标题"
  std::string_view title() const { return {text_ + title_offset_, title_size_}; }

 private:
  friend class SiteModel;
  std::uint64_t number_ = 0;
  const std::string* site_ = nullptr;  // the model's name of the site
  const char* text_ = nullptr;         // the stem, then the title unless the stem ends with it
  std::uint32_t stem_size_ = 0;
  std::uint32_t title_offset_ = 0;
  std::uint32_t title_size_ = 0;
  bool has_number_ = false;
};

// When an article is listed: its published time, or when it was first
// seen if its file has no time line.
inline core::TimePoint listed_time(const catalog::Article& article) {
  return article.published.value_or(article.first_seen);
}

}  // namespace newsmirror::site
