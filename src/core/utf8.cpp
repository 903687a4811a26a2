#include "core/utf8.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

namespace newsmirror::core {

namespace {

// Well-formed UTF-8 (Unicode 3.9, table 3-7): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequence. The same bytes
// ICU's UTF-8 converter accepts with a STOP callback, without converting.
bool valid_utf8_bytewise(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      // ASCII runs, eight bytes at a time (tried only after an ASCII
      // byte: between Chinese characters the attempt costs more than it saves).
      ++p;
      while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        if (word & 0x8080808080808080ULL) break;
        p += 8;
      }
      continue;
    }
    std::ptrdiff_t left = end - p;
    // The bulk of Chinese text: E1..EC and EE..EF leads with two continuation bytes.
    if (left >= 3 && (c & 0xF0) == 0xE0 && c != 0xE0 && c != 0xED && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
      p += 3;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      if (left < 2 || (p[1] & 0xC0) != 0x80) return false;
      p += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (left < 3 || (p[2] & 0xC0) != 0x80) return false;
      unsigned char t = p[1];
      if (c == 0xE0 ? (t < 0xA0 || t > 0xBF) : c == 0xED ? (t < 0x80 || t > 0x9F) : (t & 0xC0) != 0x80) return false;
      p += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (left < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return false;
      unsigned char t = p[1];
      if (c == 0xF0 ? (t < 0x90 || t > 0xBF) : c == 0xF4 ? (t < 0x80 || t > 0x8F) : (t & 0xC0) != 0x80) return false;
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}


#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NEWSMIRROR_UTF8_AVX2 1
// UTF-8 validation 32 bytes at a time, on processors with AVX2 (checked at
// run time), after Keiser and Lemire, "Validating UTF-8 in less than one
// instruction per byte" (2021): every byte is checked against the one to
// three bytes before it. One table lookup each for the high nibble of the
// byte before, its low nibble and the high nibble of the byte itself gives
// the set of errors the pair may be; their intersection is the errors it is.
namespace utf8_simd {

// Errors of a byte pair (first, second); each is the conjunction of a
// condition on first's high nibble, on first's low nibble and on second's
// high nibble, which is what makes the three lookups exact.
constexpr std::uint8_t kTooShort = 1 << 0;         // lead, then no continuation
constexpr std::uint8_t kTooLong = 1 << 1;          // ASCII, then a continuation
constexpr std::uint8_t kOverlong3 = 1 << 2;        // E0 80..9F
constexpr std::uint8_t kTooLarge = 1 << 3;         // F4..FF 90..BF
constexpr std::uint8_t kSurrogate = 1 << 4;        // ED A0..BF
constexpr std::uint8_t kOverlong2 = 1 << 5;        // C0..C1 80..BF
constexpr std::uint8_t kOverlong4OrLarge = 1 << 6; // F0 80..8F, F5..FF 80..8F
constexpr std::uint8_t kTwoContinuations = 1 << 7; // allowed as the third or fourth byte only

struct Condition {
  std::uint8_t error;
  int first_high_low, first_high_high;  // ranges of nibbles
  int first_low_low, first_low_high;
  int second_high_low, second_high_high;
  int first_low_also = -1;              // one more first low nibble
  int second_high_more_low = -1, second_high_more_high = -1;  // one more range
};
constexpr Condition kConditions[] = {
    {kTooShort, 0xC, 0xF, 0x0, 0xF, 0x0, 0x7, -1, 0xC, 0xF},
    {kTooLong, 0x0, 0x7, 0x0, 0xF, 0x8, 0xB},
    {kOverlong3, 0xE, 0xE, 0x0, 0x0, 0x8, 0x9},
    {kTooLarge, 0xF, 0xF, 0x4, 0xF, 0x9, 0xB},
    {kSurrogate, 0xE, 0xE, 0xD, 0xD, 0xA, 0xB},
    {kOverlong2, 0xC, 0xC, 0x0, 0x1, 0x8, 0xB},
    {kOverlong4OrLarge, 0xF, 0xF, 0x5, 0xF, 0x8, 0x8, 0x0},
    {kTwoContinuations, 0x8, 0xB, 0x0, 0xF, 0x8, 0xB},
};

enum class Part { first_high, first_low, second_high };
constexpr std::array<std::uint8_t, 16> table(Part part) {
  std::array<std::uint8_t, 16> t{};
  for (int nibble = 0; nibble < 16; ++nibble) {
    for (const Condition& c : kConditions) {
      bool holds = part == Part::first_high  ? nibble >= c.first_high_low && nibble <= c.first_high_high
                   : part == Part::first_low ? (nibble >= c.first_low_low && nibble <= c.first_low_high) || nibble == c.first_low_also
                                             : (nibble >= c.second_high_low && nibble <= c.second_high_high) ||
                                                   (nibble >= c.second_high_more_low && nibble <= c.second_high_more_high);
      if (holds) t[static_cast<std::size_t>(nibble)] |= c.error;
    }
  }
  return t;
}
constexpr auto kFirstHigh = table(Part::first_high);
constexpr auto kFirstLow = table(Part::first_low);
constexpr auto kSecondHigh = table(Part::second_high);

__attribute__((target("avx2"))) inline __m256i lookup(const std::array<std::uint8_t, 16>& t, __m256i nibbles) {
  __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.data()));
  return _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(half), nibbles);
}

