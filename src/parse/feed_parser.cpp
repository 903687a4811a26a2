// The XML side streams with xmlTextReader: the reader walks the document and
// each <item>/<entry> (and each channel-level field) is expanded into a small
// subtree, read, and released when the reader moves on, so memory stays at
// one entry whatever the feed's size. RECOVER keeps going past damage;
// NONET and no NOENT/DTDLOAD mean no external entity or DTD is ever loaded.
#include "parse/feed_parser.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/ascii.hpp"
#include "core/url.hpp"
#include "core/utf8.hpp"
#include "parse/date.hpp"
#include "parse/encoding.hpp"

namespace newsmirror::parse {

namespace {

// ---------------------------------------------------------------- strings

// U+00A0 and U+3000 at the ends are padding too in Chinese feeds.
std::string trim(std::string_view s) {
  for (bool changed = true; changed;) {
    const std::size_t before = s.size();
    s = core::trim_c_space(s);
    for (std::string_view pad : {std::string_view("\xC2\xA0"), std::string_view("\xE3\x80\x80")}) {
      if (s.starts_with(pad)) s.remove_prefix(pad.size());
      if (s.ends_with(pad)) s.remove_suffix(pad.size());
    }
    changed = s.size() != before;
  }
  return std::string(s);
}

std::optional<std::string> non_empty(std::string value) {
  if (value.empty()) return std::nullopt;
  return value;
}

// ------------------------------------------------------------ preparation

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

bool legal_xml_char(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Feeds are XML written by people who think in HTML: they use HTML entities
// (&nbsp; &mdash;), bare ampersands and a DOCTYPE that points at a DTD we
// must never load. This pass, outside CDATA sections and comments, turns
// known HTML entities into their characters, escapes every other stray '&',
// drops the DOCTYPE and the XML declaration (the text is UTF-8 by now, and
// a stale encoding label would mislead libxml2).
// Internal-subset entities (<!ENTITY name "value">) of a DOCTYPE: the only
// DTD content honoured, since they need no fetching.
std::map<std::string, std::string> internal_entities(std::string_view doctype) {
  std::map<std::string, std::string> entities;
  std::size_t pos = 0;
  while ((pos = doctype.find("<!ENTITY", pos)) != std::string_view::npos) {
    pos += 8;
    std::size_t i = pos;
    while (i < doctype.size() && core::is_c_space(doctype[i])) ++i;
    if (i < doctype.size() && doctype[i] == '%') continue;  // parameter entity
    std::size_t name_start = i;
    while (i < doctype.size() && is_name_char(doctype[i])) ++i;
    std::string name(doctype.substr(name_start, i - name_start));
    while (i < doctype.size() && core::is_c_space(doctype[i])) ++i;
    if (name.empty() || i >= doctype.size() || (doctype[i] != '"' && doctype[i] != '\'')) continue;
    char quote = doctype[i];
    auto close = doctype.find(quote, i + 1);
    if (close == std::string_view::npos) break;
    entities.emplace(std::move(name), std::string(doctype.substr(i + 1, close - i - 1)));
    pos = close;
  }
  return entities;
}

// Stand-ins. libxml2 tokenizes CDATA one character at a time and, in the
// reader's push mode, grows the node 300 bytes per realloc; character data
// costs it a call per reference (every &lt; of escaped HTML) and a decoding
// step per non-ASCII character. Feeds carry most of their bytes in these
// two places (content:encoded, Atom type="html", descriptions).
// prepare_xml has already found where each section or text run ends, so
// content libxml2 would take without error goes to libxml2 as a short
// stand-in, and TreeReader reads its value wherever the parser reads the
// text. Stand-ins are U+FDD0, the decimal index, U+FDD1. A document
// holding U+FDD0 anywhere gets no stand-ins, so that a text or CDATA node
// holds U+FDD0 only as part of stand-ins.
constexpr std::string_view kStandInOpen = "\xEF\xB7\x90";
constexpr std::string_view kStandInClose = "\xEF\xB7\x91";
// Shorter text costs libxml2 less than a stand-in and its restoring.
constexpr std::size_t kMinTextStandIn = 32;
constexpr std::size_t kMaxStandIn = 1u << 20;

// Content the push parser hands over byte for byte, with no error: only
// XML Chars (the text is valid UTF-8 here, so controls, U+FFFE and U+FFFF
// remain to exclude), no CR (line ends are left as they are in push mode,
// normalized by the tree parser).
// Eight bytes at a time: the high bit of each byte of `word` that is `b`
// (and maybe of some above it: callers only use this to leave the fast path).
constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
inline std::uint64_t bytes_equal(std::uint64_t word, unsigned char b) {
  std::uint64_t x = word ^ (kOnes * b);
  return (x - kOnes) & ~x & kHighs;
}
inline std::uint64_t load_word(const void* p) {
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// Whether the byte at `p` keeps the content plain (see above).
inline bool plain_at(const unsigned char* p, const unsigned char* end) {
  unsigned char c = *p;
  if (c < 0x20) return c == '\t' || c == '\n';
  if (c == 0xEF && end - p >= 3) return !(p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF));
  return true;
}

#ifdef __SSE2__
// Of the sixteen bytes at `p`, those plain_at must look at (a mask): controls
// but tab and line feed, and EF before BF (or last: its partner is unseen).
inline unsigned suspect_bytes(const unsigned char* p) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i controls = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  __m128i allowed = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
  auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_andnot_si128(allowed, controls)));
  if (auto ef = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xEF)))))) {
    auto bf = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xBF)))));
    mask |= ef & ((bf >> 1) | 0x8000u);
  }
  return mask;
}
#endif

bool plain_xml_chars(std::string_view content) {
  const auto* p = reinterpret_cast<const unsigned char*>(content.data());
  const auto* end = p + content.size();
#ifdef __SSE2__
  for (; end - p >= 16; p += 16) {
    for (unsigned mask = suspect_bytes(p); mask; mask &= mask - 1)
      if (!plain_at(p + __builtin_ctz(mask), end)) return false;
  }
#else
  // Eight bytes at a time while none is a control or starts EF BF (a word
  // ending in EF leaves too: its partner is in the next word).
  while (end - p >= 8) {
    std::uint64_t word = load_word(p);
    std::uint64_t controls = (word - kOnes * 0x20) & ~word & kHighs;
    std::uint64_t ef = bytes_equal(word, 0xEF);
    if ((controls | (ef & (bytes_equal(word, 0xBF) >> 8)) | (ef >> 63 << 63)) != 0) {
      if (!plain_at(p, end)) return false;
      ++p;
      continue;
    }
    p += 8;
  }
#endif
  for (; p < end; ++p)
    if (!plain_at(p, end)) return false;
  return true;
}

bool cdata_can_stand_in(std::string_view content) {
  return content.size() >= 32 && content.size() <= kMaxStandIn && plain_xml_chars(content);
}

// The values of the stand-ins of one document, by index: CDATA content and
// text without references view the input; unescaped text lives in `storage`.
class StandIns {
 public:
  std::size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  void add_view(std::string_view in, std::string_view value) {
    spans_.push_back({false, static_cast<std::size_t>(value.data() - in.data()), value.size()});
  }
  std::string& storage() { return storage_; }
  void add_stored(std::size_t offset) { spans_.push_back({true, offset, storage_.size() - offset}); }
  // Views of every value; valid while `in` and this object live.
  std::vector<std::string_view> values(std::string_view in) const {
    std::vector<std::string_view> out;
    out.reserve(spans_.size());
    for (const auto& s : spans_) out.push_back((s.stored ? std::string_view(storage_) : in).substr(s.offset, s.size));
    return out;
  }

 private:
  struct Span {
    bool stored;
    std::size_t offset, size;
  };
  std::vector<Span> spans_;
  std::string storage_;
};

void append_stand_in(std::string& out, std::size_t index) {
  out.append("<![CDATA[");
  out.append(kStandInOpen);
  out.append(std::to_string(index));
  out.append(kStandInClose);
  out.append("]]>");
}

using DeclaredEntities = std::map<std::string, std::string, std::less<>>;

// What references to internal-subset entities may add to a document. A
// few hundred bytes of declarations referenced a few thousand times would
// otherwise expand a 40 KB feed to hundreds of megabytes; like libxml2,
// the expansion may be a multiple of the input, beyond which the feed is
// refused.
struct ExpansionBudget {
  static constexpr std::size_t kFactor = 5;
  static constexpr std::size_t kFloor = 1 << 20;
  explicit ExpansionBudget(std::size_t input_size) : left(kFactor * input_size + kFloor), limit(left) {}
  std::size_t left;
  const std::size_t limit;
  bool exceeded = false;
};

