#include "clean/url_policy.hpp"

#include <vector>

#include "core/ascii.hpp"
#include "core/url.hpp"

namespace newsmirror::clean {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_c0_or_space(char c) { return static_cast<unsigned char>(c) <= 0x20; }
bool is_ascii_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

// What the WHATWG URL parser does to its input before anything else:
// leading and trailing C0 controls and spaces go, tabs and newlines
// anywhere go. Checking the scheme after this is what defeats
// "\x01 java\tscript:".
std::string strip_like_a_browser(std::string_view value) {
  size_t begin = 0;
  size_t end = value.size();
  while (begin < end && is_c0_or_space(value[begin])) ++begin;
  while (end > begin && is_c0_or_space(value[end - 1])) --end;
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const char c = value[i];
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

// The lower-case scheme of `url`, or "" for a relative reference.
std::string scheme_of(std::string_view url) {
  if (url.empty() || !is_alpha(url[0])) return {};
  for (size_t i = 1; i < url.size(); ++i) {
    const char c = url[i];
    if (c == ':') return core::ascii_lower(url.substr(0, i));
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

// data:image/png;base64,... and the like: only raster types (an SVG image
// is a document that can carry script), only small ones.
bool is_small_raster_data_url(std::string_view url) {
  if (url.size() > kMaxDataImageUrl) return false;
  const std::string head = core::ascii_lower(url.substr(0, std::min<size_t>(url.size(), 64)));
  const size_t comma = head.find(',');
  if (comma == std::string::npos) return false;
  std::string_view type = std::string_view(head).substr(5, comma - 5);  // after "data:"
  type = type.substr(0, type.find(';'));
  return type == "image/png" || type == "image/gif" || type == "image/jpeg" ||
         type == "image/jpg" || type == "image/webp";
}

bool scheme_allowed(std::string_view scheme, UrlUse use) {
  if (scheme == "http" || scheme == "https") return true;
  return use == UrlUse::link && scheme == "mailto";
}

}  // namespace

std::optional<std::string> clean_url(std::string_view value, std::string_view base_url, UrlUse use) {
  const std::string url = strip_like_a_browser(value);
  if (url.empty()) return url;  // "the article itself": harmless, and nothing to resolve
  // A link to a place in the article stays in the article (resolving it
  // would point the reader at the publisher's copy).
  if (url.front() == '#') return use == UrlUse::link ? std::optional(url) : std::nullopt;

  const std::string scheme = scheme_of(url);
  if (scheme == "data") {
    if (use == UrlUse::image && is_small_raster_data_url(url)) return url;
    return std::nullopt;
  }
  if (!scheme.empty()) {
    if (!scheme_allowed(scheme, use)) return std::nullopt;
    if (scheme == "mailto") return url;
  }
  if (base_url.empty()) {
    if (scheme.empty()) return url;
    return core::url::serialize(url);
  }
  auto resolved = core::url::resolve(base_url, url);
  // The base itself could be anything the feed said; check the result too.
  if (!resolved || !scheme_allowed(scheme_of(*resolved), use)) return std::nullopt;
  return resolved;
}

std::optional<std::string> clean_srcset(std::string_view value, std::string_view base_url) {
  // The HTML standard's srcset grammar: candidates separated by commas, a
  // URL (which may itself hold commas, but not end with one) then
  // optional descriptors.
  std::vector<std::string> kept;
  size_t at = 0;
  while (at < value.size()) {
    while (at < value.size() && (is_ascii_whitespace(value[at]) || value[at] == ',')) ++at;
    if (at >= value.size()) break;
    size_t url_end = at;
    while (url_end < value.size() && !is_ascii_whitespace(value[url_end])) ++url_end;
    std::string_view url = value.substr(at, url_end - at);
    at = url_end;
    std::string descriptors;
    if (url.ends_with(',')) {
      while (url.ends_with(',')) url.remove_suffix(1);
    } else {
      bool in_parens = false;
      while (at < value.size()) {
        const char c = value[at];
        if (c == ',' && !in_parens) {
          ++at;
          break;
        }
        if (c == '(') in_parens = true;
        if (c == ')') in_parens = false;
        if (is_ascii_whitespace(c)) {
          if (!descriptors.empty() && descriptors.back() != ' ') descriptors += ' ';
        } else {
          descriptors += c;
        }
        ++at;
      }
      while (!descriptors.empty() && descriptors.back() == ' ') descriptors.pop_back();
    }
    auto clean = clean_url(url, base_url, UrlUse::image);
    if (!clean || clean->empty()) continue;
    // A URL with a comma or space in it would split differently when read
    // back; such candidates are rare enough to drop.
    if (clean->find_first_of(", \t\n\f\r") != std::string::npos && !clean->starts_with("data:")) continue;
    if (clean->starts_with("data:") && clean->ends_with(",")) continue;
    // Descriptors are width/density numbers ("640w", "1.5x"); anything else
    // is not a valid candidate.
    bool plain = true;
    for (char c : descriptors) {
      if (!is_digit(c) && c != '.' && c != 'w' && c != 'x' && c != 'h' && c != ' ') plain = false;
    }
    if (!plain) continue;
    kept.push_back(descriptors.empty() ? *clean : *clean + " " + descriptors);
  }
  if (kept.empty()) return std::nullopt;
  std::string out;
  for (const auto& candidate : kept) {
    if (!out.empty()) out += ", ";
    out += candidate;
  }
  return out;
}

}  // namespace newsmirror::clean
