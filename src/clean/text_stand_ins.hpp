// Long runs of non-ASCII text, handed to gumbo as short stand-ins.
//
// Gumbo reads its input one code point at a time and copies every text
// character into a buffer of its own; in a Chinese article that is most of
// the bytes, and most of the time cleaning takes. None of that work can
// change the tree: the HTML tokenizer treats every character outside ASCII
// alike in every state (it is "anything else", appended to the text,
// comment, name or value being read), and the tree builder asks only
// whether a character is ASCII white space. So a run of such characters
// parses exactly as any other run of them does, and the parse can read a
// stand-in of a few characters in its place; the original text goes back
// into the tree's strings afterwards (Node text, comments, tag and
// attribute names, attribute values — wherever the stand-in landed).
//
// The tree builder compares strings in two places: attribute names (a
// repeated one is dropped) and, for formatting elements it reopens, whole
// attribute lists. Equal runs therefore share a stand-in; and since two
// values can be equal once character references are decoded yet differ in
// their stand-ins, the parse (clean/dom.cpp) is done again without them when
// four formatting elements of one tag, one with a stand-in in its
// attributes, make that comparison possible.
//
// Only characters the parser passes through untouched are in a run: valid
// UTF-8 from U+00A0 up, never a noncharacter, a C1 control or U+FEFF. A
// stand-in is U+E000 followed by two characters from U+E100–U+E1FF that
// number the run; an input whose text could hold such a character already
// (a U+E000–U+EFFF character, or a numeric character reference to one) is
// parsed as it is. Internal to src/clean.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace newsmirror::clean {

class TextStandIns {
 public:
  // `html` with its long runs replaced, or nullopt when there is nothing
  // worth replacing or the input could already hold a stand-in. The runs
  // point into `html`, which must outlive the result.
  static std::optional<TextStandIns> make(std::string_view html);

  // The same for markup serialize_children() wrote of a sanitized tree,
  // which is parsed again to prove it a fixed point: there the tokenizer
  // never leaves its data state but for tags, every attribute value is
  // double-quoted, and a value's spelling follows from its text. So runs
  // of ASCII in text and in attribute values (long class names, URLs) get
  // stand-ins too. nullopt when `html` is not such markup (a raw-text,
  // foreign or form element, a comment, an unquoted value) or when there
  // is nothing to replace.
  static std::optional<TextStandIns> make_for_serialized(std::string_view html);

  // What the parser reads instead of the original.
  const std::string& html() const { return html_; }

  // Whether equal texts always got equal stand-ins (make_for_serialized):
  // then the parser's comparisons of attribute values see through them.
  bool canonical() const { return canonical_; }

  // `parsed` (a string of the tree parsed from html()) with every stand-in
  // in it replaced by the run it stands for.
  std::string restore(std::string_view parsed) const;

 private:
  class Builder;
  std::string html_;
  std::vector<std::string_view> runs_;
  bool canonical_ = false;
};

// The code point a numeric character reference names, from the text after
// its "&#" ("x4E2D;", "20013"): as the parser reads it, any number past
// U+10FFFF as 0x110000. nullopt when no digit follows (no reference).
std::optional<std::uint32_t> numeric_reference_value(std::string_view digits);

}  // namespace newsmirror::clean
