// Feed documents (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1) into
// core::Feed. Parsers take bytes, never URLs, and do no I/O: the same entry
// point serves the fetch loop, the `parse` command, tests and fuzzers.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/feed.hpp"
#include "core/result.hpp"
#include "core/time_zone.hpp"

namespace newsmirror::parse {

struct ParseOptions {
  std::string content_type;     // HTTP Content-Type, may carry charset; "" if unknown
  std::string base_url;         // URL the document came from; "" if unknown
  core::TimeZone default_zone;  // for dates without a zone (default UTC)
  // Applied to every markup value (summary, content, an HTML title) with the
  // base URL in effect at that element (xml:base, then base_url), e.g. a
  // sanitizer. Empty: the markup is kept as the feed carries it.
  std::function<std::string(std::string_view markup, std::string_view base_url)> markup_filter;
  // A check for tests: the parser writes the markup of most XHTML content
  // itself, faster than libxml2's xmlNodeDump and meant to be identical.
  // With this set, every element it writes is written again by libxml2 and
  // a difference fails the parse (ErrorKind::internal, both texts shown).
  bool verify_serialization = false;
};

// Decodes (BOM, HTTP charset, XML declaration, then detection) and parses.
// A damaged feed yields what can be read; a document that is no feed at all
// is ErrorKind::not_feed. Thread-safe: no state is shared between calls.
core::Result<core::Feed> parse_feed(std::string_view bytes, const ParseOptions& options);

}  // namespace newsmirror::parse
