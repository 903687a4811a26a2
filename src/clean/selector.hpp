// CSS selectors over clean::Node, for site rules (`remove`, `keep`).
//
// Grammar (a subset of Selectors Level 4; white space is ASCII space, tab,
// line feed, carriage return, form feed):
//
//   list       = complex *( "," complex )
//   complex    = compound *( combinator compound )
//   combinator = ws+ | ws* ( ">" | "+" | "~" ) ws*     ; descendant, child,
//                                                        ; next sibling, later sibling
//   compound   = [ type | "*" ] *( "#" name | "." name | attribute | pseudo )
//                                                      ; at least one part
//   attribute  = "[" ws* name ws* [ op ws* value ws* ] "]"
//   op         = "=" | "~=" | "|=" | "^=" | "$=" | "*="
//   value      = name | '"' *char '"' | "'" *char "'"
//   pseudo     = ":not(" list ")"            ; none of the list matches
//              | ":has(" relative *( "," relative ) ")"
//              | ":first-child" | ":last-child" | ":only-child" | ":empty"
//   relative   = [ ">" | "+" | "~" ] complex   ; anchored at the element tested
//   name       = 1*( ALPHA | DIGIT | "-" | "_" | non-ASCII ), not starting
//                with a digit or "-" DIGIT
//
// Tag and attribute names match case-insensitively (the parser lower-cases
// them, as HTML does); classes, ids and attribute values match exactly.
// Backslash escapes are rejected with a clear error rather than half
// supported. Elements only: text and comments never match.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clean/dom.hpp"
#include "core/result.hpp"

namespace newsmirror::clean {

// A parsed selector list. Cheap to copy (the parsed form is shared and
// immutable), so one compiled selector may be used from several threads.
class Selector {
 public:
  struct Parsed;

  // True when `node` is an element matched by any selector of the list.
  bool matches(const Node& node) const;
  // The text it was parsed from.
  const std::string& text() const;

 private:
  friend core::Result<Selector> parse_selector(std::string_view text);
  explicit Selector(std::shared_ptr<const Parsed> parsed) : parsed_(std::move(parsed)) {}
  std::shared_ptr<const Parsed> parsed_;
};

// Errors are ErrorKind::parse and name the selector and a 1-based column:
//   selector ".a >": expected a selector after '>' at column 5
core::Result<Selector> parse_selector(std::string_view text);

// Every element below `root` (not `root` itself) that matches, in document
// order. The pointers stay valid until the tree is edited.
std::vector<Node*> select_all(Node& root, const Selector& selector);

}  // namespace newsmirror::clean
