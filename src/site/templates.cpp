#include "site/templates.hpp"

#include <utility>

#include "core/hash.hpp"
#include "core/read_file.hpp"

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
        auto bytes = core::read_file(path);
        if (!bytes) return bytes.error().with_context("template " + path.string());
        text = std::move(*bytes);
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
