// README.md at the root of a classic archive: the index of sites.
//
//   抓取新闻媒体文章 LF "------" LF LF
//   *( "[" site "](lists/" folder ".md)" LF
//      "共 " count " 篇" [ "，最新 " YYYY-MM-DD SP HH:MM " (UTC+8)" ] LF LF )
//   acknowledgements                                   ; ends with LF
//
// The existing mirrors list only the site links; the count and the newest
// article's time are newsmirror's addition, on their own line so that the
// link lines stay as they were.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/feed.hpp"

namespace newsmirror::archive {

struct SiteSummary {
  std::string site;
  std::size_t article_count = 0;
  std::optional<core::TimePoint> newest;
};

// Sites appear in the given order. Times are shown in UTC+8, like the lists.
std::string render_readme(const std::vector<SiteSummary>& sites);

// The sites a README links (`[name](lists/...)` lines), in its order: how
// an adopted mirror lists them, whether newsmirror or the old script wrote it.
std::vector<std::string> parse_readme_sites(std::string_view bytes);

}  // namespace newsmirror::archive
