#include "parse/feed_parser.hpp"

#include "parse/json_feed_parser.hpp"
#include "parse/xml_feed_parser.hpp"

namespace newsmirror::parse {

core::Result<core::Feed> parse_feed(std::string_view bytes, const ParseOptions& options) {
  if (looks_like_json(bytes)) {
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    return parse_json_feed(bytes, options);
  }
  return parse_xml_feed(bytes, options);
}

}  // namespace newsmirror::parse
