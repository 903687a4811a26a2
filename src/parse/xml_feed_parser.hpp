// RSS 0.9x/1.0/2.0, RDF and Atom 0.3/1.0 into core::Feed: the text decoded
// to UTF-8 (encoding.hpp), readied for libxml2 (xml_preparation.hpp),
// streamed with xmlTextReader one entry at a time and mapped element by
// element. Internal to src/parse: parse_feed (feed_parser.hpp) is the entry
// point.
#pragma once

#include <string_view>

#include "core/feed.hpp"
#include "core/result.hpp"
#include "parse/feed_parser.hpp"

namespace newsmirror::parse {

core::Result<core::Feed> parse_xml_feed(std::string_view bytes, const ParseOptions& options);

}  // namespace newsmirror::parse
