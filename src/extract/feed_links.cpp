#include "extract/feed_links.hpp"

#include <algorithm>

#include "clean/dom.hpp"
#include "core/ascii.hpp"
#include "core/url.hpp"
#include "extract/dom_text.hpp"
#include "extract/html_bytes.hpp"

namespace newsmirror::extract {

namespace {

// rel is a set of space-separated tokens, in any case ("Alternate home").
bool has_alternate_rel(std::string_view rel) { return clean::has_token(core::ascii_lower(rel), "alternate"); }

// The media type without parameters ("application/rss+xml; charset=utf-8").
bool is_feed_type(std::string_view type) {
  std::string media = core::ascii_lower(type.substr(0, type.find(';')));
  media = collapse_spaces(media);
  return media == "application/rss+xml" || media == "application/atom+xml" || media == "application/feed+json";
}

}  // namespace

std::vector<FeedLink> find_feed_links(std::string_view bytes, std::string_view content_type,
                                      std::string_view page_url) {
  auto document = clean::parse_document(decode_html_bytes(bytes, content_type));
  const std::string base = base_url_of(*document, page_url);
  std::vector<FeedLink> links;
  for (const Node* link : descendants_by_tag(*document, {"link"})) {
    if (!has_alternate_rel(attr(*link, "rel")) || !is_feed_type(attr(*link, "type"))) continue;
    const std::string_view href = attr(*link, "href");
    auto url = href.empty() ? std::nullopt : core::url::resolve(base, href);
    // Serialized URLs have their scheme in lower case.
    if (!url || !(url->starts_with("http://") || url->starts_with("https://"))) continue;
    bool seen = std::any_of(links.begin(), links.end(), [&](const FeedLink& l) { return l.url == *url; });
    if (!seen) links.push_back({*url, collapse_spaces(attr(*link, "title"))});
  }
  return links;
}

std::string describe_feed_links(const std::vector<FeedLink>& links) {
  std::string text;
  for (const auto& link : links) {
    if (!text.empty()) text += ", ";
    text += link.url;
    if (!link.title.empty()) text += " (" + link.title + ")";
  }
  return text;
}

}  // namespace newsmirror::extract
