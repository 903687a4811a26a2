#include "clean/text_stand_ins.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_map>

#include "core/ascii.hpp"
#include "core/utf8.hpp"

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
    const auto value = numeric_reference_value(html.substr(at + 2));
    if (value && *value >= 0xE000 && *value <= 0xEFFF) return true;
  }
  return false;
}

}  // namespace

std::optional<std::uint32_t> numeric_reference_value(std::string_view digits) {
  std::size_t i = 0;
  const bool hex = i < digits.size() && (digits[i] == 'x' || digits[i] == 'X');
  if (hex) ++i;
  const std::size_t first = i;
  std::uint32_t value = 0;
  for (; i < digits.size(); ++i) {
    const char c = digits[i];
    std::uint32_t digit;
    if (c >= '0' && c <= '9') digit = static_cast<std::uint32_t>(c - '0');
    else if (hex && c >= 'a' && c <= 'f') digit = static_cast<std::uint32_t>(c - 'a' + 10);
    else if (hex && c >= 'A' && c <= 'F') digit = static_cast<std::uint32_t>(c - 'A' + 10);
    else break;
    value = value * (hex ? 16 : 10) + digit;
    if (value > 0x10FFFF) value = 0x110000;  // the parser's U+FFFD; stays out of range
  }
  if (i == first) return std::nullopt;
  return value;
}

// Builds a TextStandIns from runs found in order.
class TextStandIns::Builder {
 public:
  explicit Builder(std::string_view html) : html_(html) {}

  // Whether `html` may get stand-ins at all: none of its text can hold a
  // character of theirs already.
  bool may_stand_in() const {
    if (html_.size() < kShortestRun) return false;
    // Every character of U+E000–U+EFFF starts with this byte.
    if (std::memchr(html_.data(), 0xEE, html_.size()) != nullptr) return false;
    return !references_stand_in_range(html_);
  }

  // The run [start, end) gets a stand-in when it is long enough. Equal
  // runs share one.
  void run(std::size_t start, std::size_t end) {
    if (end - start < kShortestRun) return;
    const std::string_view run = html_.substr(start, end - start);
    auto [known, added] = numbers_.try_emplace(run, result_.runs_.size());
    if (added) {
      if (result_.runs_.size() == kMostRuns) {
        numbers_.erase(known);
        return;
      }
      result_.runs_.push_back(run);
    }
    if (result_.html_.empty()) result_.html_.reserve(html_.size() / 2);
    result_.html_.append(html_.substr(copied_, start - copied_));
    result_.html_.append(kLead);
    append_digit(result_.html_, known->second / 256);
    append_digit(result_.html_, known->second % 256);
    copied_ = end;
  }

  std::optional<TextStandIns> finish(bool canonical) {
    if (result_.runs_.empty()) return std::nullopt;
    result_.html_.append(html_.substr(copied_));
    result_.canonical_ = canonical;
    return std::move(result_);
  }

 private:
  std::string_view html_;
  TextStandIns result_;
  std::unordered_map<std::string_view, std::size_t> numbers_;  // run -> its stand-in's number
  std::size_t copied_ = 0;  // html_ before this is in result_.html_
};

std::optional<TextStandIns> TextStandIns::make(std::string_view html) {
  Builder builder(html);
  if (!builder.may_stand_in()) return std::nullopt;
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
    builder.run(start, at);
  }
  return builder.finish(false);
}

