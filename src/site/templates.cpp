#include "site/templates.hpp"

#include <fstream>
#include <sstream>
#include <utility>

#include "core/hash.hpp"

namespace newsmirror::site {

// cmake/embed_templates.cmake generates this table; a pair of empty views
// ends it.
extern const std::pair<std::string_view, std::string_view> kEmbeddedTemplates[];

core::Result<Templates> Templates::load(const std::optional<std::filesystem::path>& override_dir) {
  Templates templates;
  for (const auto* entry = kEmbeddedTemplates; !entry->first.empty(); ++entry) {
    std::string text(entry->second);
    if (override_dir) {
      auto path = *override_dir / std::string(entry->first);
      std::error_code error;
      if (std::filesystem::exists(path, error)) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream buffer;
        buffer << in.rdbuf();
        if (!in.good() && !in.eof()) {
          return core::Error(core::ErrorKind::io, "cannot read template " + path.string());
        }
        text = std::move(buffer).str();
      }
    }
    templates.files_.emplace(std::string(entry->first), std::move(text));
  }
  std::string all;
  for (const auto& [name, text] : templates.files_) {
    all += name;
    all += '\0';
    all += core::sha256_hex(text);
  }
  templates.fingerprint_ = core::sha256_hex(all);
  return templates;
}

std::string_view Templates::get(std::string_view name) const {
  auto found = files_.find(name);
  return found == files_.end() ? std::string_view() : std::string_view(found->second);
}

}  // namespace newsmirror::site
