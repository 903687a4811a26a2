// Content hashes for identities and change detection.
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::core {

// SHA-256 of `bytes` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace newsmirror::core
