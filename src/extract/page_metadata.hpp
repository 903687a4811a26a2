// What a page says about itself: JSON-LD (schema.org Article and its
// kinds), OpenGraph, Dublin Core, Twitter and Parse.ly <meta> tags, the
// <title> element and <html lang>. Publishers fill these for search engines
// and social previews, so they are usually cleaner than anything guessed
// from the body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "clean/dom.hpp"

namespace newsmirror::extract {

struct PageMetadata {
  std::optional<std::string> title;
  std::optional<std::string> byline;
  std::optional<std::string> excerpt;
  std::optional<std::string> site_name;
  std::optional<std::string> published;  // as the page writes it
  std::optional<std::string> lang;
};

// Reads the metadata of a parsed document; the title falls back to
// title_from_title_element when no metadata names one.
PageMetadata read_page_metadata(const clean::Node& document);

// The article's title from <title>, without the site name that pages append
// or prepend ("Story – Site", "Site | Section | Story", "Site: Story"); a
// long or tiny <title> gives way to a single <h1>.
std::string title_from_title_element(const clean::Node& document);

// How much of `b`'s wording `a` already contains, 0 to 1 (word-based):
// tells whether a heading repeats the title.
double text_similarity(std::string_view a, std::string_view b);

}  // namespace newsmirror::extract