// The offset of the first `c` in in[from, to), or `to`.
std::size_t find_before(std::string_view in, char c, std::size_t from, std::size_t to) {
  const void* hit = std::memchr(in.data() + from, c, to - from);
  return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - in.data()) : to;
}

// Whether `text` holds U+FDD0, the opening of a stand-in.
bool holds_stand_in_open(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (const void* hit = std::memchr(p, kStandInOpen[0], static_cast<std::size_t>(end - p))) {
    p = static_cast<const char*>(hit);
    if (std::string_view(p, static_cast<std::size_t>(end - p)).starts_with(kStandInOpen)) return true;
    ++p;
  }
  return false;
}

// What a '&' of the input is, and so what prepare_xml writes for it.
struct Reference {
  enum class Kind {
    predefined,  // &lt; &gt; &amp; &quot; &apos;: kept as written
    numeric,     // a reference to an XML Char: kept (with 'x' for 'X'), or written as the character
    character,   // written as the character: a C1 reference read as Windows-1252, an HTML
                 // entity, U+FFFD for a reference to what XML forbids
    declared,    // an internal-subset entity: written as its value
    unknown,     // &name; of no known entity: written escaped, "&amp;name;"
    stray,       // a '&' that starts no reference: written "&amp;"
  };
  Kind kind;
  std::size_t end;             // the offset past it
  std::uint32_t cp = 0;        // numeric, character, and predefined: the character
  std::string_view text = {};  // declared: the value; unknown: "name;"
};

// The reference or stray '&' at in[i].
Reference read_reference(std::string_view in, std::size_t i, const DeclaredEntities& declared) {
  using Kind = Reference::Kind;
  std::size_t j = i + 1;
  if (j < in.size() && in[j] == '#') {
    ++j;
    // XML allows only a lower-case 'x'; HTML habits bring '&#X41;'.
    bool hex = j < in.size() && (in[j] == 'x' || in[j] == 'X');
    if (hex) ++j;
    std::size_t digits_start = j;
    std::uint64_t cp = 0;  // stops growing past the last code point
    if (hex) {
      for (; j < in.size(); ++j) {
        char d = in[j];
        int v = d >= '0' && d <= '9' ? d - '0' : d >= 'a' && d <= 'f' ? d - 'a' + 10 : d >= 'A' && d <= 'F' ? d - 'A' + 10 : -1;
        if (v < 0) break;
        if (cp < 0x110000) cp = cp * 16 + static_cast<std::uint64_t>(v);
      }
    } else {
      for (unsigned v; j < in.size() && (v = static_cast<unsigned char>(in[j]) - unsigned{'0'}) < 10; ++j)
        if (cp < 0x110000) cp = cp * 10 + v;
    }
    if (j == digits_start || j >= in.size() || in[j] != ';') return {Kind::stray, i + 1};
    // References to C1 controls mean Windows-1252 characters in
    // practice (&#146; for a right quote), as HTML parsers agree.
    static constexpr std::uint16_t kWindows1252[32] = {
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178};
    if (cp >= 0x80 && cp <= 0x9F) return {Kind::character, j + 1, kWindows1252[cp - 0x80]};
    if (!legal_xml_char(static_cast<std::uint32_t>(cp))) return {Kind::character, j + 1, 0xFFFD};
    return {Kind::numeric, j + 1, static_cast<std::uint32_t>(cp)};
  }
  while (j < in.size() && j - i < 40 && is_name_char(in[j])) ++j;
  if (j == i + 1 || !is_name_start(in[i + 1]) || j >= in.size() || in[j] != ';') return {Kind::stray, i + 1};
  std::string_view name = in.substr(i + 1, j - i - 1);
  switch (name.size()) {
    case 2:  // the bulk of escaped HTML
      if (name[1] == 't' && name[0] == 'l') return {Kind::predefined, j + 1, '<'};
      if (name[1] == 't' && name[0] == 'g') return {Kind::predefined, j + 1, '>'};
      break;
    case 3:
      if (name == "amp") return {Kind::predefined, j + 1, '&'};
      break;
    case 4:
      if (name == "quot") return {Kind::predefined, j + 1, '"'};
      if (name == "apos") return {Kind::predefined, j + 1, '\''};
      break;
  }
  if (auto it = declared.find(name); it != declared.end()) return {Kind::declared, j + 1, 0, it->second};
  char buffer[48];
  std::memcpy(buffer, name.data(), name.size());
  buffer[name.size()] = '\0';
  if (const htmlEntityDesc* entity = htmlEntityLookup(reinterpret_cast<const xmlChar*>(buffer)))
    return {Kind::character, j + 1, entity->value};
  return {Kind::unknown, j + 1, 0, in.substr(i + 1, j - i)};
}

// Whether prepare_xml may write the reference to `cp` as the character
// itself in character data: libxml2 reads both alike, except for the
// characters of markup and line ends; U+FDD0 would read as a stand-in.
bool writes_as_character(std::uint32_t cp) { return cp >= 0x80 && cp != 0xFDD0; }

// The reference or stray '&' at in[i], as prepare_xml describes; returns
// the offset past what it consumed. `in_text`: in character data (where a
// numeric reference to a non-ASCII character becomes the character, which
// libxml2 takes in faster).
std::size_t append_reference(std::string_view in, std::size_t i, const DeclaredEntities& declared,
                             ExpansionBudget& budget, std::string& out, bool in_text = false) {
  using Kind = Reference::Kind;
  Reference ref = read_reference(in, i, declared);
  switch (ref.kind) {
    case Kind::predefined:
      out.append(in.data() + i, ref.end - i);
      break;
    case Kind::numeric:
      if (in_text && writes_as_character(ref.cp)) {
        core::append_utf8(out, ref.cp);
      } else if (in[i + 2] != 'X') {
        out.append(in.data() + i, ref.end - i);  // as written
      } else {
        out.append("&#x");
        out.append(in.data() + i + 3, ref.end - i - 3);
      }
      break;
    case Kind::character:
      core::append_utf8(out, ref.cp);
      break;
    case Kind::declared:
      if (ref.text.size() > budget.left) {
        budget.exceeded = true;
        break;
      }
      budget.left -= ref.text.size();
      out.append(ref.text);
      break;
    case Kind::unknown:
      out.append("&amp;");
      out.append(ref.text);
      break;
    case Kind::stray:
      out.append("&amp;");
      break;
  }
  return ref.end;
}

// The text run in[start, end), after a tag, as a stand-in: when libxml2
// would take the run prepare_xml writes for it as character data without
// error, its value (what libxml2 would make of it) goes to `stand_ins` and
// the stand-in to `out`. False, with nothing written, otherwise.
bool stand_in_text(std::string_view in, std::size_t start, std::size_t end, const DeclaredEntities& declared,
                   std::string& out, StandIns& stand_ins) {
  using Kind = Reference::Kind;
  std::string_view raw = in.substr(start, end - start);
  if (raw.size() < kMinTextStandIn || raw.size() > kMaxStandIn) return false;
  // References write no ']' and no '>' (they stay references), so the
  // run as written holds "]]>", an error in text, exactly when this does.
  if (raw.find("]]>") != std::string_view::npos) return false;
  std::size_t amp = find_before(in, '&', start, end);
  if (amp == end) {
    // Without references the run is its own value. Whitespace stays in
    // the document (libxml2 may drop it between elements).
    if (raw.find_first_not_of(" \t\n") == std::string_view::npos || !plain_xml_chars(raw)) return false;
    stand_ins.add_view(in, raw);
  } else {
    std::string& value = stand_ins.storage();
    std::size_t offset = value.size();
    std::size_t i = start;
    bool ok = true;
    while (ok) {
      std::string_view plain = in.substr(i, amp - i);
      if (!plain_xml_chars(plain)) {
        ok = false;
        break;
      }
      value.append(plain);
      if (amp == end) break;
      Reference ref = read_reference(in, amp, declared);
      switch (ref.kind) {
        case Kind::predefined:
          value.push_back(static_cast<char>(ref.cp));
          break;
        case Kind::numeric:
        case Kind::character:
          // No value holds U+FDD0 (see TreeReader).
          if (ref.cp == 0xFDD0) ok = false;
          else core::append_utf8(value, ref.cp);
          break;
        case Kind::unknown:
          value.push_back('&');
          value.append(ref.text);
          break;
        case Kind::stray:
          value.push_back('&');
          break;
        case Kind::declared:
          ok = false;  // its value may hold markup
          break;
      }
      i = ref.end;
      amp = find_before(in, '&', i, end);
    }
    if (!ok) {
      value.resize(offset);
      return false;
    }
    stand_ins.add_stored(offset);
  }
  out.append(kStandInOpen);
  char digits[24];
  auto [digits_end, error] = std::to_chars(digits, digits + sizeof digits, stand_ins.size() - 1);
  out.append(digits, static_cast<std::size_t>(digits_end - digits));
  out.append(kStandInClose);
  return true;
}

