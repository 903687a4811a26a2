// Text as the feed parsers keep it. Internal to src/parse.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/ascii.hpp"

namespace newsmirror::parse::feed_text {

// Trimmed of C white space and, since Chinese feeds pad with them too, of
// U+00A0 and U+3000 at either end.
inline std::string trim(std::string_view s) {
  for (bool changed = true; changed;) {
    const std::size_t before = s.size();
    s = core::trim_c_space(s);
    for (std::string_view pad : {std::string_view("\xC2\xA0"), std::string_view("\xE3\x80\x80")}) {
      if (s.starts_with(pad)) s.remove_prefix(pad.size());
      if (s.ends_with(pad)) s.remove_suffix(pad.size());
    }
    changed = s.size() != before;
  }
  return std::string(s);
}

// `value`, or nothing when it is empty.
inline std::optional<std::string> non_empty(std::string value) {
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace newsmirror::parse::feed_text
