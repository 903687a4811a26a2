// to_utf8 decodes GB18030, Big5-HKSCS and UTF-16 without ICU where it can
// (tables of ICU's own mappings, UTF-16 by hand) and validates UTF-8 by
// hand (32 bytes at a time on AVX2); these tests hold it to
// ICU's strict conversion, written out here, byte for byte: same text, same
// failures.
#include "parse/encoding.hpp"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "support/paths.hpp"

namespace newsmirror::parse {

namespace {

// ICU's strict conversion of `bytes` to UTF-8: nullopt on any illegal,
// unmapped or truncated sequence.
std::optional<std::string> icu_strict(std::string_view bytes, const char* converter_name) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* converter = ucnv_open(converter_name, &status);
  if (U_FAILURE(status)) return std::nullopt;
  ucnv_setToUCallBack(converter, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::u16string units(bytes.size() * 2 + 16, u'\0');
  UChar* target = units.data();
  const char* source = bytes.data();
  ucnv_toUnicode(converter, &target, units.data() + units.size(), &source, bytes.data() + bytes.size(), nullptr, true,
                 &status);
  ucnv_close(converter);
  if (U_FAILURE(status)) return std::nullopt;
  std::string utf8(bytes.size() * 4 + 16, '\0');
  int32_t length = 0;
  status = U_ZERO_ERROR;
  u_strToUTF8(utf8.data(), static_cast<int32_t>(utf8.size()), &length, units.data(),
              static_cast<int32_t>(target - units.data()), &status);
  if (U_FAILURE(status)) return std::nullopt;
  utf8.resize(static_cast<std::size_t>(length));
  return utf8;
}

std::string show(const std::optional<std::string>& text) { return text ? "\"" + *text + "\"" : "(fails)"; }

void expect_as_icu(std::string_view bytes, const char* label, const char* converter_name) {
  auto ours = to_utf8(bytes, label);
  auto icu = icu_strict(bytes, converter_name);
  std::string hex;
  for (unsigned char c : bytes.substr(0, 64)) hex += " " + std::to_string(c);
  EXPECT_EQ(ours, icu) << label << " bytes:" << hex << "\nours: " << show(ours) << "\nICU:  " << show(icu);
}

}  // namespace

TEST(Encoding, EveryTwoByteCodeDecodesAsIcuDecodesIt) {
  for (auto [label, converter] : {std::pair{"gb2312", "gb18030"}, std::pair{"big5", "big5-hkscs"}}) {
    for (int lead = 0x80; lead <= 0xFF; ++lead) {
      for (int trail = 0; trail <= 0xFF; ++trail) {
        std::string bytes = "a";
        bytes += static_cast<char>(lead);
        bytes += static_cast<char>(trail);
        bytes += "b";
        expect_as_icu(bytes, label, converter);
        if (HasFailure()) return;  // one report, not thousands
      }
    }
  }
}

TEST(Encoding, GbAndBig5TextDecodesAsIcuDecodesIt) {
  // Random text of ASCII, valid two-byte codes, GB18030 four-byte codes
  // and stray lead bytes.
  std::mt19937 random(7);
  auto byte_in = [&](int low, int high) {
    return static_cast<char>(std::uniform_int_distribution<int>(low, high)(random));
  };
  for (auto [label, converter] : {std::pair{"gbk", "gb18030"}, std::pair{"big5", "big5-hkscs"}}) {
    int decoded = 0;
    for (int text = 0; text < 400; ++text) {
      std::string bytes;
      int pieces = std::uniform_int_distribution<int>(1, 60)(random);
      for (int k = 0; k < pieces; ++k) {
        // Mostly text that decodes; every fourth text anything.
        int kind = std::uniform_int_distribution<int>(0, text % 4 == 0 ? 9 : 5)(random);
        if (kind < 3) {
          bytes += byte_in(0x20, 0x7E);
        } else if (kind < 6) {
          bytes += byte_in(0xA4, 0xC6);  // common Big5 and GB2312 rows
          bytes += byte_in(0xA1, 0xFE);
        } else if (kind < 8) {
          bytes += byte_in(0x81, 0xFE);
          bytes += byte_in(0x40, 0xFE);
        } else if (kind == 8) {
          bytes += byte_in(0x81, 0x84);
          bytes += byte_in(0x30, 0x39);
          bytes += byte_in(0x81, 0xFE);
          bytes += byte_in(0x30, 0x39);
        } else {
          bytes += byte_in(0x80, 0xFF);
        }
      }
      expect_as_icu(bytes, label, converter);
      if (HasFailure()) return;
      decoded += to_utf8(bytes, label).has_value();
    }
    EXPECT_GT(decoded, 200) << label;
  }
}

TEST(Encoding, Utf16DecodesAsIcuDecodesIt) {
  // Units chosen to reach every case: ASCII runs, two- and three-byte
  // characters, byte order marks anywhere, surrogate pairs, lone and
  // reversed surrogates, and an odd byte at the end.
  std::mt19937 random(11);
  const std::uint16_t units[] = {'<', 'a', ' ', 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x4E2D, 0xFEFF, 0xFFFE, 0xFFFF,
                                 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xD7FF, 0xE000};
  for (bool big_endian : {false, true}) {
    int decoded = 0;
    const char* label = big_endian ? "utf-16be" : "utf-16le";
    for (int text = 0; text < 2000; ++text) {
      std::string bytes;
      int count = std::uniform_int_distribution<int>(0, 24)(random);
      for (int k = 0; k < count; ++k) {
        std::uint16_t u = units[std::uniform_int_distribution<std::size_t>(0, std::size(units) - 1)(random)];
        if (text % 3 == 0 && u >= 0xD800 && u <= 0xDBFF) u = 'x';  // no lone high surrogates
        if (text % 5 == 0) u = k % 2 == 0 ? 0xD83D : 0xDE00;      // pairs (an odd count leaves one lone)
        char high = static_cast<char>(u >> 8), low = static_cast<char>(u & 0xFF);
        bytes += big_endian ? high : low;
        bytes += big_endian ? low : high;
      }
      if (text % 7 == 0) bytes += 'z';
      expect_as_icu(bytes, label, label);
      if (HasFailure()) return;
      decoded += to_utf8(bytes, label).has_value();
    }
    EXPECT_GT(decoded, 500) << label;
  }
}

TEST(Encoding, Utf8IsValidatedAsIcuValidatesIt) {
  // Long texts (validation goes 32 bytes at a time where it can) of ASCII
  // runs and characters of every length, with now and then one of every
  // kind of damage, at every distance from a block's end.
  std::mt19937 random(5);
  const std::string_view good[] = {"a", "<p>", "abcdefghijklmnopqrstuvwxyz0123456789", "\xC3\xA9", "\xDF\xBF",
                                   "\xE4\xB8\xAD", "\xEF\xBC\x8C", "\xE0\xA0\x80", "\xED\x9F\xBF",
                                   "\xEE\x80\x80", "\xF0\x90\x80\x80", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"};
  const std::string_view bad[] = {"\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xC3", "\xC3\x41", "\xE4\xB8",
                                  "\xE4\x41\x80", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xED\xA0\x80",
                                  "\xED\xBF\xBF", "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80",
                                  "\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80", "\xFF", "\xE4\xB8\xAD\x80",
                                  "\xF0\x9F\x98", "\xF0\x9F\x98\x80\x80", "\xC3\xA9\xA9",
                                  "\xC0", "\xC1", "\xE0", "\xF0"};
  int valid = 0, invalid = 0;
  for (int text = 0; text < 3000; ++text) {
    std::string bytes;
    std::size_t length = std::uniform_int_distribution<std::size_t>(0, 300)(random);
    while (bytes.size() < length) bytes += good[std::uniform_int_distribution<std::size_t>(0, std::size(good) - 1)(random)];
    if (text % 2 == 0) {
      std::size_t at = std::uniform_int_distribution<std::size_t>(0, bytes.size())(random);
      while (at > 0 && at < bytes.size() && (bytes[at] & 0xC0) == 0x80) --at;  // between characters
      bytes.insert(at, bad[std::uniform_int_distribution<std::size_t>(0, std::size(bad) - 1)(random)]);
    }
    if (text % 5 == 0 && !bytes.empty()) bytes.pop_back();  // maybe a cut character
    expect_as_icu(bytes, "utf-8", "utf-8");
    if (HasFailure()) return;
    (to_utf8(bytes, "utf-8") ? valid : invalid) += 1;
  }
  EXPECT_GT(valid, 1000);
  EXPECT_GT(invalid, 1000);
}

TEST(Encoding, CorpusFeedsDecodeAsIcuDecodesThem) {
  SKIP_WITHOUT_SHARED();
  // The conformance corpus's encoded feeds, whole and cut at every odd
  // place a network read could leave them.
  int decoded = 0;
  for (const auto& file : std::filesystem::directory_iterator(test::shared_dir() / "corpus" / "feeds" / "cases")) {
    std::string name = file.path().filename().string();
    if (file.path().extension() != ".xml") continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto [label, converter] : {std::pair{"gb2312", "gb18030"}, std::pair{"big5", "big5-hkscs"},
                                    std::pair{"utf-16le", "utf-16le"}, std::pair{"utf-16be", "utf-16be"}}) {
      for (std::size_t cut : {bytes.size(), bytes.size() / 2, bytes.size() / 3 + 1}) {
        expect_as_icu(std::string_view(bytes).substr(0, cut), label, converter);
        if (HasFailure()) return;
        decoded += to_utf8(std::string_view(bytes).substr(0, cut), label).has_value();
      }
    }
  }
  EXPECT_GT(decoded, 100);
}

}  // namespace newsmirror::parse
