#include "parse/xml_preparation.hpp"

#include <libxml/HTMLparser.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "core/ascii.hpp"
#include "core/utf8.hpp"
#include "parse/byte_scan.hpp"
#include "parse/encoding.hpp"

namespace newsmirror::parse {

namespace {

using namespace byte_scan;

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

bool legal_xml_char(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

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

// Shorter text costs libxml2 less than a stand-in and its restoring.
constexpr std::size_t kMinTextStandIn = 32;
constexpr std::size_t kMaxStandIn = 1u << 20;


// Content the push parser hands over byte for byte, with no error: only
// XML Chars (the text is valid UTF-8 here, so controls, U+FFFE and U+FFFF
// remain to exclude), no CR (line ends are left as they are in push mode,
// normalized by the tree parser).
// Whether the byte at `p` keeps the content plain.
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

}  // namespace

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

namespace {

// Text up to `lt` (the next '<') with its references prepared; returns
// where it stopped.
std::size_t copy_text(std::string_view in, std::size_t i, std::size_t lt, const DeclaredEntities& declared,
                      ExpansionBudget& budget, std::string& out, bool after_tag) {
  while (true) {
    const std::size_t stop = find_before(in, '&', i, lt);
    out.append(in.data() + i, stop - i);
    i = stop;
    if (i >= lt) return i;
    i = append_reference(in, i, declared, budget, out, after_tag);
  }
}

// A CDATA section, comment or processing instruction at in[i] (`close` is
// what ends it), copied or, for CDATA, given to a stand-in; returns where
// it ends.
std::size_t copy_section(std::string_view in, std::size_t i, std::string_view close, StandIns* stand_ins,
                         std::string& out) {
  const auto end = in.find(close, i + 2);
  const std::size_t stop = end == std::string_view::npos ? in.size() : end + close.size();
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
  return stop;
}

// The DOCTYPE at in[i], dropped: its internal-subset entities go to
// `declared`. Returns where it ends (past the '>' that closes it, outside
// the subset's brackets).
std::size_t skip_doctype(std::string_view in, std::size_t i, DeclaredEntities& declared) {
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
  return j + 1;
}

// A tag at in[i], to its '>' outside quoted attribute values. References
// are prepared as in text; a '<' before the end is damage, left to the
// caller. `after_tag` says whether the tag was closed.
std::size_t copy_tag(std::string_view in, std::size_t i, const DeclaredEntities& declared, ExpansionBudget& budget,
                     std::string& out, bool& after_tag) {
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
    if (i >= in.size() || in[i] == '<') return i;
    const char c = in[i];
    if (c == '&') {
      i = append_reference(in, i, declared, budget, out);
      continue;
    }
    out.push_back(c);
    ++i;
    if (c == '>' && !quote) {
      after_tag = true;
      return i;
    }
    if (c == '"' || c == '\'') quote = quote == c ? 0 : quote ? quote : c;
  }
  return i;
}

}  // namespace

core::Result<std::string> prepare_xml(std::string_view in, StandIns* stand_ins) {
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
    // A run of text up to the next '<'. A reference never reaches past the
    // '<' (no name or digit holds one).
    const std::size_t lt = find_before(in, '<', i, in.size());
    if (lt < in.size() && stand_ins && after_tag && stand_in_text(in, i, lt, declared, out, *stand_ins)) {
      i = lt;
    } else {
      i = copy_text(in, i, lt, declared, budget, out, after_tag);
      if (i >= in.size()) break;
    }
    const std::string_view rest = in.substr(i);
    std::string_view close;
    if (rest.starts_with("<![CDATA[")) close = "]]>";
    else if (rest.starts_with("<!--")) close = "-->";
    else if (rest.starts_with("<?")) close = "?>";
    if (!close.empty()) {
      i = copy_section(in, i, close, stand_ins, out);
    } else if (rest.size() >= 9 && rest[1] == '!' && core::ascii_lower(rest.substr(0, 9)) == "<!doctype") {
      i = skip_doctype(in, i, declared);
      after_tag = false;
    } else {
      i = copy_tag(in, i, declared, budget, out, after_tag);
    }
  }
  if (budget.exceeded)
    return core::Error(core::ErrorKind::too_large,
                       "the feed's DOCTYPE declares entities whose references would expand it past " +
                           std::to_string(budget.limit) + " bytes (" + std::to_string(ExpansionBudget::kFactor) +
                           " times its size and 1 MiB): refused as an entity-expansion bomb");
  return out;
}

}  // namespace newsmirror::parse
