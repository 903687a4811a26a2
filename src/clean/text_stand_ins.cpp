#include "clean/text_stand_ins.hpp"

#include <cstdint>
#include <cstring>
#include <unordered_map>

namespace newsmirror::clean {

namespace {

// Shorter runs are not worth a stand-in of 9 bytes.
constexpr std::size_t kShortestRun = 24;
// Two digits in base 256.
constexpr std::size_t kMostRuns = 256 * 256;

constexpr std::string_view kLead = "\xEE\x80\x80";  // U+E000

void append_digit(std::string& out, std::size_t digit) {  // U+E100 + digit
  out += '\xEE';
  out += static_cast<char>(0x84 | (digit >> 6));
  out += static_cast<char>(0x80 | (digit & 0x3F));
}

// The digit a U+E100–U+E1FF character at `at` stands for, if it is one.
std::optional<std::size_t> digit_at(std::string_view text, std::size_t at) {
  if (at + 3 > text.size()) return std::nullopt;
  const auto b0 = static_cast<unsigned char>(text[at]);
  const auto b1 = static_cast<unsigned char>(text[at + 1]);
  const auto b2 = static_cast<unsigned char>(text[at + 2]);
  if (b0 != 0xEE || b1 < 0x84 || b1 > 0x87 || (b2 & 0xC0) != 0x80) return std::nullopt;
  return static_cast<std::size_t>((b1 & 0x03) << 6 | (b2 & 0x3F));
}

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The length of the character at `at` when the parser passes it through
// as it is and treats it as any other such character: valid UTF-8, U+00A0
// or above, no noncharacter, no byte order mark. 0 otherwise (ASCII too).
std::size_t plain_character_length(std::string_view text, std::size_t at) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t left = text.size() - at;
  const unsigned char b0 = bytes[at];
  if (b0 < 0xC2) return 0;  // ASCII, a stray continuation, or an overlong lead
  if (b0 < 0xE0) {
    if (left < 2 || !is_continuation(bytes[at + 1])) return 0;
    return b0 == 0xC2 && bytes[at + 1] < 0xA0 ? 0 : 2;  // C1 controls
  }
  if (b0 < 0xF0) {
    if (left < 3 || !is_continuation(bytes[at + 1]) || !is_continuation(bytes[at + 2])) return 0;
    if (b0 == 0xE0 && bytes[at + 1] < 0xA0) return 0;  // overlong
    if (b0 == 0xED && bytes[at + 1] > 0x9F) return 0;  // a surrogate
    const std::uint32_t code = (b0 & 0x0Fu) << 12 | (bytes[at + 1] & 0x3Fu) << 6 | (bytes[at + 2] & 0x3Fu);
    if (code >= 0xFDD0 && code <= 0xFDEF) return 0;
    if (code == 0xFEFF || code >= 0xFFFE) return 0;
    return 3;
  }
  if (b0 > 0xF4 || left < 4) return 0;
  if (!is_continuation(bytes[at + 1]) || !is_continuation(bytes[at + 2]) || !is_continuation(bytes[at + 3]))
    return 0;
  if (b0 == 0xF0 && bytes[at + 1] < 0x90) return 0;  // overlong
  if (b0 == 0xF4 && bytes[at + 1] > 0x8F) return 0;  // past U+10FFFF
  const std::uint32_t code = (b0 & 0x07u) << 18 | (bytes[at + 1] & 0x3Fu) << 12 | (bytes[at + 2] & 0x3Fu) << 6 |
                             (bytes[at + 3] & 0x3Fu);
  if ((code & 0xFFFE) == 0xFFFE) return 0;
  return 4;
}

// Whether a numeric character reference in `html` could put a character
// of the stand-ins' range (U+E000–U+EFFF) into the tree.
bool references_stand_in_range(std::string_view html) {
  for (std::size_t at = html.find("&#"); at != std::string_view::npos; at = html.find("&#", at + 2)) {
    std::size_t i = at + 2;
    const bool hex = i < html.size() && (html[i] == 'x' || html[i] == 'X');
    if (hex) ++i;
    std::uint32_t value = 0;
    for (; i < html.size(); ++i) {
      const char c = html[i];
      std::uint32_t digit;
      if (c >= '0' && c <= '9') digit = static_cast<std::uint32_t>(c - '0');
      else if (hex && c >= 'a' && c <= 'f') digit = static_cast<std::uint32_t>(c - 'a' + 10);
      else if (hex && c >= 'A' && c <= 'F') digit = static_cast<std::uint32_t>(c - 'A' + 10);
      else break;
      value = value * (hex ? 16 : 10) + digit;
      if (value > 0x10FFFF) value = 0x110000;  // the parser's U+FFFD; stays out of range
    }
    if (value >= 0xE000 && value <= 0xEFFF) return true;
  }
  return false;
}

}  // namespace

std::optional<TextStandIns> TextStandIns::make(std::string_view html) {
  if (html.size() < kShortestRun) return std::nullopt;
  // Every character of U+E000–U+EFFF starts with this byte.
  if (std::memchr(html.data(), 0xEE, html.size()) != nullptr) return std::nullopt;
  if (references_stand_in_range(html)) return std::nullopt;
  TextStandIns stand_ins;
  std::unordered_map<std::string_view, std::size_t> numbers;  // run -> its stand-in's number
  std::size_t copied = 0;  // html before this is in stand_ins.html_
  std::size_t at = 0;
  while (at < html.size()) {
    if (static_cast<unsigned char>(html[at]) < 0x80) {
      ++at;
      continue;
    }
    const std::size_t start = at;
    while (at < html.size()) {
      const std::size_t length = plain_character_length(html, at);
      if (length == 0) break;
      at += length;
    }
    if (at == start) {
      ++at;  // a byte the parser replaces or flags: never in a run
      continue;
    }
    if (at - start < kShortestRun) continue;
    // Equal runs share a stand-in: the parser compares attribute names
    // (a repeated one is dropped) and, for formatting elements, values.
    const std::string_view run = html.substr(start, at - start);
    auto [known, added] = numbers.try_emplace(run, stand_ins.runs_.size());
    if (added) {
      if (stand_ins.runs_.size() == kMostRuns) {
        numbers.erase(known);
        continue;
      }
      stand_ins.runs_.push_back(run);
    }
    if (stand_ins.html_.empty()) stand_ins.html_.reserve(html.size() / 2);
    stand_ins.html_.append(html.substr(copied, start - copied));
    stand_ins.html_.append(kLead);
    append_digit(stand_ins.html_, known->second / 256);
    append_digit(stand_ins.html_, known->second % 256);
    copied = at;
  }
  if (stand_ins.runs_.empty()) return std::nullopt;
  stand_ins.html_.append(html.substr(copied));
  return stand_ins;
}

std::string TextStandIns::restore(std::string_view parsed) const {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = parsed.find(kLead); at != std::string_view::npos; at = parsed.find(kLead, at)) {
    const auto high = digit_at(parsed, at + 3);
    const auto low = high ? digit_at(parsed, at + 6) : std::nullopt;
    if (!low || *high * 256 + *low >= runs_.size()) {
      at += kLead.size();
      continue;
    }
    if (out.empty()) out.reserve(parsed.size() * 2);
    out.append(parsed.substr(copied, at - copied));
    out.append(runs_[*high * 256 + *low]);
    at += 9;
    copied = at;
  }
  if (copied == 0) return std::string(parsed);
  out.append(parsed.substr(copied));
  return out;
}

}  // namespace newsmirror::clean
