// JSON Feed 1.0 and 1.1 (jsonfeed.org) into core::Feed. Internal to
// src/parse: parse_feed (feed_parser.hpp) is the entry point.
#pragma once

#include <string_view>

#include "core/feed.hpp"
#include "core/result.hpp"
#include "parse/feed_parser.hpp"

namespace newsmirror::parse {

// Whether `bytes` (after a BOM and white space) opens a JSON object.
bool looks_like_json(std::string_view bytes);

// A document that is JSON but no JSON Feed is ErrorKind::not_feed.
core::Result<core::Feed> parse_json_feed(std::string_view bytes, const ParseOptions& options);

}  // namespace newsmirror::parse
