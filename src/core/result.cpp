#include "core/result.hpp"

namespace newsmirror::core {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::io: return "io";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::connection: return "connection";
    case ErrorKind::http_status: return "http";
    case ErrorKind::too_large: return "too large";
    case ErrorKind::parse: return "parse";
    case ErrorKind::not_feed: return "not a feed";
    case ErrorKind::config: return "config";
    case ErrorKind::usage: return "usage";
    case ErrorKind::database: return "database";
    case ErrorKind::busy: return "busy";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::forbidden: return "forbidden";
    case ErrorKind::internal: return "internal";
  }
  return "unknown";
}

}  // namespace newsmirror::core
