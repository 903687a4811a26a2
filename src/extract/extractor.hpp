// The main text of an article page, for sources whose feeds carry only a
// summary and for saving a single URL. The extractor scores the page's
// blocks the way reader modes do (text length, commas, link density, class
// and id hints), keeps the best block and its related siblings, and reads
// the page's own metadata (JSON-LD, OpenGraph and other <meta> tags) for
// title, byline and date. It does not sanitize: the caller's clean stage
// runs on content_html afterwards.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace newsmirror::extract {

struct ExtractedArticle {
  std::optional<std::string> title;
  std::optional<std::string> byline;
  std::optional<std::string> published;  // ISO 8601, UTC ("2024-05-01T08:30:00Z")
  std::optional<std::string> lang;       // the page's <html lang>, as written
  std::optional<std::string> excerpt;
  std::string content_html;  // the article's HTML, URLs absolute against the page URL
};

// `html` is the page as UTF-8 text, `url` the address it came from (base
// for relative links; a <base href> in the page wins). Fails with a parse
// error "no article found in <url>" when nothing readable is on the page.
core::Result<ExtractedArticle> extract_article(std::string_view html, std::string_view url);

}  // namespace newsmirror::extract
