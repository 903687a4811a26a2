#include "config/opml.hpp"

namespace newsmirror::config {

core::Result<std::vector<Source>> parse_opml(std::string_view) {
  return core::Error(core::ErrorKind::internal, "parse_opml: not yet implemented");
}

std::string render_opml(const Config&) { return {}; }

}  // namespace newsmirror::config
