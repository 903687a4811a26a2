#include "archive/file_name.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "archive/text.hpp"
#include "core/utf8.hpp"

namespace newsmirror::archive {
namespace {

// Characters that cannot stay in a name, with the look-alike that replaces
// each. `/` and `\` are path separators (POSIX, Windows); the rest are
// refused by NTFS/FAT (and `:` by macOS Finder). Full-width forms keep the
// title readable, and Chinese titles already use them for the same purpose.
struct Replacement {
  char from;
  const char* to;
};
constexpr std::array<Replacement, 9> kReplacements{{
    {'/', "\xEF\xBC\x8F"},   // U+FF0F FULLWIDTH SOLIDUS
    {'\\', "\xEF\xBC\xBC"},  // U+FF3C FULLWIDTH REVERSE SOLIDUS
    {':', "\xEF\xBC\x9A"},   // U+FF1A FULLWIDTH COLON
    {'*', "\xEF\xBC\x8A"},   // U+FF0A FULLWIDTH ASTERISK
    {'?', "\xEF\xBC\x9F"},   // U+FF1F FULLWIDTH QUESTION MARK
    {'"', "\xEF\xBC\x82"},   // U+FF02 FULLWIDTH QUOTATION MARK
    {'<', "\xEF\xBC\x9C"},   // U+FF1C FULLWIDTH LESS-THAN SIGN
    {'>', "\xEF\xBC\x9E"},   // U+FF1E FULLWIDTH GREATER-THAN SIGN
    {'|', "\xEF\xBD\x9C"},   // U+FF5C FULLWIDTH VERTICAL LINE
}};

// Applies the replacements code point by code point. Control characters
// (C0, DEL, C1) become a space: a newline in a feed title is a line break
// for the reader, not a character to keep. Invalid UTF-8 becomes U+FFFD so
// that every later cut lands on a code point boundary.
std::string replace_unsafe(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    std::size_t len = 0;
    const char32_t cp = text::decode_utf8(in, i, len);
    const bool invalid = cp == U'\uFFFD' && len == 1;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      out += ' ';
    } else if (invalid) {
      core::append_utf8(out, U'\uFFFD');
    } else if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      const auto it = std::find_if(kReplacements.begin(), kReplacements.end(),
                                   [c](const Replacement& r) { return r.from == c; });
      if (it != kReplacements.end()) out += it->to; else out += c;
    } else {
      out.append(in.substr(i, len));
    }
    i += len;
  }
  return out;
}

// The longest prefix of `s` (valid UTF-8) of at most `max` bytes that ends
// on a code point boundary.
std::string_view cut_utf8(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

bool is_windows_device_name(std::string_view name) {
  // Windows reserves these with any extension: "nul.txt" is the device too.
  std::string stem(name.substr(0, name.find('.')));
  stem = std::string(text::trim_ascii_right(stem));
  std::transform(stem.begin(), stem.end(), stem.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  static constexpr std::array<std::string_view, 4> kFixed{"CON", "PRN", "AUX", "NUL"};
  if (std::find(kFixed.begin(), kFixed.end(), stem) != kFixed.end()) return true;
  return stem.size() == 4 && (stem.starts_with("COM") || stem.starts_with("LPT")) &&
         stem[3] >= '0' && stem[3] <= '9';
}

}  // namespace

std::uint64_t article_number(std::uint64_t seq) { return 0xFFFFFu ^ seq; }
std::uint64_t sequence_of_number(std::uint64_t number) { return 0xFFFFFu ^ number; }

std::optional<std::uint64_t> guid_post_id(std::string_view guid) {
  const auto query = guid.find('?');
  if (query == std::string_view::npos) return std::nullopt;
  std::string_view rest = guid.substr(query + 1);
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (pair.starts_with("p=")) {
      const std::string_view digits = pair.substr(2);
      std::uint64_t id = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
      // Past 20 bits the number would not be of the old form, and one odd
      // GUID would move the site's counter for good: count down instead.
      if (ec == std::errc() && end == digits.data() + digits.size() && id > 0 && id < 0x100000) return id;
      return std::nullopt;
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string file_name_title(std::uint64_t number, std::string_view title) {
  const std::string cleaned = replace_unsafe(title);
  // `<N>_` + title + `.md` must fit kMaxFileNameBytes.
  const std::size_t fixed = std::to_string(number).size() + 1 + 3;
  const std::size_t room = kMaxFileNameBytes > fixed ? kMaxFileNameBytes - fixed : 0;
  // Trim after the cut as well: a cut may leave a space at the end.
  return std::string(text::trim_ascii(cut_utf8(text::trim_ascii(cleaned), room)));
}

std::string article_file_name(std::uint64_t number, std::optional<std::string_view> title) {
  std::string name = std::to_string(number);
  if (title) {
    const std::string part = file_name_title(number, *title);
    if (!part.empty()) {
      name += '_';
      name += part;
    }
  }
  name += ".md";
  return name;
}

std::optional<std::uint64_t> parse_article_number(std::string_view file_name) {
  std::uint64_t value = 0;
  const char* first = file_name.data();
  const char* last = first + file_name.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr == first) return std::nullopt;
  const std::string_view rest(ptr, static_cast<std::size_t>(last - ptr));
  if (rest.empty() || rest == ".md" || rest.front() == '_') return value;
  return std::nullopt;
}

std::string site_dir_name(std::string_view site) {
  std::string name = replace_unsafe(text::trim_ascii(site));
  name = std::string(cut_utf8(name, kMaxFileNameBytes - 1));
  // A leading dot would hide the folder (and `.`/`..` would leave the tree).
  if (!name.empty() && name.front() == '.') name.replace(0, 1, "\xEF\xBC\x8E");  // U+FF0E
  // Windows drops trailing dots and spaces, so `法广.` and `法广` would clash.
  std::size_t trailing = 0;
  while (trailing < name.size() &&
         (name[name.size() - 1 - trailing] == '.' || name[name.size() - 1 - trailing] == ' '))
    ++trailing;
  if (trailing > 0) {
    std::string tail;
    for (std::size_t k = name.size() - trailing; k < name.size(); ++k)
      tail += name[k] == '.' ? "\xEF\xBC\x8E" : "";  // spaces are dropped
    name.resize(name.size() - trailing);
    name += tail;
  }
  if (name.empty()) return "_";
  if (is_windows_device_name(name)) name += '_';
  return name;
}

}  // namespace newsmirror::archive
