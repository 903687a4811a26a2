// Eight bytes at a time, for the scans of the XML preparation and the
// escaping of serialized markup. Internal to src/parse.
#pragma once

#include <cstdint>
#include <cstring>

namespace newsmirror::parse::byte_scan {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;

// The high bit of each byte of `word` that is `b` (and maybe of some above
// it: callers only use this to leave the fast path).
inline std::uint64_t bytes_equal(std::uint64_t word, unsigned char b) {
  std::uint64_t x = word ^ (kOnes * b);
  return (x - kOnes) & ~x & kHighs;
}

inline std::uint64_t load_word(const void* p) {
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

}  // namespace newsmirror::parse::byte_scan
