// The pass that readies a feed's text for libxml2. Feeds are XML written by
// people who think in HTML: they use HTML entities (&nbsp; &mdash;), bare
// ampersands and a DOCTYPE that points at a DTD we must never load.
// prepare_xml, outside CDATA sections and comments, turns known HTML
// entities into their characters, escapes every other stray '&', drops the
// DOCTYPE and the XML declaration (the text is UTF-8 by now, and a stale
// encoding label would mislead libxml2), and charges internal-subset
// entities against an expansion budget.
//
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
//
// Internal to src/parse: the XML feed parser and its tree reader.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace newsmirror::parse {

inline constexpr std::string_view kStandInOpen = "\xEF\xB7\x90";
inline constexpr std::string_view kStandInClose = "\xEF\xB7\x91";

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

// Whether `text` holds U+FDD0, the opening of a stand-in.
bool holds_stand_in_open(std::string_view text);

// The text libxml2 gets for the feed text `in`. `stand_ins`, if given,
// receives the values replaced by stand-ins; the caller has made sure `in`
// holds no U+FDD0 (holds_stand_in_open). A document whose entities would
// expand past five times its size and 1 MiB is ErrorKind::too_large.
core::Result<std::string> prepare_xml(std::string_view in, StandIns* stand_ins = nullptr);

}  // namespace newsmirror::parse