// Checks text[0, returned offset), whole blocks of 32 bytes, and leaves the
// rest, from the start of the character the blocks end in, to the caller;
// `bad` tells whether the checked part failed.
__attribute__((target("avx2"))) std::size_t check_blocks(const unsigned char* text, std::size_t size, bool& bad) {
  const __m256i low_nibble = _mm256_set1_epi8(0x0F);
  // What the last three bytes of a block may be when a block of ASCII
  // follows: anything but a lead byte wanting more.
  const __m256i incomplete_limit = _mm256_setr_epi8(
      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, static_cast<char>(0xF0 - 1),
      static_cast<char>(0xE0 - 1), static_cast<char>(0xC0 - 1));
  __m256i previous = _mm256_setzero_si256();
  __m256i error = _mm256_setzero_si256();
  std::size_t offset = 0;
  for (; size - offset >= 32; offset += 32) {
    __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(text + offset));
    if (_mm256_movemask_epi8(block) == 0) {
      error = _mm256_or_si256(error, _mm256_subs_epu8(previous, incomplete_limit));
      previous = block;
      continue;
    }
    // The bytes one, two and three before each byte of the block.
    __m256i shifted = _mm256_permute2x128_si256(previous, block, 0x21);
    __m256i before1 = _mm256_alignr_epi8(block, shifted, 15);
    __m256i before2 = _mm256_alignr_epi8(block, shifted, 14);
    __m256i before3 = _mm256_alignr_epi8(block, shifted, 13);
    __m256i errors = _mm256_and_si256(
        _mm256_and_si256(lookup(kFirstHigh, _mm256_and_si256(_mm256_srli_epi16(before1, 4), low_nibble)),
                         lookup(kFirstLow, _mm256_and_si256(before1, low_nibble))),
        lookup(kSecondHigh, _mm256_and_si256(_mm256_srli_epi16(block, 4), low_nibble)));
    // A continuation after a continuation is right exactly where the byte
    // two before starts three or four bytes, or the byte three before four.
    __m256i third = _mm256_subs_epu8(before2, _mm256_set1_epi8(static_cast<char>(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(before3, _mm256_set1_epi8(static_cast<char>(0xF0 - 0x80)));
    __m256i must_continue = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(static_cast<char>(0x80)));
    error = _mm256_or_si256(error, _mm256_xor_si256(must_continue, errors));
    previous = block;
  }
  bad = !_mm256_testz_si256(error, error);
  // The character the checked blocks end in, if it goes on, is the caller's.
  std::size_t start = offset;
  while (start > 0 && offset - start < 3 && (text[start - 1] & 0xC0) == 0x80) --start;
  if (start > 0 && text[start - 1] >= 0xC0) --start;
  return start;
}

}  // namespace utf8_simd
#endif

}  // namespace

bool is_valid_utf8(std::string_view text) {
#ifdef NEWSMIRROR_UTF8_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2 && text.size() >= 64) {
    bool bad = false;
    std::size_t rest = utf8_simd::check_blocks(reinterpret_cast<const unsigned char*>(text.data()), text.size(), bad);
    return !bad && valid_utf8_bytewise(text.substr(rest));
  }
#endif
  return valid_utf8_bytewise(text);
}

}  // namespace newsmirror::core
