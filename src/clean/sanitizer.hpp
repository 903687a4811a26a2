// The article sanitizer: what an archived article may contain. An
// allowlist of elements and attributes for news (text structure, headings,
// lists, tables, figures, images, audio/video, links, quotes, code); the
// rest is unwrapped (unknown and layout-only elements, forms) or dropped
// with its content (script, style, iframe, object, embed, form controls,
// template, SVG, meta, base ...). URLs are checked and made absolute
// (clean/url_policy.hpp), inline styles filtered (clean/style_filter.hpp),
// lazy-loaded images given a real src, tracking pixels removed, links given
// rel="noopener noreferrer" and no target.
//
// DOM clobbering: every non-empty id and name gets the prefix
// "user-content-" (and "#x" links and usemaps follow), instead of checking
// values against a list of document and window properties: such a list is
// never complete across browsers and versions, a prefix with a hyphen can
// name no property a script reaches as `document.x` or `window.x`, and
// in-article anchors keep working.
//
// The output is a fixed point: sanitizing it again gives the same string.
// sanitize() guarantees this by parsing its own output again until nothing
// changes, which also means the tree a browser builds from the output is
// one the sanitizer has checked (the defence against mutation XSS).
#pragma once

#include <string>
#include <string_view>

#include "clean/dom.hpp"

namespace newsmirror::clean {

struct SanitizeOptions {
  // The article's URL: relative URLs are resolved against it. Empty keeps
  // them relative.
  std::string base_url;
};

// Sanitizes a fragment in place (the root of parse_fragment). The root's
// children are replaced by the checked tree; returns its serialization
// (serialize_children(root)), which the fixed-point check made already.
std::string sanitize(Node& root, const SanitizeOptions& options);

// parse_fragment, sanitize, serialize_children.
std::string sanitize_html(std::string_view html, const SanitizeOptions& options);

// The prefix every id and name value gets.
inline constexpr std::string_view kIdPrefix = "user-content-";

}  // namespace newsmirror::clean
