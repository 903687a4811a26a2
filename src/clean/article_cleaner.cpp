#include "clean/article_cleaner.hpp"

#include "clean/dom.hpp"
#include "clean/sanitizer.hpp"

namespace newsmirror::clean {

std::string clean_article(std::string_view html, const CleanSettings& settings) {
  auto tree = parse_fragment(html);
  if (settings.rules) apply(*tree, *settings.rules);
  SanitizeOptions options;
  options.base_url = std::string(settings.base_url);
  return sanitize(*tree, options);
}

}  // namespace newsmirror::clean
