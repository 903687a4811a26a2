#include "parse/encoding.hpp"

#include <uchardet/uchardet.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <vector>

#include "core/ascii.hpp"
#include "core/utf8.hpp"


namespace newsmirror::parse {

namespace {

std::string_view unquote(std::string_view s) {
  s = core::trim_blanks(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return core::trim_blanks(s);
}

// Real feeds label GB18030 text "gb2312" or "gbk": decoding with the
// superset loses nothing and accepts the characters they actually use.
std::string converter_name(std::string_view charset) {
  std::string name = core::ascii_lower(charset);
  if (name == "gb2312" || name == "gbk" || name == "x-gbk" || name == "cp936" || name == "euc-cn")
    return "gb18030";
  if (name == "big5") return "big5-hkscs";  // Big5 as real sites write it.
  // As browsers do (WHATWG Encoding): text labelled Latin-1 or ASCII is
  // really Windows-1252 whenever it holds curly quotes and dashes.
  if (name == "iso-8859-1" || name == "latin1" || name == "iso8859-1" || name == "us-ascii" || name == "ascii")
    return "windows-1252";
  return name;
}


struct ConverterDeleter {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using Converter = std::unique_ptr<UConverter, ConverterDeleter>;

// Appends UTF-16 `units` to `out` as UTF-8. A high surrogate at the end
// waits in `high` for its partner in the next call; false on an unpaired
// surrogate.
bool append_utf16_as_utf8(const UChar* units, const UChar* end, std::string& out, UChar& pending_high) {
  std::uint32_t high = pending_high;  // a local, which stores through `char*` cannot alias
  // Three bytes at most per unit (a pair takes four); trimmed at the end.
  std::size_t start = out.size();
  out.resize(start + 3 * static_cast<std::size_t>(end - units) + 4);
  char* w = out.data() + start;
  for (const UChar* p = units; p < end; ++p) {
    std::uint32_t u = *p;
    if (high) {
      if (u < 0xDC00 || u > 0xDFFF) return false;
      std::uint32_t cp = 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00);
      high = 0;
      *w++ = static_cast<char>(0xF0 | (cp >> 18));
      *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (u < 0x80) {
      *w++ = static_cast<char>(u);
    } else if (u < 0x800) {
      *w++ = static_cast<char>(0xC0 | (u >> 6));
      *w++ = static_cast<char>(0x80 | (u & 0x3F));
    } else if ((u & 0xF800) != 0xD800) {  // not a surrogate
      *w++ = static_cast<char>(0xE0 | (u >> 12));
      *w++ = static_cast<char>(0x80 | ((u >> 6) & 0x3F));
      *w++ = static_cast<char>(0x80 | (u & 0x3F));
    } else if (u < 0xDC00) {
      high = u;
    } else {
      return false;
    }
  }
  pending_high = static_cast<UChar>(high);
  out.resize(static_cast<std::size_t>(w - out.data()));
  return true;
}

// Strict conversion to UTF-8: ICU decodes into a small UTF-16 buffer at a
// time, written out as UTF-8 here (ICU's own UTF-8 converter cost as much as
// the decoding), instead of a whole-document UTF-16 copy. Unpaired
// surrogates fail, as they do in ICU's UTF-8 converter.
std::optional<std::string> convert_strict(UConverter* from, std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  ucnv_setToUCallBack(from, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  if (U_FAILURE(status)) return std::nullopt;

  // Two bytes of GBK or Big5 become three of UTF-8.
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2 + 3 * 8192 + 16);
  const char* source = bytes.data();
  const char* source_end = source + bytes.size();
  UChar units[8192];
  UChar high = 0;
  while (true) {
    UChar* target = units;
    status = U_ZERO_ERROR;
    ucnv_toUnicode(from, &target, units + std::size(units), &source, source_end, nullptr, true, &status);
    bool more = status == U_BUFFER_OVERFLOW_ERROR;
    if (!more && U_FAILURE(status)) return std::nullopt;
    if (!append_utf16_as_utf8(units, target, out, high)) return std::nullopt;
    if (!more) break;
  }
  if (high) return std::nullopt;
  return out;
}

// The UTF-8 a table decoder writes: `w` moves through a string that grows
// (rarely: it starts at the likely size) whenever fewer than `room` bytes
// are left, so that decoders write whole table entries at once.
struct Utf8Output {
  explicit Utf8Output(std::size_t likely_size) : text(likely_size + 16, '\0'), w(text.data()), limit(w + text.size()) {}
  void make_room(std::size_t room) {
    if (static_cast<std::size_t>(limit - w) >= room) return;
    std::size_t used = static_cast<std::size_t>(w - text.data());
    text.resize(text.size() * 2 + room);
    w = text.data() + used;
    limit = text.data() + text.size();
  }
  bool room_for_word() const { return limit - w >= 8; }
  std::string finish() {
    text.resize(static_cast<std::size_t>(w - text.data()));
    return std::move(text);
  }

  std::string text;
  char* w;  // where the next byte goes
  char* limit;
};

// Copies the ASCII run at `p` to `out`, eight bytes at a time where it
// can; returns the end of the run. Leaves room for eight bytes.
inline const unsigned char* copy_ascii(const unsigned char* p, const unsigned char* end, Utf8Output& out) {
  while (p < end && *p < 0x80) {
    *out.w++ = static_cast<char>(*p++);
    while (end - p >= 8 && out.room_for_word()) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (word & 0x8080808080808080ULL) break;
      std::memcpy(out.w, &word, 8);
      out.w += 8;
      p += 8;
    }
    out.make_room(8);
  }
  return p;
}

// Windows-1252 (which Latin-1 and ASCII labels decode as) byte by byte
// from a table: the ICU converter's own mapping of each byte, read once,
// so the result is ICU's, at the cost of a copy for ASCII runs.
class SingleByteTable {
 public:
  explicit SingleByteTable(const char* name) {
    UErrorCode status = U_ZERO_ERROR;
    Converter converter(ucnv_open(name, &status));
    if (U_FAILURE(status) || !converter) return;
    for (int byte = 0; byte < 256; ++byte) {
      ucnv_reset(converter.get());
      char in = static_cast<char>(byte);
      auto utf8 = convert_strict(converter.get(), std::string_view(&in, 1));
      if (!utf8 || utf8->empty() || utf8->size() > 4) continue;  // unmapped: strict conversion fails
      entries_[byte].size = static_cast<unsigned char>(utf8->size());
      std::memcpy(entries_[byte].utf8, utf8->data(), utf8->size());
      if (byte < 0x80 && (utf8->size() != 1 || (*utf8)[0] != in)) ascii_identity_ = false;
    }
    ready_ = true;
  }

  std::optional<std::string> decode(std::string_view bytes) const {
    if (!ready_) return std::nullopt;
    Utf8Output out(bytes.size() + bytes.size() / 8);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    while (p < end) {
      out.make_room(8);  // entries are written four bytes at a time
      if (ascii_identity_ && *p < 0x80) {
        p = copy_ascii(p, end, out);
        continue;
      }
      const Entry& e = entries_[*p++];
      if (e.size == 0) return std::nullopt;
      std::memcpy(out.w, e.utf8, 4);
      out.w += e.size;
    }
    return out.finish();
  }

 private:
  struct Entry {
    char utf8[4] = {};
    unsigned char size = 0;
  };
  Entry entries_[256];
  bool ascii_identity_ = true;
  bool ready_ = false;
};

// The double-byte charsets of Chinese feeds (GB18030 as far as its one-
// and two-byte codes go, Big5-HKSCS) from a table of ICU's own mapping of
// every one- and two-byte code, read once, as SingleByteTable does: these
// converters map each code alone, without state. A text holding anything
// else (GB18030's four-byte codes, a code ICU does not map, a lone lead
// byte) is left to ICU, which decides.
class DoubleByteTable {
 public:
  explicit DoubleByteTable(const char* name) {
    UErrorCode status = U_ZERO_ERROR;
    Converter converter(ucnv_open(name, &status));
    if (U_FAILURE(status) || !converter) return;
    ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
    if (U_FAILURE(status)) return;
    for (int byte = 0; byte < 256; ++byte) {
      char in = static_cast<char>(byte);
      map(converter.get(), std::string_view(&in, 1), single_[byte]);
      if (byte < 0x80 && (single_[byte].size != 1 || single_[byte].utf8[0] != in)) return;  // not ASCII-compatible
    }
    pairs_.resize(128 * 256);
    for (int lead = 0x81; lead <= 0xFE; ++lead) {
      if (single_[lead].size) continue;  // a character of its own, not a lead
      for (int trail = 0x40; trail <= 0xFE; ++trail) {
        char in[2] = {static_cast<char>(lead), static_cast<char>(trail)};
        map(converter.get(), std::string_view(in, 2), pairs_[pair_index(lead, trail)]);
      }
    }
    ready_ = true;
  }

  std::optional<std::string> decode(std::string_view bytes) const {
    if (!ready_) return std::nullopt;
    // Two bytes become three, in the common case.
    Utf8Output out(bytes.size() + bytes.size() / 2);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    while (p < end) {
      out.make_room(8);  // entries are written eight bytes at a time
      unsigned lead = *p;
      if (lead < 0x80) {
        p = copy_ascii(p, end, out);
        continue;
      }
      // A two-byte code (the table's other entries are unmapped), else a
      // character of one byte, else a code for ICU to judge.
      if (end - p >= 2) {
        if (const Entry& e = pairs_[pair_index(lead, p[1])]; e.size) {
          std::memcpy(out.w, e.utf8, sizeof e.utf8);
          out.w += e.size;
          p += 2;
          continue;
        }
      }
      const Entry& single = single_[lead];
      if (!single.size) return std::nullopt;
      std::memcpy(out.w, single.utf8, sizeof single.utf8);
      out.w += single.size;
      ++p;
    }
    return out.finish();
  }

 private:
  struct Entry {
    char utf8[7] = {};
    unsigned char size = 0;  // 0: not mapped alone
  };
  // Lead bytes are 0x81..0xFE and trail bytes 0x40..0xFE in both charsets;
  // the table holds every byte after any byte from 0x80, for a lookup
  // without range checks.
  static std::size_t pair_index(unsigned lead, unsigned trail) { return (lead - 0x80) * 256 + trail; }

  // ICU's strict conversion of the code `in`, alone, into `entry`.
  static void map(UConverter* converter, std::string_view in, Entry& entry) {
    ucnv_reset(converter);
    UChar units[8];
    UChar* target = units;
    const char* source = in.data();
    UErrorCode status = U_ZERO_ERROR;
    ucnv_toUnicode(converter, &target, units + std::size(units), &source, in.data() + in.size(), nullptr, true, &status);
    if (U_FAILURE(status) || source != in.data() + in.size() || target == units) return;
    std::string utf8;
    UChar high = 0;
    if (!append_utf16_as_utf8(units, target, utf8, high) || high || utf8.size() > sizeof entry.utf8) return;
    std::memcpy(entry.utf8, utf8.data(), utf8.size());
    entry.size = static_cast<unsigned char>(utf8.size());
  }

  Entry single_[256];
  std::vector<Entry> pairs_;
  bool ready_ = false;
};

// UTF-16 of either byte order, straight to UTF-8, as ICU's UTF-16LE and
// UTF-16BE converters read it: every unit as it is (a U+FEFF too), a
// surrogate only in a pair, nothing left over. nullopt on anything else.
std::optional<std::string> decode_utf16(std::string_view bytes, bool big_endian) {
  if (bytes.size() % 2) return std::nullopt;
  std::string out(bytes.size() / 2 * 3 + 8, '\0');
  char* w = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  auto unit = [big_endian](const unsigned char* q) -> std::uint32_t {
    return big_endian ? (std::uint32_t{q[0]} << 8) | q[1] : (std::uint32_t{q[1]} << 8) | q[0];
  };
  // Four ASCII units at a time: the markup of a feed.
  const std::uint64_t high_bits = big_endian ? 0x80FF80FF80FF80FFULL : 0xFF80FF80FF80FF80ULL;
  while (p < end) {
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (word & high_bits) break;
      for (int k = 0; k < 4; ++k) w[k] = static_cast<char>(p[2 * k + (big_endian ? 1 : 0)]);
      w += 4;
      p += 8;
    }
    if (p == end) break;
    std::uint32_t u = unit(p);
    p += 2;
    if (u < 0x80) {
      *w++ = static_cast<char>(u);
    } else if (u < 0x800) {
      *w++ = static_cast<char>(0xC0 | (u >> 6));
      *w++ = static_cast<char>(0x80 | (u & 0x3F));
    } else if ((u & 0xF800) != 0xD800) {  // not a surrogate
      *w++ = static_cast<char>(0xE0 | (u >> 12));
      *w++ = static_cast<char>(0x80 | ((u >> 6) & 0x3F));
      *w++ = static_cast<char>(0x80 | (u & 0x3F));
    } else {
      if (u >= 0xDC00 || p == end) return std::nullopt;
      std::uint32_t low = unit(p);
      if (low < 0xDC00 || low > 0xDFFF) return std::nullopt;
      p += 2;
      std::uint32_t cp = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
      *w++ = static_cast<char>(0xF0 | (cp >> 18));
      *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
  return out;
}

std::optional<std::string> convert(std::string_view bytes, std::string_view charset, bool strict) {
  std::string name = converter_name(charset);
  if (strict && name == "windows-1252") {
    static const SingleByteTable windows_1252("windows-1252");
    if (auto decoded = windows_1252.decode(bytes)) return decoded;
    // An unmapped byte: ICU says so below, as it always has.
  }
  if (strict && name == "gb18030") {
    static const DoubleByteTable gb18030("gb18030");
    if (auto decoded = gb18030.decode(bytes)) return decoded;
  }
  if (strict && name == "big5-hkscs") {
    static const DoubleByteTable big5_hkscs("big5-hkscs");
    if (auto decoded = big5_hkscs.decode(bytes)) return decoded;
  }
  if (strict && (name == "utf-16le" || name == "utf-16be")) {
    if (auto decoded = decode_utf16(bytes, name == "utf-16be")) return decoded;
  }
  if (name == "utf-8" || name == "utf8") {
    // The common case needs no converter, only validation.
    if (strict) {
      if (!core::is_valid_utf8(bytes)) return std::nullopt;
      return std::string(bytes);
    }
    {
      icu::UnicodeString text = icu::UnicodeString::fromUTF8(icu::StringPiece(bytes.data(), static_cast<int32_t>(bytes.size())));
      std::string out;
      text.toUTF8String(out);
      return out;
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  Converter converter(ucnv_open(name.c_str(), &status));
  if (U_FAILURE(status) || !converter) return std::nullopt;
  if (strict) return convert_strict(converter.get(), bytes);
  status = U_ZERO_ERROR;
  icu::UnicodeString text(bytes.data(), static_cast<int32_t>(bytes.size()), converter.get(), status);
  if (U_FAILURE(status)) return std::nullopt;
  std::string out;
  text.toUTF8String(out);
  return out;
}

struct DetectorDeleter {
  void operator()(uchardet* d) const { uchardet_delete(d); }
};

std::optional<std::string> detect(std::string_view bytes) {
  std::unique_ptr<uchardet, DetectorDeleter> detector(uchardet_new());
  if (!detector) return std::nullopt;
  if (uchardet_handle_data(detector.get(), bytes.data(), bytes.size()) != 0) return std::nullopt;
  uchardet_data_end(detector.get());
  const char* name = uchardet_get_charset(detector.get());
  if (!name || !*name) return std::nullopt;
  return core::ascii_lower(name);
}

// The encoding pseudo-attribute of an XML declaration in an ASCII-compatible
// encoding; "" if none.
std::string declared_encoding(std::string_view bytes) {
  if (!bytes.starts_with("<?xml")) return "";
  auto end = bytes.find("?>");
  std::string_view decl = bytes.substr(0, end == std::string_view::npos ? std::min<std::size_t>(bytes.size(), 200) : end);
  auto pos = decl.find("encoding");
  if (pos == std::string_view::npos) return "";
  decl.remove_prefix(pos + 8);
  decl = core::trim_blanks(decl);
  if (decl.empty() || decl.front() != '=') return "";
  decl = core::trim_blanks(decl.substr(1));
  if (decl.empty()) return "";
  char quote = decl.front();
  if (quote != '"' && quote != '\'') return "";
  auto close = decl.find(quote, 1);
  if (close == std::string_view::npos) return "";
  return core::ascii_lower(core::trim_blanks(decl.substr(1, close - 1)));
}

struct Sniffed {
  std::string charset;
  std::size_t bom_length = 0;
};

// Byte order marks, and the UTF-16/32 patterns of "<?" without a mark
// (XML 1.0 appendix F).
std::optional<Sniffed> sniff(std::string_view b) {
  auto starts = [&](std::string_view p) { return b.substr(0, p.size()) == p; };
  using namespace std::string_view_literals;
  if (starts("\x00\x00\xFE\xFF"sv)) return Sniffed{"utf-32be", 4};
  if (starts("\xFF\xFE\x00\x00"sv)) return Sniffed{"utf-32le", 4};
  if (starts("\xEF\xBB\xBF"sv)) return Sniffed{"utf-8", 3};
  if (starts("\xFE\xFF"sv)) return Sniffed{"utf-16be", 2};
  if (starts("\xFF\xFE"sv)) return Sniffed{"utf-16le", 2};
  if (starts("\x00\x00\x00\x3C"sv)) return Sniffed{"utf-32be", 0};
  if (starts("\x3C\x00\x00\x00"sv)) return Sniffed{"utf-32le", 0};
  if (starts("\x00\x3C\x00\x3F"sv)) return Sniffed{"utf-16be", 0};
  if (starts("\x3C\x00\x3F\x00"sv)) return Sniffed{"utf-16le", 0};
  return std::nullopt;
}

}  // namespace

std::string charset_from_content_type(std::string_view content_type) {
  std::size_t pos = 0;
  while ((pos = content_type.find(';', pos)) != std::string_view::npos) {
    ++pos;
    std::string_view param = content_type.substr(pos);
    auto next = param.find(';');
    if (next != std::string_view::npos) param = param.substr(0, next);
    auto eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (core::ascii_lower(core::trim_blanks(param.substr(0, eq))) == "charset") return core::ascii_lower(unquote(param.substr(eq + 1)));
  }
  return "";
}

std::optional<std::string> to_utf8(std::string_view bytes, std::string_view charset) {
  return convert(bytes, charset, true);
}

namespace {

bool is_utf8_label(std::string_view charset) {
  std::string name = converter_name(charset);
  return name == "utf-8" || name == "utf8";
}

// Strict decoding of `body` as `charset` into `text`: a view of `body` itself
// when it is already valid UTF-8 (no copy), else of `storage`.
bool decode_strict(std::string_view body, std::string_view charset, std::string& storage, std::string_view& text) {
  if (is_utf8_label(charset)) {
    if (!core::is_valid_utf8(body)) return false;
    text = body;
    return true;
  }
  auto converted = to_utf8(body, charset);
  if (!converted) return false;
  storage = std::move(*converted);
  text = storage;
  return true;
}

}  // namespace

DecodedView decode_xml_view(std::string_view bytes, std::string_view content_type, std::string& storage) {
  std::vector<std::string> candidates;
  std::size_t skip = 0;
  auto sniffed = sniff(bytes);
  if (sniffed && sniffed->bom_length > 0) {
    candidates.push_back(sniffed->charset);
    skip = sniffed->bom_length;
  }
  if (auto http = charset_from_content_type(content_type); !http.empty()) candidates.push_back(http);
  if (sniffed && sniffed->bom_length == 0) {
    // Without a mark the UTF-16/32 pattern tells the family; a declaration,
    // if any, is written in it and would only repeat it.
    candidates.push_back(sniffed->charset);
  }
  if (auto declared = declared_encoding(bytes.substr(skip)); !declared.empty()) {
    // A document that declares UTF-16 but reached us as 8-bit bytes cannot
    // be UTF-16 (the declaration was readable as ASCII).
    if (!declared.starts_with("utf-16") && !declared.starts_with("utf-32")) candidates.push_back(declared);
  }
  candidates.push_back("utf-8");

  std::string_view body = bytes.substr(skip);
  std::string_view text;
  for (const auto& charset : candidates) {
    if (decode_strict(body, charset, storage, text)) return {text, charset};
    // The declared charset failed: the first candidate is the most likely
    // label, but the bytes say otherwise; ask the detector before UTF-8.
    if (&charset == &candidates.front()) {
      if (auto guess = detect(body)) {
        if (decode_strict(body, *guess, storage, text)) return {text, *guess};
      }
    }
  }
  if (auto guess = detect(body)) {
    if (decode_strict(body, *guess, storage, text)) return {text, *guess};
  }
  // Nothing decodes cleanly: keep what the first candidate can read.
  if (auto lossy = convert(body, candidates.front(), false)) {
    storage = std::move(*lossy);
    return {storage, candidates.front()};
  }
  storage = *convert(body, "utf-8", false);
  return {storage, "utf-8"};
}

DecodedText decode_xml_bytes(std::string_view bytes, std::string_view content_type) {
  std::string storage;
  DecodedView decoded = decode_xml_view(bytes, content_type, storage);
  return {std::string(decoded.utf8), std::move(decoded.charset)};
}

}  // namespace newsmirror::parse