// `stand_ins`, if given, receives the values replaced by stand-ins; the
// caller has made sure `in` holds no U+FDD0.
core::Result<std::string> prepare_xml(std::string_view in, StandIns* stand_ins = nullptr) {
  DeclaredEntities declared;
  ExpansionBudget budget(in.size());
  std::string out;
  out.reserve(in.size() + in.size() / 16);
  std::size_t i = 0;
  while (i < in.size() && core::is_c_space(in[i])) ++i;
  if (in.substr(i).starts_with("<?xml")) {
    auto end = in.find("?>", i);
    i = end == std::string_view::npos ? in.size() : end + 2;
  }
  // Whether the text at `i` follows a tag's '>' (and maybe comments, CDATA
  // sections or processing instructions): character data in an element,
  // if the document is well-formed, which is all stand-ins rely on.
  bool after_tag = false;
  while (i < in.size() && !budget.exceeded) {
    // A run of text up to the next '<'.
    // A reference never reaches past the '<' (no name or digit holds one).
    std::size_t lt = find_before(in, '<', i, in.size());
    if (lt < in.size() && stand_ins && after_tag && stand_in_text(in, i, lt, declared, out, *stand_ins)) {
      i = lt;
    } else {
      while (true) {
        std::size_t stop = find_before(in, '&', i, lt);
        out.append(in.data() + i, stop - i);
        i = stop;
        if (i >= lt) break;
        i = append_reference(in, i, declared, budget, out, after_tag);
      }
      if (i >= in.size()) break;
    }

    std::string_view rest = in.substr(i);
    std::string_view close;
    if (rest.starts_with("<![CDATA[")) close = "]]>";
    else if (rest.starts_with("<!--")) close = "-->";
    else if (rest.starts_with("<?")) close = "?>";
    if (!close.empty()) {
      auto end = in.find(close, i + 2);
      std::size_t stop = end == std::string_view::npos ? in.size() : end + close.size();
      bool stand_in = false;
      if (stand_ins && close == "]]>" && end != std::string_view::npos) {
        std::string_view content = in.substr(i + 9, end - i - 9);
        stand_in = cdata_can_stand_in(content);
        if (stand_in) {
          append_stand_in(out, stand_ins->size());
          stand_ins->add_view(in, content);
        }
      }
      if (!stand_in) out.append(in.substr(i, stop - i));
      if (end == std::string_view::npos && close == "]]>") out.append("]]>");
      i = stop;
      continue;
    }
    if (rest.size() >= 9 && rest[1] == '!' && core::ascii_lower(rest.substr(0, 9)) == "<!doctype") {
      // Skip to the '>' that closes it, past an internal subset in [].
      std::size_t j = i + 9;
      int brackets = 0;
      while (j < in.size()) {
        if (in[j] == '[') ++brackets;
        else if (in[j] == ']') --brackets;
        else if (in[j] == '>' && brackets <= 0) break;
        ++j;
      }
      auto entities = internal_entities(in.substr(i, j - i));
      declared = DeclaredEntities(std::make_move_iterator(entities.begin()), std::make_move_iterator(entities.end()));
      i = j + 1;
      after_tag = false;
      continue;
    }
    // A tag, to its '>' outside quoted attribute values. References are
    // prepared as in text; a '<' before the end is damage, left to the
    // loop above.
    out.push_back('<');
    ++i;
    after_tag = false;
    char quote = 0;
    static constexpr auto kTagStop = [] {
      std::array<bool, 256> stop{};
      for (unsigned char c : {'<', '&', '>', '"', '\''}) stop[c] = true;
      return stop;
    }();
    while (i < in.size()) {
      std::size_t stop = i;
      while (stop < in.size() && !kTagStop[static_cast<unsigned char>(in[stop])]) ++stop;
      out.append(in.data() + i, stop - i);
      i = stop;
      if (i >= in.size() || in[i] == '<') break;
      char c = in[i];
      if (c == '&') {
        i = append_reference(in, i, declared, budget, out);
        continue;
      }
      out.push_back(c);
      ++i;
      if (c == '>' && !quote) {
        after_tag = true;
        break;
      }
      if (c == '"' || c == '\'') quote = quote == c ? 0 : quote ? quote : c;
    }
  }
  if (budget.exceeded)
    return core::Error(core::ErrorKind::too_large,
                       "the feed's DOCTYPE declares entities whose references would expand it past " +
                           std::to_string(budget.limit) + " bytes (" + std::to_string(ExpansionBudget::kFactor) +
                           " times its size and 1 MiB): refused as an entity-expansion bomb");
  return out;
}

// ------------------------------------------------------------- libxml2 glue

struct ReaderDeleter {
  void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};
