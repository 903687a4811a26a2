// Writing UTF-8: one encoder for every module that builds text from code
// points (file names, page metadata, extracted text).
#pragma once

#include <string>

namespace newsmirror::core {

// Appends the UTF-8 form of `cp` (a Unicode scalar value) to `out`.
void append_utf8(std::string& out, char32_t cp);

}  // namespace newsmirror::core
