// Where each page of the static site lives, relative to the site's root.
// `newsmirror build` writes these files and `newsmirror serve` answers the
// same paths, so a link works in both and from file://.
//
//   index.html                      home: sites, newest articles
//   style.css
//   feed.atom  feed.rss  feed.json  newest articles of every site
//   sources.opml  sitemap.xml (an index of sitemap-<K>.xml, 50,000 URLs each)
//   sites/<site>/index.html         a site: newest articles, its months
//   sites/<site>/<YYYY-MM>.html     a site's articles of one month
//   sites/<site>/<stem>.html        an article (<stem> = its file's name
//                                   without .md, so pages keep their names
//                                   across rebuilds and reindexes)
//   sites/<site>/<stem>.v<K>.html   an earlier version K of an article
//   sites/<site>/feed.atom ...      newest articles of one site
//   assets/...                      the mirror's images, as in the mirror
//
// Article pages sit two folders deep, as article files do in the mirror
// (articles/<site>/...), so the relative image links in their HTML
// ("../../assets/ab/...") work unchanged.
//
// A variant (--variants hant) is written beside each HTML page with the
// variant before the extension: index.hant.html, sites/x/1_y.hant.html.
#pragma once

#include <string>
#include <string_view>

#include "catalog/catalog.hpp"
#include "site/listed_article.hpp"

namespace newsmirror::site {

std::string site_index_path(std::string_view site);
std::string month_path(std::string_view site, std::string_view year_month);
// An article's page from its site and its file's stem (its name without
// the folder and ".md"), and the page of its earlier version `ordinal`.
std::string article_path(std::string_view site, std::string_view stem);
std::string version_path(std::string_view site, std::string_view stem, int ordinal);
std::string article_path(const catalog::Article& article);
std::string version_path(const catalog::Article& article, int ordinal);
std::string article_path(const ListedArticle& article);
std::string version_path(const ListedArticle& article, int ordinal);
// "articles/BBC/1_x.md" -> "1_x".
std::string_view file_stem(std::string_view file);
std::string site_feed_path(std::string_view site, std::string_view extension);

// `path` with `.<variant>` before its extension; `path` itself when
// `variant` is empty.
std::string with_variant(std::string_view path, std::string_view variant);

// "../" once per folder of `path`: the way from a page back to the root.
std::string root_prefix(std::string_view path);

// `path` as it goes into an href: every byte outside RFC 3986's unreserved
// set and '/' percent-encoded, so that titles holding '#', '?' or '%' still
// link to their file.
std::string href(std::string_view path);

// A value as it goes into a query string ("?q=..."): like href, with '/'
// encoded too.
std::string query_value_encoded(std::string_view value);

}  // namespace newsmirror::site