namespace {

// The length of the character at `at` that a run inside an attribute value
// (quote = '"') or text (quote = '<') may hold: ASCII the tokenizer appends
// there as it is (no '&', '<', '>' or quote, no control but tab, line feed
// and form feed), or a plain character other than U+00A0 (the serializer
// writes it as a reference); 0 for any other.
std::size_t ordinary_length(std::string_view text, std::size_t at, char quote) {
  const auto c = static_cast<unsigned char>(text[at]);
  if (c >= 0x80) {
    const std::size_t length = plain_character_length(text, at);
    return length == 2 && c == 0xC2 && text[at + 1] == '\xA0' ? 0 : length;
  }
  if (c == '&' || c == '<' || c == '>' || c == static_cast<unsigned char>(quote) || c == 0x7F) return 0;
  if (c < 0x20 && c != '\t' && c != '\n' && c != '\f') return 0;
  return 1;
}

bool is_name_character(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Elements that switch the tokenizer out of its data state, or whose
// content the tree builder treats apart; a sanitized tree has none.
bool switches_the_tokenizer(std::string_view tag) {
  static constexpr std::string_view kTags[] = {
      "script",   "style",    "textarea", "title", "xmp",      "iframe", "noembed", "noframes", "noscript",
      "plaintext", "svg",     "math",     "select", "template", "option", "optgroup", "frameset", "frame",
      "head",     "body",     "html",     "image", "isindex",  "form",   "button", "input",    "keygen"};
  return std::find(std::begin(kTags), std::end(kTags), tag) != std::end(kTags);
}

}  // namespace

std::optional<TextStandIns> TextStandIns::make_for_serialized(std::string_view html) {
  Builder builder(html);
  if (!builder.may_stand_in()) return std::nullopt;
  // The parser reads CR LF as one LF: a run must not start between them.
  // The serializer writes no CR (the parser left none in the tree).
  if (html.find('\r') != std::string_view::npos) return std::nullopt;
  // Nor a NUL or a byte that is not UTF-8, both read as U+FFFD: "\0x" and
  // "\uFFFDx" would be one value to the parser and two to the stand-ins.
  if (html.find('\0') != std::string_view::npos || !core::is_valid_utf8(html)) return std::nullopt;
  // The runs of ordinary characters in [start, end); in text, a run starts
  // with a character that is not white space (the tree builder tells white
  // space from other text in tables). False when the region is not spelled
  // as the serializer spells: it escapes & < > and U+00A0 everywhere and "
  // in values, with these five references and no other.
  auto runs_in = [&](std::size_t start, std::size_t end, char quote) {
    std::size_t at = start;
    while (at < end) {
      const char c = html[at];
      if (c == '&') {
        std::size_t name = at + 1;
        while (name < end && html[name] != ';' && name - at < 6) ++name;
        const std::string_view reference = html.substr(at, name + 1 - at);
        if (reference != "&amp;" && reference != "&lt;" && reference != "&gt;" && reference != "&quot;" &&
            reference != "&nbsp;")
          return false;
        at = name + 1;
        continue;
      }
      if (c == '<' || c == '>' || (c == '\xC2' && at + 1 < end && html[at + 1] == '\xA0')) return false;
      if (quote == '<' && core::is_html_space(c)) {
        ++at;
        continue;
      }
      const std::size_t run = at;
      while (at < end) {
        const std::size_t length = ordinary_length(html, at, quote);
        if (length == 0 || at + length > end) break;
        at += length;
      }
      if (at == run) {
        ++at;
        continue;
      }
      builder.run(run, at);
    }
    return true;
  };
  std::size_t at = 0;
  while (at < html.size()) {
    if (html[at] != '<') {
      const std::size_t end = std::min(html.find('<', at), html.size());
      if (!runs_in(at, end, '<')) return std::nullopt;
      at = end;
      continue;
    }
    ++at;
    const bool end_tag = at < html.size() && html[at] == '/';
    if (end_tag) ++at;
    const std::size_t name = at;
    while (at < html.size() && is_name_character(html[at])) ++at;
    if (at == name || (!end_tag && switches_the_tokenizer(html.substr(name, at - name)))) return std::nullopt;
    while (!end_tag && at < html.size() && html[at] == ' ') {
      ++at;
      while (at < html.size() && html[at] != '=' && html[at] != '>' && html[at] != '"' && html[at] != '\'' &&
             html[at] != '<' && html[at] != '/' && !core::is_html_space(html[at]) && html[at] != '\0')
        ++at;
      if (html.substr(at, 2) != "=\"") return std::nullopt;
      at += 2;
      const std::size_t value_end = html.find('"', at);
      if (value_end == std::string_view::npos) return std::nullopt;
      if (!runs_in(at, value_end, '"')) return std::nullopt;
      at = value_end + 1;
    }
    if (at >= html.size() || html[at] != '>') return std::nullopt;
    ++at;
  }
  return builder.finish(true);
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
