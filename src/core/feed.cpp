#include "core/feed.hpp"

namespace newsmirror::core {

const char* to_string(FeedFormat format) {
  switch (format) {
    case FeedFormat::rss: return "rss";
    case FeedFormat::atom: return "atom";
    case FeedFormat::rdf: return "rdf";
    case FeedFormat::json: return "json";
  }
  return "rss";
}

}  // namespace newsmirror::core
