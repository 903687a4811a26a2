#include "site/safe_content.hpp"

#include "clean/sanitizer.hpp"
#include "core/url.hpp"

namespace newsmirror::site {

std::string safe_article_html(std::string_view html) { return clean::sanitize_html(html, clean::SanitizeOptions{}); }

std::optional<std::string> safe_link(std::string_view link) {
  auto serialized = core::url::serialize(std::string(link));
  if (!serialized || !(serialized->starts_with("http://") || serialized->starts_with("https://"))) return std::nullopt;
  return serialized;
}

}  // namespace newsmirror::site
