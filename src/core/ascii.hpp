// ASCII case folding for the tokens of protocols and markup (media types,
// rel values, header names), which compare case-insensitively in ASCII
// only. Text a person wrote needs ICU's folding instead (search/).
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::core {

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace newsmirror::core
