// ASCII helpers for the tokens of protocols and markup (media types, rel
// values, header names, CSS, dates), which compare case-insensitively in
// ASCII only. Text a person wrote needs ICU's folding instead (search/).
//
// White space comes in three definitions, and each format says which:
//   is_html_space  TAB LF FF CR SPACE: HTML's and CSS's "ASCII whitespace"
//   is_c_space     those and VT: C's isspace in the "C" locale, which XML
//                  feeds' and the old scripts' trimming used
//   is_blank       SPACE and TAB: HTTP's optional white space (OWS)
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::core {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

constexpr bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
constexpr bool is_c_space(char c) { return is_html_space(c) || c == '\v'; }
constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }

// `text` without the characters `is_space` accepts at either end.
template <class IsSpace>
constexpr std::string_view trim_if(std::string_view text, IsSpace is_space) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

constexpr std::string_view trim_html_space(std::string_view text) {
  return trim_if(text, [](char c) { return is_html_space(c); });
}
constexpr std::string_view trim_c_space(std::string_view text) {
  return trim_if(text, [](char c) { return is_c_space(c); });
}
constexpr std::string_view trim_blanks(std::string_view text) {
  return trim_if(text, [](char c) { return is_blank(c); });
}

}  // namespace newsmirror::core
