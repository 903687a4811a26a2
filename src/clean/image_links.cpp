#include "clean/image_links.hpp"

#include "core/ascii.hpp"

#include <unordered_set>

namespace newsmirror::clean {

namespace {

bool is_remote(std::string_view url) {
  auto lower_prefix = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != prefix[i]) return false;
    return true;
  };
  return lower_prefix("http://") || lower_prefix("https://");
}

// The attributes of `node` that hold image URLs: "src" for <img>, "srcset"
// for <img> and <source> inside <picture>.
bool holds_src(const Node& node) { return node.is_element("img"); }
bool holds_srcset(const Node& node) {
  return node.is_element("img") ||
         (node.is_element("source") && node.parent() && node.parent()->is_element("picture"));
}

template <typename Visit>
void for_each_image_url(const Node& root, Visit&& visit) {
  for_each_descendant(root, [&](const Node& node) {
    if (node.kind != Node::Kind::element) return;
    if (holds_src(node))
      if (const auto* src = node.attribute("src")) visit(node, "src", *src);
    if (holds_srcset(node))
      if (const auto* srcset = node.attribute("srcset"))
        for (const auto& candidate : parse_srcset(*srcset)) visit(node, "srcset", candidate.url);
  });
}

}  // namespace

std::vector<SrcsetCandidate> parse_srcset(std::string_view value) {
  std::vector<SrcsetCandidate> candidates;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (core::is_html_space(value[i]) || value[i] == ',')) ++i;
    if (i >= value.size()) break;
    std::size_t url_start = i;
    while (i < value.size() && !core::is_html_space(value[i])) ++i;
    std::string_view url = value.substr(url_start, i - url_start);
    SrcsetCandidate candidate;
    if (url.ends_with(',')) {
      // "a.jpg,b.jpg 2x": trailing commas end the URL and the candidate.
      while (url.ends_with(',')) url.remove_suffix(1);
      candidate.url = url;
      candidates.push_back(std::move(candidate));
      continue;
    }
    candidate.url = url;
    // Descriptors run to the next comma outside parentheses.
    std::size_t descriptor_start = i;
    int depth = 0;
    while (i < value.size() && !(value[i] == ',' && depth == 0)) {
      if (value[i] == '(') ++depth;
      if (value[i] == ')' && depth > 0) --depth;
      ++i;
    }
    std::string_view descriptor = value.substr(descriptor_start, i - descriptor_start);
    while (!descriptor.empty() && core::is_html_space(descriptor.front())) descriptor.remove_prefix(1);
    while (!descriptor.empty() && core::is_html_space(descriptor.back())) descriptor.remove_suffix(1);
    candidate.descriptor = descriptor;
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

std::string format_srcset(const std::vector<SrcsetCandidate>& candidates) {
  std::string out;
  for (const auto& candidate : candidates) {
    if (!out.empty()) out += ", ";
    out += candidate.url;
    if (!candidate.descriptor.empty()) out += " " + candidate.descriptor;
  }
  return out;
}

std::vector<std::string> image_urls(const Node& root) {
  std::vector<std::string> urls;
  std::unordered_set<std::string> seen;
  for_each_image_url(root, [&](const Node&, std::string_view, const std::string& url) {
    if (is_remote(url) && seen.insert(url).second) urls.push_back(url);
  });
  return urls;
}

std::size_t replace_image_urls(
    Node& root, const std::function<std::optional<std::string>(std::string_view url)>& local_link) {
  std::size_t remote = 0;
  auto replace = [&](std::string_view url) -> std::string {
    if (!is_remote(url)) return std::string(url);
    if (auto local = local_link(url)) return *local;
    ++remote;
    return std::string(url);
  };
  for_each_descendant(root, [&](Node& node) {
    if (node.kind != Node::Kind::element) return;
    if (holds_src(node))
      if (const auto* src = node.attribute("src")) node.set_attribute("src", replace(*src));
    if (holds_srcset(node))
      if (const auto* srcset = node.attribute("srcset")) {
        auto candidates = parse_srcset(*srcset);
        for (auto& candidate : candidates) candidate.url = replace(candidate.url);
        node.set_attribute("srcset", format_srcset(candidates));
      }
  });
  return remote;
}

}  // namespace newsmirror::clean