struct BufferDeleter {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};
struct XmlCharDeleter {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
using XmlString = std::unique_ptr<xmlChar, XmlCharDeleter>;

std::string to_string(const xmlChar* s) { return s ? std::string(reinterpret_cast<const char*>(s)) : std::string(); }
std::string take(xmlChar* s) {
  XmlString owned(s);
  return to_string(owned.get());
}

// Namespaces the parser understands. Several URIs map to one kind because
// feeds in the wild use the historical ones.
enum class Ns { rss, atom10, atom03, rdf, dc, dcterms, content, itunes, media, xhtml, xml, other };

// Whether `s` is `lower_case` but for the case of ASCII letters.
bool equals_ignoring_case(std::string_view s, std::string_view lower_case) {
  if (s.size() != lower_case.size()) return false;
  for (std::size_t k = 0; k < s.size(); ++k) {
    char c = s[k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_case[k]) return false;
  }
  return true;
}

Ns ns_from_uri(std::string_view uri) {
  // Namespace names are case-sensitive in XML, but feeds copy them from
  // documentation with varying case (iTunes' "DTDs/Podcast"). This runs
  // for every element: the length picks the candidates.
  if (uri.empty()) return Ns::rss;
  if (uri.size() >= 31 && equals_ignoring_case(uri.substr(0, 31), "http://backend.userland.com/rss")) return Ns::rss;
  struct Known {
    std::string_view uri;
    Ns ns;
  };
  static constexpr Known kKnown[] = {
      {"http://www.w3.org/2005/atom", Ns::atom10},
      {"http://purl.org/atom/ns#", Ns::atom03},
      {"http://purl.org/rss/1.0/", Ns::rss},
      {"http://my.netscape.com/rdf/simple/0.9/", Ns::rss},
      {"http://blogs.law.harvard.edu/tech/rss", Ns::rss},
      {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::rdf},
      {"http://purl.org/net/rss1.1#", Ns::rss},
      {"http://purl.org/dc/elements/1.1/", Ns::dc},
      {"http://purl.org/dc/terms/", Ns::dcterms},
      {"http://purl.org/rss/1.0/modules/content/", Ns::content},
      {"http://www.itunes.com/dtds/podcast-1.0.dtd", Ns::itunes},
      {"http://search.yahoo.com/mrss/", Ns::media},
      {"http://search.yahoo.com/mrss", Ns::media},
      {"http://www.w3.org/1999/xhtml", Ns::xhtml},
  };
  for (const Known& known : kKnown)
    if (known.uri.size() == uri.size() && equals_ignoring_case(uri, known.uri)) return known.ns;
  return Ns::other;
}

// An undeclared prefix leaves libxml2 with no namespace and a name like
// "dc:date"; the usual prefixes are recognized anyway.
Ns ns_from_prefix(std::string_view prefix) {
  if (prefix == "dc") return Ns::dc;
  if (prefix == "dcterms") return Ns::dcterms;
  if (prefix == "content") return Ns::content;
  if (prefix == "atom") return Ns::atom10;
  if (prefix == "itunes") return Ns::itunes;
  if (prefix == "media") return Ns::media;
  if (prefix == "rdf") return Ns::rdf;
  return Ns::other;
}

// `local` views the node's name: a QName lives no longer than its node.
struct QName {
  Ns ns = Ns::other;
  std::string_view local;
  bool is(Ns n, std::string_view l) const { return ns == n && local == l; }
  bool is_atom(std::string_view l) const { return (ns == Ns::atom10 || ns == Ns::atom03) && local == l; }
};

// `atom_alias` is the namespace of an Atom 0.3 root in a namespace of its
// own (pre-release Atom drafts): its elements count as Atom.
QName qname(const xmlNode* node, std::string_view atom_alias = {}) {
  QName q;
  std::string_view name = node->name ? std::string_view(reinterpret_cast<const char*>(node->name)) : std::string_view();
  if (node->ns && node->ns->href) {
    std::string_view href(reinterpret_cast<const char*>(node->ns->href));
    q.ns = !atom_alias.empty() && href == atom_alias ? Ns::atom03 : ns_from_uri(href);
    q.local = name;
  } else if (auto colon = name.find(':'); colon != std::string_view::npos) {
    q.ns = ns_from_prefix(name.substr(0, colon));
    q.local = name.substr(colon + 1);
  } else {
    q.ns = Ns::rss;
    q.local = name;
  }
  return q;
}

std::string attr(const xmlNode* node, const char* name) {
  return take(xmlGetProp(node, reinterpret_cast<const xmlChar*>(name)));
}
bool has_attr(const xmlNode* node, const char* name) {
  return xmlHasProp(node, reinterpret_cast<const xmlChar*>(name)) != nullptr;
}

bool has_element_child(const xmlNode* node) {
  for (const xmlNode* c = node->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

// Appends `text` escaped as xmlNodeDump escapes text content, and with
// `quotes` as xmlEncodeSpecialChars escapes text.
void append_escaped_text(std::string& out, std::string_view text, bool quotes = false) {
  std::size_t done = 0;
  std::uint64_t quote_byte = quotes ? '"' : '<';
  for (std::size_t k = 0; k < text.size(); ++k) {
    while (text.size() - k >= 8) {
      std::uint64_t word = load_word(text.data() + k);
      if ((bytes_equal(word, '<') | bytes_equal(word, '>') | bytes_equal(word, '&') | bytes_equal(word, '\r') |
           bytes_equal(word, static_cast<unsigned char>(quote_byte))) != 0)
        break;
      k += 8;
    }
    if (k >= text.size()) break;
    std::string_view replacement;
    switch (text[k]) {
      case '<': replacement = "&lt;"; break;
      case '>': replacement = "&gt;"; break;
      case '&': replacement = "&amp;"; break;
      case '\r': replacement = "&#13;"; break;
      case '"':
        if (!quotes) continue;
        replacement = "&quot;";
        break;
      default: continue;
    }
    out.append(text.data() + done, k - done);
    out.append(replacement);
    done = k + 1;
  }
  out.append(text.data() + done, text.size() - done);
}

// The UTF-8 sequence at value[k] as "&#xHEX;" (upper case, as libxml2
// writes it), after value[done, k); `done` and `k` move past it.
bool append_hex_reference(std::string& out, std::string_view value, std::size_t& done, std::size_t& k) {
  auto lead = static_cast<unsigned char>(value[k]);
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || k + length > value.size()) return false;
  std::uint32_t cp = lead & (0x7F >> length);
  for (std::size_t m = 1; m < length; ++m) cp = (cp << 6) | (static_cast<unsigned char>(value[k + m]) & 0x3F);
  out.append(value.data() + done, k - done);
  char buffer[16];
  int size = std::snprintf(buffer, sizeof buffer, "&#x%X;", static_cast<unsigned>(cp));
  out.append(buffer, static_cast<std::size_t>(size));
  k += length - 1;  // the loop steps over the last byte
  done = k + 1;
  return true;
}

std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, acc = 0;
  for (char c : in) {
    if (c == '=' || core::is_c_space(c)) continue;
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// Text and markup of the libxml2 tree, read through stand-ins: a text or
// CDATA node holding stand-ins (see prepare_xml) reads as their values,
// without copying them into the tree. Only where libxml2 itself reads the
// content (xmlNodeDump of what dump_node leaves to it) are the values put
// back into the nodes first. No value holds U+FDD0, so a node read again
// after that reads the same.
class TreeReader {
 public:
  // `values` (the stand-ins' values by index) outlive the reader; none
  // means a document without stand-ins.
  explicit TreeReader(const std::vector<std::string_view>* values = nullptr) : values_(values) {}

  std::string text_of(const xmlNode* node) const {
    // One text or CDATA child, the usual case, is its own content.
    const xmlNode* child = node->type == XML_ELEMENT_NODE ? node->children : nullptr;
    if (child && !child->next && (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE))
      return trim(content_of(child, scratch_));
    return trim(content_of_subtree(node));
  }

  // The value of an element that may carry markup: escaped HTML or CDATA give
  // their text, inline XHTML its serialization (without Atom's wrapper div),
  // Atom 0.3 base64 its decoded bytes.
  std::string markup_of(const xmlNode* node) const {
    std::string type = core::ascii_lower(attr(node, "type"));
    std::string mode = core::ascii_lower(attr(node, "mode"));
    // Atom 1.0: a media type that is neither text nor XML means base64
    // (RFC 4287 section 4.1.3.3); Atom 0.3 says so with mode="base64".
    bool textual = type.empty() || type == "text" || type == "html" || type == "xhtml" || type.starts_with("text/") ||
                   type.ends_with("+xml") || type.ends_with("/xml");
    if (mode == "base64" || (!textual && !has_element_child(node))) {
      if (auto decoded = base64_decode(content_of_subtree(node))) return trim(*decoded);
    }
    if (!has_element_child(node) && type != "xhtml") return text_of(node);
    if (mode == "escaped") return text_of(node);
    // Atom's xhtml content is wrapped in one xhtml <div> that is not content.
    const xmlNode* only = nullptr;
    int elements = 0;
    bool other_text = false;
    for (const xmlNode* c = node->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) {
        ++elements;
        only = c;
      } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && !trim(content_of(c, scratch_)).empty()) {
        other_text = true;
      }
    }
    // Atom 1.0 wraps XHTML content in one <div> that is not content; Atom 0.3
    // had no such rule and its div is part of the value.
    bool wrapped = type == "xhtml" || (type == "application/xhtml+xml" && qname(node).ns == Ns::atom10);
    if (elements == 1 && !other_text && qname(only).local == "div" && wrapped) {
      return trim(serialize_children(only));
    }
    return trim(serialize_children(node));
  }

  // Markup of the children of `node`, as XML serializes them.
  std::string serialize_children(const xmlNode* node) const {
    std::unique_ptr<xmlBuffer, BufferDeleter> buffer;
    std::string out;
    for (xmlNode* c = node->children; c; c = c->next) {
      if (c->type == XML_CDATA_SECTION_NODE) {
        // CDATA inside mixed content is text; escape it as text would be
        // (as xmlEncodeSpecialChars does).
        append_escaped_text(out, content_of(c, scratch_), true);
        continue;
      }
      std::size_t start = out.size();
      if (dump_node(c, out)) {
#ifdef NEWSMIRROR_CHECK_DUMP
        if (!buffer) buffer.reset(xmlBufferCreate());
        restore_in_place(c);
        xmlBufferEmpty(buffer.get());
        xmlNodeDump(buffer.get(), node->doc, c, 0, 0);
        if (std::string_view(out).substr(start) !=
            std::string_view(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())), static_cast<std::size_t>(xmlBufferLength(buffer.get())))) {
          fprintf(stderr, "DUMP MISMATCH\n---mine:\n%s\n---libxml2:\n%s\n", out.c_str() + start, reinterpret_cast<const char*>(xmlBufferContent(buffer.get())));
          abort();
        }
#endif
        continue;
      }
      out.resize(start);
      if (!buffer) buffer.reset(xmlBufferCreate());
      if (!buffer) return "";
      restore_in_place(c);
      xmlBufferEmpty(buffer.get());
      xmlNodeDump(buffer.get(), node->doc, c, 0, 0);
      out.append(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())), static_cast<std::size_t>(xmlBufferLength(buffer.get())));
    }
    // The XHTML namespace is implied once the markup leaves the feed; HTML
    // consumers would otherwise carry the declaration around.
    for (std::string_view decl : {" xmlns=\"http://www.w3.org/1999/xhtml\"", " xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""}) {
      for (auto pos = out.find(decl); pos != std::string::npos; pos = out.find(decl, pos)) out.erase(pos, decl.size());
    }
    return out;
  }

 private:
  static std::string_view chars(const xmlChar* s) {
    return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
  }

  // The stand-in at the start of `text` (U+FDD0, digits, U+FDD1): its
  // length, with its value's index in `index`; 0 if `text` starts otherwise.
  std::size_t stand_in_at(std::string_view text, std::size_t& index) const {
    if (!text.starts_with(kStandInOpen)) return 0;
    std::size_t digits = kStandInOpen.size(), j = digits;
    index = 0;
    while (j < text.size() && j - digits < 10 && text[j] >= '0' && text[j] <= '9')
      index = index * 10 + static_cast<std::size_t>(text[j++] - '0');
    if (j == digits || !text.substr(j).starts_with(kStandInClose) || index >= values_->size()) return 0;
    return j + kStandInClose.size();
  }

  // Appends `content` to `out` with its stand-ins replaced by their values.
  void append_resolved(std::string& out, std::string_view content) const {
    for (auto pos = content.find(kStandInOpen); pos != std::string_view::npos; pos = content.find(kStandInOpen)) {
      out.append(content.substr(0, pos));
      content.remove_prefix(pos);
      std::size_t index;
      if (std::size_t length = stand_in_at(content, index)) {
        out.append((*values_)[index]);
        content.remove_prefix(length);
      } else {
        out.append(content.substr(0, kStandInOpen.size()));
        content.remove_prefix(kStandInOpen.size());
      }
    }
    out.append(content);
  }

  // The content of text or CDATA node `c` as libxml2 would hold it without
  // stand-ins: a view of the node, of a value, or of `scratch`.
  std::string_view content_of(const xmlNode* c, std::string& scratch) const {
    std::string_view content = chars(c->content);
    if (!values_ || content.find(kStandInOpen) == std::string_view::npos) return content;
    std::size_t index;
    if (std::size_t length = stand_in_at(content, index); length == content.size()) return (*values_)[index];
    scratch.clear();
    append_resolved(scratch, content);
    return scratch;
  }

  // What xmlNodeGetContent gives for an element: the text and CDATA of
  // every descendant, in document order.
  std::string content_of_subtree(const xmlNode* node) const {
    if (node->type != XML_ELEMENT_NODE) {
      restore_in_place(const_cast<xmlNode*>(node));
      return take(xmlNodeGetContent(node));
    }
    std::string out;
    if (!append_subtree_text(node, out)) {
      restore_in_place(const_cast<xmlNode*>(node));
      return take(xmlNodeGetContent(node));
    }
    return out;
  }
  // False on a node whose content only libxml2 knows how to read (an entity
  // reference).
  bool append_subtree_text(const xmlNode* node, std::string& out) const {
    for (const xmlNode* c = node->children; c; c = c->next) {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        if (values_) append_resolved(out, chars(c->content));
        else out.append(chars(c->content));
      } else if (c->type == XML_ENTITY_REF_NODE || c->type == XML_ENTITY_DECL) {
        return false;
      }
      if (c->children && !append_subtree_text(c, out)) return false;
    }
    return true;
  }

  // Puts the values of stand-ins back into the text and CDATA nodes of
  // `node` (itself and its descendants), for libxml2 to read.
  void restore_in_place(xmlNode* node) const {
    if (!values_) return;
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      std::string_view content = chars(node->content);
      if (content.find(kStandInOpen) == std::string_view::npos) return;
      std::string restored;
      append_resolved(restored, content);
      xmlNodeSetContentLen(node, reinterpret_cast<const xmlChar*>(restored.data()), static_cast<int>(restored.size()));
      return;
    }
    if (node->type != XML_ELEMENT_NODE) return;
    for (xmlNode* c = node->children; c; c = c->next) restore_in_place(c);
  }

  // Appends `node` as xmlNodeDump(doc, node, 0, 0) writes it, for the common
  // subset: elements with plain attributes and namespace declarations, and
  // text. False, with `out` part-written, for anything else (comments,
  // CDATA, references...), which is left to
  // libxml2: the hand-written path only saves time, never changes output.
  bool dump_node(const xmlNode* node, std::string& out, int depth = 0) const {
    if (node->type == XML_TEXT_NODE) {
      if (node->name == xmlStringTextNoenc) return false;
      append_escaped_text(out, content_of(node, scratch_));
      return true;
    }
    if (node->type != XML_ELEMENT_NODE || depth > 100 || !node->name) return false;
    auto append_qualified = [&](const xmlNs* ns, const xmlChar* name) {
      if (ns && ns->prefix) {
        out.append(chars(ns->prefix));
        out.push_back(':');
      }
      out.append(chars(name));
    };
    out.push_back('<');
    append_qualified(node->ns, node->name);
    for (const xmlNs* ns = node->nsDef; ns; ns = ns->next) {
      if (ns->type != XML_LOCAL_NAMESPACE || !ns->href) continue;
      if (ns->prefix && chars(ns->prefix) == "xml") continue;
      std::string_view href = chars(ns->href);
      if (href.find('"') != std::string_view::npos) return false;
      out.append(ns->prefix ? " xmlns:" : " xmlns");
      if (ns->prefix) out.append(chars(ns->prefix));
      out.append("=\"");
      out.append(href);
      out.push_back('"');
    }
    for (const xmlAttr* a = node->properties; a; a = a->next) {
      if (!a->name || (a->children && (a->children->next || a->children->type != XML_TEXT_NODE))) return false;
      out.push_back(' ');
      append_qualified(a->ns, a->name);
      out.append("=\"");
      std::string_view value = a->children && a->children->content ? chars(a->children->content) : std::string_view();
      std::size_t done = 0;
      for (std::size_t k = 0; k < value.size(); ++k) {
        std::string_view replacement;
        switch (value[k]) {
          case '\n': replacement = "&#10;"; break;
          case '\r': replacement = "&#13;"; break;
          case '\t': replacement = "&#9;"; break;
          case '"': replacement = "&quot;"; break;
          case '<': replacement = "&lt;"; break;
          case '>': replacement = "&gt;"; break;
          case '&': replacement = "&amp;"; break;
          default:
            if (static_cast<unsigned char>(value[k]) < 0x80 || (node->doc && node->doc->encoding)) continue;
            // A document still being read has no encoding yet: libxml2
            // writes non-ASCII as hexadecimal references then.
            if (!append_hex_reference(out, value, done, k)) return false;
            continue;
        }
        out.append(value.data() + done, k - done);
        out.append(replacement);
        done = k + 1;
      }
      out.append(value.data() + done, value.size() - done);
      out.push_back('"');
    }
    if (!node->children) {
      out.append("/>");
      return true;
    }
    out.push_back('>');
    for (const xmlNode* c = node->children; c; c = c->next)
      if (!dump_node(c, out, depth + 1)) return false;
    out.append("</");
    append_qualified(node->ns, node->name);
    out.push_back('>');
    return true;
  }

  const std::vector<std::string_view>* values_;
  mutable std::string scratch_;  // for content_of, used before the next call
};

