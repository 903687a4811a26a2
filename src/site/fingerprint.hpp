// The hash behind page fingerprints (site_pages.hpp): FNV-1a over 64-bit
// words. Fingerprints are kept between builds in the manifest, so the hash
// must not change from run to run (std::hash promises no such thing); they
// only decide whether to rewrite a file, so a cryptographic hash would
// cost more and buy nothing. Internal to src/site.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace newsmirror::site {

class Fingerprint {
 public:
  Fingerprint& add(std::string_view bytes) {
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, bytes.data() + i, 8);
      mix(word);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
    mix(tail);
    mix(bytes.size());  // separates ("ab","c") from ("a","bc")
    return *this;
  }
  Fingerprint& add(std::int64_t number) {
    mix(static_cast<std::uint64_t>(number));
    return *this;
  }
  std::uint64_t value() const { return hash_ ^ (hash_ >> 29); }

 private:
  void mix(std::uint64_t word) {
    hash_ = (hash_ ^ word) * 1099511628211ULL;
    hash_ ^= hash_ >> 32;
  }
  std::uint64_t hash_ = 14695981039346656037ULL;
};

}  // namespace newsmirror::site
