// What of an article may reach a reader's browser. The archive keeps every
// file's bytes as they came (an adopted mirror, an import, a source with
// `clean = false`), and those bytes may carry scripts, frames or event
// handlers: a real archived article loads Twitter's widgets.js. So what a
// page or a feed shows is sanitized when it is rendered, whatever the
// file holds, and its link to the original is shown only when it is one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::site {

// The Content-Security-Policy of every page. Pages use no scripts at all,
// so it allows none. Images: the mirror's own and data: URLs, plus https:
// for articles whose pictures were not localized (images = "remote").
// Inline style attributes are kept by the sanitizer (a checked subset,
// clean/style_filter.hpp), hence style-src-attr; <style> elements and
// outside style sheets stay blocked. `serve` sends kPagePolicy as a
// header; built pages carry kMetaPagePolicy in a <meta http-equiv>, which
// is all of it that a meta element can hold (browsers read
// frame-ancestors from headers only).
inline constexpr std::string_view kMetaPagePolicy =
    "default-src 'none'; img-src 'self' data: https:; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; form-action 'self'; base-uri 'none'";
inline constexpr std::string_view kPagePolicy =
    "default-src 'none'; img-src 'self' data: https:; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

// The article's HTML through the sanitizer (clean/sanitizer.hpp), relative
// links kept relative (local images point into assets/).
std::string safe_article_html(std::string_view html);

// The link when it is an http(s) URL, else nullopt: a feed can name
// `javascript:` or `data:` as an item's link.
std::optional<std::string> safe_link(std::string_view link);

}  // namespace newsmirror::site