// ------------------------------------------------------------- the parser

class XmlFeedParser {
 public:
  explicit XmlFeedParser(const ParseOptions& options) : options_(options) {}

  core::Result<core::Feed> parse(std::string_view bytes) {
    std::string converted;  // holds the text only when it is not UTF-8 already
    DecodedView decoded = decode_xml_view(bytes, options_.content_type, converted);
    feed_.encoding = decoded.charset;
    StandIns stand_ins;
    bool clash = holds_stand_in_open(decoded.utf8);
    auto text = prepare_xml(decoded.utf8, clash ? nullptr : &stand_ins);
    if (!text) return text.error();
    if (stand_ins.empty()) return parse_text(*text);
    std::vector<std::string_view> values = stand_ins.values(decoded.utf8);
    cdata_ = &values;
    tree_ = TreeReader(&values);
    auto result = parse_text(*text);
    if (!parse_errors_) return result;
    // Stand-ins are only known to parse like their content in a document
    // without a single error (recovery may place them anywhere else):
    // damaged documents are parsed again with their CDATA content.
    XmlFeedParser plain(options_);
    plain.feed_.encoding = std::move(decoded.charset);
    auto plain_text = prepare_xml(decoded.utf8);
    if (!plain_text) return plain_text.error();
    return plain.parse_text(*plain_text);
  }

