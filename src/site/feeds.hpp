// The site's machine-readable outputs: Atom 1.0, RSS 2.0 and JSON Feed 1.1
// of the newest articles (overall and per site), and the sitemap.
//
// Links are absolute when the site has a base URL, else relative to the
// feed's own location (Atom and JSON Feed readers resolve those against
// the feed's address; RSS readers mostly do). Entries carry the article's
// clean HTML, its image links rewritten to match (they are written
// relative to the article's folder). An entry's id is a URN made from the
// article's identity, so it survives a change of host or base URL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"
#include "site/listed_article.hpp"

namespace newsmirror::site {

struct FeedEntry {
  catalog::Article article;  // its catalog row
  std::string html;          // the current version, sanitized (site/safe_content.hpp)
};

struct FeedInfo {
  std::string title;
  std::string path;       // of the feed itself, relative to the site root
  std::string page_path;  // the HTML page the feed follows ("index.html")
  std::string base_url;   // empty: relative links
  std::string language;   // "zh", ...
};

std::string atom_feed(const FeedInfo& info, const std::vector<FeedEntry>& entries);
std::string rss_feed(const FeedInfo& info, const std::vector<FeedEntry>& entries);
std::string json_feed(const FeedInfo& info, const std::vector<FeedEntry>& entries);

// The URL of `path` as a feed at `from` links to it.
std::string feed_link(const FeedInfo& info, std::string_view path);

// A sitemap (https://www.sitemaps.org/protocol.html) of `paths`, which must
// be at most kSitemapLimit, and the index that lists the sitemap files.
// Sitemaps need absolute URLs: `base_url` must not be empty.
inline constexpr std::size_t kSitemapLimit = 50000;
std::string sitemap(std::string_view base_url, const std::vector<std::string>& paths);
std::string sitemap_index(std::string_view base_url, const std::vector<std::string>& sitemap_paths);

}  // namespace newsmirror::site
