#include "parse/feed_parser.hpp"

namespace newsmirror::parse {

core::Result<core::Feed> parse_feed(std::string_view bytes, const ParseOptions& options) {
  (void)bytes;
  (void)options;
  return core::Error(core::ErrorKind::not_feed, "feed parser not implemented yet");
}

}  // namespace newsmirror::parse