 private:
  core::Result<core::Feed> parse_text(const std::string& text) {
    if (text.size() > static_cast<std::size_t>(INT32_MAX))
      return core::Error(core::ErrorKind::too_large, "feed document larger than 2 GiB");
    std::unique_ptr<xmlTextReader, ReaderDeleter> reader(xmlReaderForMemory(
        text.data(), static_cast<int>(text.size()), options_.base_url.empty() ? nullptr : options_.base_url.c_str(),
        "UTF-8", XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT));
    if (!reader) return core::Error(core::ErrorKind::internal, "libxml2 could not create a reader");
    // Errors are expected (RECOVER) and must not reach stderr; they are
    // counted (see parse).
    xmlTextReaderSetStructuredErrorHandler(
        reader.get(), [](void* self, xmlError*) { ++static_cast<XmlFeedParser*>(self)->parse_errors_; }, this);

    bool skip_subtree = false;
    bool root_seen = false;
    bool failed = false;
    while (true) {
      int status = skip_subtree ? xmlTextReaderNext(reader.get()) : xmlTextReaderRead(reader.get());
      skip_subtree = false;
      if (status == -1) failed = true;
      if (status != 1) break;
      if (xmlTextReaderNodeType(reader.get()) != XML_READER_TYPE_ELEMENT) continue;
      xmlNode* node = xmlTextReaderCurrentNode(reader.get());
      if (!node) break;
      QName name = name_of(node);
      if (!root_seen) {
        root_seen = true;
        if (auto error = read_root(node, name)) return *error;
        continue;
      }
      if (is_entry(name)) {
        if (xmlNode* expanded = xmlTextReaderExpand(reader.get())) {
          read_entry_and_swallowed(expanded);
        }
        skip_subtree = true;
        continue;
      }
      if (is_container(name)) continue;  // descend into channel / feed
      if (node->parent && node->parent->type == XML_ELEMENT_NODE && is_feed_level_parent(name_of(node->parent))) {
        if (xmlNode* expanded = xmlTextReaderExpand(reader.get())) {
          read_feed_field(expanded, name_of(expanded));
          read_swallowed_entries(expanded);
        }
        skip_subtree = true;
      }
    }
    if (failed && cdata_) {
      ++parse_errors_;  // parse() starts over without stand-ins
      return core::Error(core::ErrorKind::internal, "reader failed");
    }
    if (failed) {
      // The reader gives up at the first error it cannot step over (a
      // mismatched tag early on, say). Only then is the damaged document
      // parsed whole by libxml2's recovering tree parser, which repairs more.
      XmlFeedParser fallback(options_);
      fallback.feed_.encoding = feed_.encoding;
      auto recovered = fallback.parse_tree(text);
      if (recovered.ok() && (!root_seen || recovered->entries.size() >= feed_.entries.size())) return recovered;
    }
    if (!root_seen) return core::Error(core::ErrorKind::not_feed, "no XML element found: not a feed");
    return std::move(feed_);
  }

