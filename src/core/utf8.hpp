// UTF-8: one encoder for every module that builds text from code points
// (file names, page metadata, extracted text), and one validator for every
// module that must know its input is UTF-8 (feeds, indexed text, URLs).
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::core {

// Appends the UTF-8 form of `cp` (a Unicode scalar value) to `out`.
void append_utf8(std::string& out, char32_t cp);

// Well-formed UTF-8 (Unicode, table 3-7): no overlong forms, no surrogates,
// nothing above U+10FFFF, no truncated sequence. 32 bytes at a time on
// processors with AVX2.
bool is_valid_utf8(std::string_view text);

}  // namespace newsmirror::core
