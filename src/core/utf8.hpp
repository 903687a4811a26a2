// UTF-8: one encoder for every module that builds text from code points
// (file names, page metadata, extracted text), and one validator for every
// module that must know its input is UTF-8 (feeds, indexed text, URLs).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace newsmirror::core {

// Appends the UTF-8 form of `cp` (a Unicode scalar value) to `out`. Inline:
// the tokenizer and the feed parser call it for every character they build.
inline void append_utf8(std::string& out, char32_t cp) {
  char bytes[4];
  std::size_t size;
  if (cp < 0x80) {
    bytes[0] = static_cast<char>(cp);
    size = 1;
  } else if (cp < 0x800) {
    bytes[0] = static_cast<char>(0xC0 | (cp >> 6));
    bytes[1] = static_cast<char>(0x80 | (cp & 0x3F));
    size = 2;
  } else if (cp < 0x10000) {
    bytes[0] = static_cast<char>(0xE0 | (cp >> 12));
    bytes[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    bytes[2] = static_cast<char>(0x80 | (cp & 0x3F));
    size = 3;
  } else {
    bytes[0] = static_cast<char>(0xF0 | (cp >> 18));
    bytes[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    bytes[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    bytes[3] = static_cast<char>(0x80 | (cp & 0x3F));
    size = 4;
  }
  out.append(bytes, size);
}

// Well-formed UTF-8 (Unicode, table 3-7): no overlong forms, no surrogates,
// nothing above U+10FFFF, no truncated sequence. 32 bytes at a time on
// processors with AVX2.
bool is_valid_utf8(std::string_view text);

}  // namespace newsmirror::core