 private:
  struct DocDeleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
  };

  core::Result<core::Feed> parse_tree(const std::string& text) {
    std::unique_ptr<xmlDoc, DocDeleter> doc(xmlReadMemory(
        text.data(), static_cast<int>(text.size()), options_.base_url.empty() ? nullptr : options_.base_url.c_str(),
        "UTF-8", XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!root) return core::Error(core::ErrorKind::not_feed, "no XML element found: not a feed");
    if (auto error = read_root(root, name_of(root))) return *error;
    visit_children(root);
    return std::move(feed_);
  }

  // The tree walk that mirrors the streaming loop above.
  void visit_children(const xmlNode* parent) {
    bool feed_level = is_feed_level_parent(name_of(parent));
    for (const xmlNode* c = parent->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      QName name = name_of(c);
      if (is_entry(name)) read_entry_and_swallowed(c);
      else if (is_container(name)) visit_children(c);
      else if (feed_level) { read_feed_field(c, name); read_swallowed_entries(c); }
      else visit_children(c);
    }
  }

  // libxml2's recovery closes only the innermost open element at a
  // mismatched end tag, so one unclosed element (`<title>a <b>b</title>`)
  // leaves its entry, or a channel field, open: every later entry of the
  // document becomes its descendant. Entries never nest in a feed, so one
  // found inside an entry or a feed-level field is read as the next entry.
  void read_entry_and_swallowed(const xmlNode* item) {
    read_entry(item);
    read_swallowed_entries(item);
  }
  void read_swallowed_entries(const xmlNode* parent) {
    for (const xmlNode* c = parent->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      // This visits every element of every entry: the name is looked at
      // before its namespace, which is rarely needed.
      if (may_name_entry(c) && is_entry(name_of(c))) read_entry_and_swallowed(c);
      else if (c->children) read_swallowed_entries(c);
    }
  }
  // Whether the local name of `node` can be "item" or "entry".
  static bool may_name_entry(const xmlNode* node) {
    if (!node->name) return false;
    std::string_view name(reinterpret_cast<const char*>(node->name));
    return name.ends_with("item") || name.ends_with("entry");
  }

 private:
  QName name_of(const xmlNode* node) const { return qname(node, atom_alias_); }
  std::string text_of(const xmlNode* node) const { return tree_.text_of(node); }
  std::string markup_of(const xmlNode* node) const { return tree_.markup_of(node); }
  std::string serialize_children(const xmlNode* node) const { return tree_.serialize_children(node); }

  std::optional<core::Error> read_root(const xmlNode* node, const QName& name) {
    if (name.local == "rss" || (name.local == "channel" && name.ns == Ns::rss)) {
      feed_.format = core::FeedFormat::rss;
      if (auto v = trim(attr(node, "version")); !v.empty()) feed_.version = v;
    } else if (name.is(Ns::rdf, "RDF") || name.local == "RDF") {
      feed_.format = core::FeedFormat::rdf;
      feed_.version = "1.0";
      // RSS 0.90 uses RDF too but its own namespace.
      for (const xmlNs* ns = node->nsDef; ns; ns = ns->next)
        if (to_string(ns->href) == "http://my.netscape.com/rdf/simple/0.9/") feed_.version = "0.90";
    } else if (name.local == "feed" && (name.ns == Ns::atom10 || name.ns == Ns::atom03 || name.ns == Ns::rss ||
                                        has_attr(node, "version"))) {
      if (name.ns == Ns::other && node->ns) atom_alias_ = to_string(node->ns->href);
      feed_.format = core::FeedFormat::atom;
      if (name.ns == Ns::atom10) feed_.version = "1.0";
      else if (name.ns == Ns::atom03) feed_.version = "0.3";
      if (auto v = trim(attr(node, "version")); !v.empty()) feed_.version = v;
      atom_root_ = true;
    } else {
      return core::Error(core::ErrorKind::not_feed,
                         "root element <" + to_string(node->name) + "> is not rss, rdf:RDF or feed: not a feed");
    }
    if (auto lang = trim(take(xmlNodeGetLang(node))); !lang.empty()) {
      std::replace(lang.begin(), lang.end(), '_', '-');  // "en_US" is a common slip for "en-US"
      feed_.language = lang;
    }
    return std::nullopt;
  }

  bool is_entry(const QName& name) const {
    if (name.local == "item" && (name.ns == Ns::rss)) return true;
    if (name.local == "entry" && (name.ns == Ns::atom10 || name.ns == Ns::atom03 || (atom_root_ && name.ns == Ns::rss)))
      return true;
    return false;
  }
  bool is_container(const QName& name) const {
    return name.local == "channel" && name.ns == Ns::rss;
  }
  bool is_feed_level_parent(const QName& name) const {
    if (name.local == "channel" && name.ns == Ns::rss) return true;
    if (name.local == "feed" && atom_root_) return true;
    if (name.local == "RDF" || name.local == "rss") return true;
    return false;
  }

  // xml:base attributes of `node` and its ancestors, applied from the top
  // over the document's URL.
  std::string base_for(const xmlNode* node) const {
    std::vector<std::string> bases;
    for (const xmlNode* n = node; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
      XmlString base(xmlGetNsProp(n, reinterpret_cast<const xmlChar*>("base"), XML_XML_NAMESPACE));
      if (base) bases.push_back(trim(to_string(base.get())));
    }
    std::string result = options_.base_url;
    for (auto it = bases.rbegin(); it != bases.rend(); ++it) {
      if (auto resolved = core::url::resolve(result, *it)) result = *resolved;
      else if (result.empty()) result = *it;
    }
    return result;
  }

  std::optional<std::string> absolute(const xmlNode* node, const std::string& reference) const {
    std::string ref = trim(reference);
    if (ref.empty()) return std::nullopt;
    // An absolute link is kept as the feed gives it; serializing it the
    // WHATWG way is the archive's business (core::url::serialize).
    if (core::url::is_absolute(ref)) return ref;
    std::string base = base_for(node);
    if (auto resolved = core::url::resolve(base, ref)) return resolved;
    return ref;
  }

  // The markup of a summary/content element, through the caller's filter.
  std::optional<std::string> markup(const xmlNode* node) const {
    std::string value = markup_of(node);
    if (options_.markup_filter && !value.empty()) value = trim(options_.markup_filter(value, base_for(node)));
    return non_empty(std::move(value));
  }

  // A title is plain text unless it declares or visibly carries markup.
  std::optional<std::string> title(const xmlNode* node, bool atom) const {
    std::string type = core::ascii_lower(attr(node, "type"));
    bool html = atom ? (type == "html" || type == "xhtml" || type.find("html") != std::string::npos ||
                        has_element_child(node))
                     : (has_element_child(node) || text_of(node).find('<') != std::string::npos);
    if (html) return markup(node);
    return non_empty(markup_of(node));
  }

  std::optional<core::TimePoint> date_of(const xmlNode* node) const {
    return parse_date(text_of(node), options_.default_zone);
  }

  // RSS authors come as "email (Name)", "Name <email>" or a plain name.
  static core::Person person_from_text(const std::string& text) {
    core::Person person;
    std::string t = trim(text);
    auto open = t.find('(');
    auto close = t.rfind(')');
    auto lt = t.find('<');
    auto gt = t.rfind('>');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      std::string inside = trim(t.substr(open + 1, close - open - 1));
      std::string before = trim(t.substr(0, open));
      // Both "Name (email)" and RSS's "email (Name)" occur.
      if (inside.find('@') != std::string::npos && inside.find(' ') == std::string::npos) {
        person.email = non_empty(inside);
        person.name = non_empty(before);
      } else {
        person.name = non_empty(inside);
        if (before.find('@') != std::string::npos) person.email = non_empty(before);
        else if (!person.name) person.name = non_empty(before);
      }
    } else if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
      person.email = non_empty(trim(t.substr(lt + 1, gt - lt - 1)));
      person.name = non_empty(trim(t.substr(0, lt)));
    } else if (t.find('@') != std::string::npos && t.find(' ') == std::string::npos) {
      person.email = t;
    } else {
      person.name = non_empty(t);
    }
    return person;
  }

  core::Person atom_person(const xmlNode* node) const {
    core::Person person;
    bool structured = false;
    for (const xmlNode* c = node->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      QName q = name_of(c);
      if (q.local == "name") { person.name = non_empty(text_of(c)); structured = true; }
      else if (q.local == "email") { person.email = non_empty(text_of(c)); structured = true; }
      else if (q.local == "uri" || q.local == "url" || q.local == "homepage") { person.uri = absolute(c, text_of(c)); structured = true; }
    }
    if (!structured) return person_from_text(text_of(node));
    return person;
  }

  static void add_person(std::vector<core::Person>& people, core::Person person) {
    if (!person.name && !person.email && !person.uri) return;
    for (const auto& p : people)
      if (p.name == person.name && p.email == person.email && p.uri == person.uri) return;
    people.push_back(std::move(person));
  }

  static void add_category(std::vector<std::string>& categories, std::string value) {
    value = trim(value);
    if (value.empty()) return;
    if (std::find(categories.begin(), categories.end(), value) == categories.end())
      categories.push_back(std::move(value));
  }

  void read_feed_field(const xmlNode* node, const QName& q) {
    bool rss = q.ns == Ns::rss;
    bool atom = q.ns == Ns::atom10 || q.ns == Ns::atom03;
    if (((rss || atom) && q.local == "title") || q.is(Ns::dc, "title")) {
      if (!feed_.title) feed_.title = title(node, atom);
    } else if (rss && q.local == "link" && !has_attr(node, "href")) {
      if (!feed_.link) feed_.link = absolute(node, text_of(node));
    } else if ((atom || (rss && atom_root_)) && q.local == "link") {
      read_atom_link(node, feed_.link, &feed_.self_link, nullptr);
    } else if ((rss && q.local == "description") || (atom && (q.local == "subtitle" || q.local == "tagline")) ||
               q.is(Ns::itunes, "subtitle") || q.is(Ns::dc, "description")) {
      if (!feed_.description) feed_.description = markup(node);
    } else if ((rss && q.local == "language") || q.is(Ns::dc, "language")) {
      if (!feed_.language) feed_.language = non_empty(text_of(node));
    } else if ((rss && q.local == "copyright") || (atom && (q.local == "rights" || q.local == "copyright")) ||
               q.is(Ns::dc, "rights")) {
      if (!feed_.rights) feed_.rights = markup(node);
    } else if ((rss || atom) && q.local == "generator") {
      if (!feed_.generator) feed_.generator = non_empty(text_of(node));
      if (!feed_.generator && has_attr(node, "uri")) feed_.generator = non_empty(trim(attr(node, "uri")));
    } else if (q.is(Ns::rss, "pubDate") || q.is(Ns::dc, "date") || q.is(Ns::dcterms, "issued") ||
               (atom && (q.local == "published" || q.local == "issued"))) {
      if (!feed_.published) feed_.published = date_of(node);
      if (q.is(Ns::dc, "date") && !feed_.updated) feed_.updated = feed_.published;
    } else if (q.is(Ns::rss, "lastBuildDate") || q.is(Ns::dcterms, "modified") ||
               (atom && (q.local == "updated" || q.local == "modified"))) {
      if (!feed_.updated) feed_.updated = date_of(node);
    } else if (rss && q.local == "image") {
      core::FeedImage image;
      for (const xmlNode* c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        QName cq = name_of(c);
        if (cq.local == "url") image.url = absolute(c, text_of(c));
        else if (cq.local == "title") image.title = non_empty(text_of(c));
      }
      if (!image.url && has_attr(node, "resource")) image.url = absolute(node, attr(node, "resource"));
      if (!feed_.image && (image.url || image.title)) feed_.image = image;
    } else if ((atom && (q.local == "logo" || q.local == "icon")) || q.is(Ns::itunes, "image")) {
      std::string url = q.ns == Ns::itunes ? attr(node, "href") : text_of(node);
      if (!feed_.image || (q.local == "logo" && !feed_.image->url)) {
        if (auto u = absolute(node, url)) feed_.image = core::FeedImage{u, std::nullopt};
      }
    } else if ((rss && (q.local == "managingEditor" || q.local == "webMaster" || q.local == "author")) ||
               q.is(Ns::dc, "creator") || q.is(Ns::dc, "author") || q.is(Ns::dc, "publisher") ||
               q.is(Ns::itunes, "author")) {
      add_person(feed_.authors, person_from_text(text_of(node)));
    } else if (atom && (q.local == "author")) {
      add_person(feed_.authors, atom_person(node));
    } else if (rss && q.local == "category") {
      add_category(feed_.categories, text_of(node));
    } else if (atom && q.local == "category") {
      std::string term = attr(node, "term");
      add_category(feed_.categories, term.empty() ? text_of(node) : term);
    } else if (q.is(Ns::dc, "subject") || q.is(Ns::itunes, "category")) {
      add_category(feed_.categories, q.ns == Ns::itunes ? attr(node, "text") : text_of(node));
    }
  }

  // Atom links: rel="alternate" (the default) is the page, "self" the feed,
  // "enclosure" a media file.
  void read_atom_link(const xmlNode* node, std::optional<std::string>& link, std::optional<std::string>* self,
                      std::vector<core::Enclosure>* enclosures) {
    std::string rel = core::ascii_lower(trim(attr(node, "rel")));
    std::string href = attr(node, "href");
    if (href.empty() && !has_attr(node, "href")) href = text_of(node);
    auto url = absolute(node, href);
    if (!url) return;
    if (rel.empty() || rel == "alternate") {
      std::string type = core::ascii_lower(attr(node, "type"));
      if (!link || (!link_is_html_ && (type.empty() || type.find("html") != std::string::npos))) {
        link = url;
        link_is_html_ = type.empty() || type.find("html") != std::string::npos;
      }
    } else if (rel == "self" && self) {
      if (!*self) *self = url;
    } else if (rel == "enclosure" && enclosures) {
      core::Enclosure enclosure;
      enclosure.url = *url;
      enclosure.type = non_empty(trim(attr(node, "type")));
      enclosure.length = parse_length(attr(node, "length"));
      enclosures->push_back(std::move(enclosure));
    }
  }

  static std::optional<std::int64_t> parse_length(const std::string& text) {
    std::string t = trim(text);
    if (t.empty() || t.size() > 18 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    return std::stoll(t);
  }

  void read_entry(const xmlNode* item) {
    core::Entry entry;
    std::optional<std::string> permalink_guid;
    link_is_html_ = false;
    std::optional<std::string> atom_link;
    for (const xmlNode* node = item->children; node; node = node->next) {
      if (node->type != XML_ELEMENT_NODE) continue;
      QName q = name_of(node);
      bool rss = q.ns == Ns::rss;
      bool atom = q.ns == Ns::atom10 || q.ns == Ns::atom03;
      if ((rss || atom) && q.local == "title") {
        if (!entry.title) entry.title = title(node, atom);
      } else if (q.is(Ns::dc, "title")) {
        if (!entry.title) entry.title = non_empty(text_of(node));
      } else if (rss && q.local == "link" && !has_attr(node, "href")) {
        if (!entry.link) entry.link = absolute(node, text_of(node));
      } else if (atom || (atom_root_ && rss)) {
        if (q.local == "link") {
          read_atom_link(node, atom_link, nullptr, &entry.enclosures);
        } else if (q.local == "id") {
          // A path-like id ("/2006/entry") is a relative IRI and resolves
          // like one; anything else (tag:, urn:, opaque text) stays.
          std::string id = text_of(node);
          if (id.starts_with("/") && !id.starts_with("//")) id = absolute(node, id).value_or(id);
          if (!entry.id) entry.id = non_empty(id);
        } else if (q.local == "summary") {
          if (!entry.summary) entry.summary = markup(node);
        } else if (q.local == "content") {
          if (!entry.content && !has_attr(node, "src")) entry.content = markup(node);
        } else if (q.local == "published" || q.local == "issued" || q.local == "created") {
          if (!entry.published || q.local != "created") {
            if (auto d = date_of(node); d && (!entry.published || q.local == "published")) entry.published = d;
          }
        } else if (q.local == "updated" || q.local == "modified") {
          if (!entry.updated) entry.updated = date_of(node);
        } else if (q.local == "author") {
          add_person(entry.authors, atom_person(node));
        } else if (q.local == "category") {
          std::string term = attr(node, "term");
          add_category(entry.categories, term.empty() ? text_of(node) : term);
        } else if (rss) {
          read_rss_entry_field(node, q, entry, permalink_guid);
        }
      } else {
        read_rss_entry_field(node, q, entry, permalink_guid);
      }
    }
    if (!entry.link && atom_link) entry.link = atom_link;
    if (!entry.link && permalink_guid) entry.link = permalink_guid;
    if (entry.id && !entry.link && permalink_guid) entry.link = absolute(item, *entry.id);
    if (!entry.id && item->type == XML_ELEMENT_NODE && has_attr(item, "about")) entry.id = non_empty(trim(attr(item, "about")));
    feed_.entries.push_back(std::move(entry));
  }

  void read_rss_entry_field(const xmlNode* node, const QName& q, core::Entry& entry,
                            std::optional<std::string>& permalink_guid) {
    bool rss = q.ns == Ns::rss;
    if (rss && q.local == "guid") {
      if (entry.id) return;
      entry.id = non_empty(text_of(node));
      std::string permalink = core::ascii_lower(trim(attr(node, "isPermaLink")));
      if (entry.id && permalink != "false" && core::url::is_absolute(*entry.id)) permalink_guid = absolute(node, *entry.id);
    } else if (rss && q.local == "description") {
      if (!entry.summary) entry.summary = markup(node);
    } else if (q.is(Ns::content, "encoded")) {
      if (!entry.content) entry.content = markup(node);
    } else if (q.is(Ns::xhtml, "body") || q.is(Ns::xhtml, "div")) {
      if (!entry.content) entry.content = non_empty(trim(serialize_children(node)));
    } else if (q.is(Ns::rss, "pubDate") || q.is(Ns::dc, "date") || q.is(Ns::dcterms, "issued") ||
               q.is(Ns::dcterms, "created")) {
      if (!entry.published) entry.published = date_of(node);
    } else if (q.is(Ns::dcterms, "modified") || q.is(Ns::rss, "lastBuildDate")) {
      if (!entry.updated) entry.updated = date_of(node);
    } else if ((rss && q.local == "author") || q.is(Ns::dc, "creator") || q.is(Ns::dc, "author") ||
               q.is(Ns::itunes, "author")) {
      add_person(entry.authors, person_from_text(text_of(node)));
    } else if (rss && q.local == "category") {
      add_category(entry.categories, text_of(node));
    } else if (q.is(Ns::dc, "subject")) {
      add_category(entry.categories, text_of(node));
    } else if (rss && q.local == "enclosure") {
      core::Enclosure enclosure;
      auto url = absolute(node, attr(node, "url"));
      if (!url) return;
      enclosure.url = *url;
      enclosure.type = non_empty(trim(attr(node, "type")));
      enclosure.length = parse_length(attr(node, "length"));
      entry.enclosures.push_back(std::move(enclosure));
    } else if (q.is(Ns::rss, "summary") || q.is(Ns::itunes, "summary") || q.is(Ns::dc, "description")) {
      if (!entry.summary) entry.summary = markup(node);
    }
  }

  const ParseOptions& options_;
  const std::vector<std::string_view>* cdata_ = nullptr;  // stand-in contents
  TreeReader tree_;
  int parse_errors_ = 0;
  core::Feed feed_;
  bool atom_root_ = false;
  std::string atom_alias_;
  bool link_is_html_ = false;
};

