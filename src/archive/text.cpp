#include "archive/text.hpp"

#include "core/ascii.hpp"

namespace newsmirror::archive::text {

std::string_view trim_ascii_right(std::string_view s) {
  while (!s.empty() && core::is_c_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view trim_ascii(std::string_view s) { return core::trim_c_space(s); }

char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& length) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  length = 1;
  if (b0 < 0x80) return b0;
  std::size_t need = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) { need = 1; cp = b0 & 0x1F; min = 0x80; }
  else if ((b0 & 0xF0) == 0xE0) { need = 2; cp = b0 & 0x0F; min = 0x800; }
  else if ((b0 & 0xF8) == 0xF0) { need = 3; cp = b0 & 0x07; min = 0x10000; }
  else return U'\uFFFD';
  if (i + need >= s.size()) return U'\uFFFD';  // truncated sequence
  for (std::size_t k = 1; k <= need; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return U'\uFFFD';
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return U'\uFFFD';
  length = need + 1;
  return cp;
}

namespace {

bool is_js_space(char32_t cp) {
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000: case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

}  // namespace

std::string_view trim_title(std::string_view s) {
  // Leading: decode forward.
  std::size_t begin = 0;
  while (begin < s.size()) {
    std::size_t len = 0;
    const char32_t cp = decode_utf8(s, begin, len);
    if (!is_js_space(cp) || (cp == U'\uFFFD' && len == 1)) break;
    begin += len;
  }
  // Trailing: step back to the start of each code point.
  std::size_t end = s.size();
  while (end > begin) {
    std::size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t len = 0;
    const char32_t cp = decode_utf8(s, start, len);
    if (start + len != end || !is_js_space(cp)) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

namespace {
bool escaped_in_link_text(char c) { return c == '[' || c == ']' || c == '<' || c == '\\'; }
}  // namespace

std::string escape_link_text(std::string_view title) {
  std::string out;
  out.reserve(title.size());
  for (std::size_t i = 0; i < title.size(); ++i) {
    const char c = title[i];
    // (A backslash at the end would escape the `]` that closes the text.)
    const bool backslash_before_escaped =
        c == '\\' && (i + 1 == title.size() || escaped_in_link_text(title[i + 1]));
    if ((c != '\\' && escaped_in_link_text(c)) || backslash_before_escaped) out += '\\';
    out += c;
  }
  return out;
}

std::string unescape_link_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && escaped_in_link_text(text[i + 1])) ++i;
    out += text[i];
  }
  return out;
}

}  // namespace newsmirror::archive::text