// ------------------------------------------------------------- JSON Feed

std::optional<std::string> json_string(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return non_empty(trim(it->get<std::string>()));
}

std::vector<core::Person> json_authors(const nlohmann::json& object, const std::string& base) {
  std::vector<core::Person> people;
  auto read = [&](const nlohmann::json& a) {
    if (!a.is_object()) return;
    core::Person p;
    p.name = json_string(a, "name");
    if (auto url = json_string(a, "url")) p.uri = core::url::resolve(base, *url).value_or(*url);
    if (p.name || p.uri) people.push_back(std::move(p));
  };
  if (auto it = object.find("authors"); it != object.end() && it->is_array())
    for (const auto& a : *it) read(a);
  if (people.empty())
    if (auto it = object.find("author"); it != object.end()) read(*it);
  return people;
}

core::Result<core::Feed> parse_json_feed(std::string_view bytes, const ParseOptions& options) {
  auto doc = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return core::Error(core::ErrorKind::not_feed, "JSON document is not a JSON Feed object");
  auto version = json_string(doc, "version");
  auto items = doc.find("items");
  bool declared = version && version->find("jsonfeed.org/version/") != std::string::npos;
  if (!declared && (items == doc.end() || !items->is_array()))
    return core::Error(core::ErrorKind::not_feed, "JSON document has neither a JSON Feed version nor items");
  core::Feed feed;
  feed.format = core::FeedFormat::json;
  if (declared) {
    auto v = version->substr(version->rfind('/') + 1);
    feed.version = v.empty() ? std::nullopt : std::optional<std::string>(v);
  }
  std::string base = options.base_url;
  auto url_of = [&](const nlohmann::json& object, const char* key) -> std::optional<std::string> {
    auto value = json_string(object, key);
    if (!value) return std::nullopt;
    if (core::url::is_absolute(*value)) return value;
    return core::url::resolve(base, *value).value_or(*value);
  };
  feed.title = json_string(doc, "title");
  feed.link = url_of(doc, "home_page_url");
  feed.self_link = url_of(doc, "feed_url");
  feed.description = json_string(doc, "description");
  feed.language = json_string(doc, "language");
  if (auto icon = url_of(doc, "icon")) feed.image = core::FeedImage{icon, std::nullopt};
  else if (auto fav = url_of(doc, "favicon")) feed.image = core::FeedImage{fav, std::nullopt};
  feed.authors = json_authors(doc, base);
  if (items != doc.end() && items->is_array()) {
    for (const auto& item : *items) {
      if (!item.is_object()) continue;
      core::Entry entry;
      if (auto id = item.find("id"); id != item.end()) {
        if (id->is_string()) entry.id = non_empty(trim(id->get<std::string>()));
        else if (id->is_number()) entry.id = id->dump();
      }
      entry.title = json_string(item, "title");
      entry.link = url_of(item, "url");
      if (!entry.link) entry.link = url_of(item, "external_url");
      entry.summary = json_string(item, "summary");
      entry.content = json_string(item, "content_html");
      if (!entry.content) entry.content = json_string(item, "content_text");
      if (auto d = json_string(item, "date_published")) entry.published = parse_date(*d, options.default_zone);
      if (auto d = json_string(item, "date_modified")) entry.updated = parse_date(*d, options.default_zone);
      entry.authors = json_authors(item, base);
      if (auto tags = item.find("tags"); tags != item.end() && tags->is_array())
        for (const auto& tag : *tags)
          if (tag.is_string() && !trim(tag.get<std::string>()).empty()) entry.categories.push_back(trim(tag.get<std::string>()));
      if (auto attachments = item.find("attachments"); attachments != item.end() && attachments->is_array()) {
        for (const auto& a : *attachments) {
          if (!a.is_object()) continue;
          auto url = url_of(a, "url");
          if (!url) continue;
          core::Enclosure enclosure;
          enclosure.url = *url;
          enclosure.type = json_string(a, "mime_type");
          if (auto size = a.find("size_in_bytes"); size != a.end() && size->is_number_integer())
            enclosure.length = size->get<std::int64_t>();
          entry.enclosures.push_back(std::move(enclosure));
        }
      }
      feed.entries.push_back(std::move(entry));
    }
  }
  return feed;
}

bool looks_like_json(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  for (char c : bytes) {
    if (core::is_c_space(c)) continue;
    return c == '{';
  }
  return false;
}

}  // namespace

core::Result<core::Feed> parse_feed(std::string_view bytes, const ParseOptions& options) {
  if (looks_like_json(bytes)) {
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    return parse_json_feed(bytes, options);
  }
  XmlFeedParser parser(options);
  return parser.parse(bytes);
}

}  // namespace newsmirror::parse
