// A small mutable HTML tree for the clean module. Gumbo parses HTML the way
// browsers do but its tree is read-only, and cleaning is all about editing:
// site rules cut nodes, the sanitizer unwraps and drops them, image
// localization rewrites attributes, the extractor moves subtrees. So gumbo's
// tree is copied once into this one, edited freely, and serialized.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace newsmirror::clean {

struct Attribute {
  std::string name;   // lower case as the HTML parser gives it ("data-src", "xlink:href")
  std::string value;  // decoded text, not HTML-escaped
};

class Node {
 public:
  enum class Kind { root, element, text, comment };

  static std::unique_ptr<Node> make_root();
  static std::unique_ptr<Node> make_element(std::string tag);
  static std::unique_ptr<Node> make_text(std::string text);
  static std::unique_ptr<Node> make_comment(std::string text);

  Kind kind = Kind::root;
  // Element: lower-case local name. Elements from SVG or MathML keep their
  // namespace as a prefix ("svg:svg", "math:mi") so that no rule written for
  // an HTML tag matches them by accident.
  std::string tag;
  std::vector<Attribute> attributes;  // elements only, in source order
  std::string text;                   // text and comment nodes: decoded text

  Node* parent() const { return parent_; }
  const std::vector<std::unique_ptr<Node>>& children() const { return children_; }

  bool is_element(std::string_view name) const { return kind == Kind::element && tag == name; }
  // The value of an attribute, or nullptr.
  const std::string* attribute(std::string_view name) const;
  void set_attribute(std::string_view name, std::string value);  // replaces or appends
  void remove_attribute(std::string_view name);
  // Whitespace-separated class list contains `name`.
  bool has_class(std::string_view name) const;

  // Tree edits. Each keeps parent pointers right and returns what the
  // caller needs to keep walking.
  Node* append_child(std::unique_ptr<Node> child);
  Node* insert_child(size_t index, std::unique_ptr<Node> child);
  // Detaches this node from its parent and hands it over.
  std::unique_ptr<Node> detach();
  // Replaces this node by its children, in place; returns the parent.
  Node* unwrap();
  size_t index_in_parent() const;  // parent must not be null

  // All text below this node, in document order (no markup).
  std::string text_content() const;

 private:
  Node* parent_ = nullptr;
  std::vector<std::unique_ptr<Node>> children_;
};

// Parses an HTML fragment as a <div>'s content would be parsed (the
// context for article bodies). The result is a root node whose children
// are the fragment's top-level nodes. Like Chromium, elements nested deeper
// than 512 levels are added to the element at that depth instead, so walks
// over the tree stay shallow whatever the input.
std::unique_ptr<Node> parse_fragment(std::string_view html);
// parse_fragment for markup serialize_children() wrote of a sanitized tree
// (the sanitizer's proof that its output is a fixed point parses it again):
// faster, as long text and attribute values are read as stand-ins there
// (TextStandIns::make_for_serialized). Any other markup is parsed as
// parse_fragment parses it, to the same tree.
std::unique_ptr<Node> parse_serialized_fragment(std::string_view html);
// The same parse with gumbo reading every character of the text, not the
// stand-ins parse_fragment gives it for long runs (clean/text_stand_ins.hpp):
// the reference that tests and the sanitizer's fuzzer hold it to.
std::unique_ptr<Node> parse_fragment_reading_all_text(std::string_view html);
// Parses a whole page; the root's single child is the <html> element.
std::unique_ptr<Node> parse_document(std::string_view html);
std::unique_ptr<Node> parse_document_reading_all_text(std::string_view html);

// HTML5 serialization of the root's (or an element's) children, as the
// HTML standard's fragment serialization algorithm describes: void elements
// have no end tag, text is escaped (& < > and U+00A0 as &nbsp;), attribute
// values are double-quoted with & " < > and U+00A0 escaped, and the contents
// of raw-text elements are written as they are. A text that starts with a
// newline inside <pre>, <textarea> or <listing> gets one more, which the
// parser drops again, so parse(serialize(tree)) gives the same tree.
std::string serialize_children(const Node& node);
// The node itself and its content (outer HTML).
std::string serialize(const Node& node);

// Whether a set of space-separated tokens, as `class` and `rel` hold them,
// contains `token` (compared as it is; never an empty token or one holding
// white space).
bool has_token(std::string_view tokens, std::string_view token);

// Depth-first, document-order visit of every node below `node` (not the node
// itself). The visitor may not detach nodes; collect them and edit after.
template <typename Visitor>
void for_each_descendant(const Node& node, Visitor&& visit) {
  for (const auto& child : node.children()) {
    const Node& descendant = *child;
    visit(descendant);
    for_each_descendant(descendant, visit);
  }
}
// The same over a mutable tree: the visitor may edit attributes and text.
template <typename Visitor>
void for_each_descendant(Node& node, Visitor&& visit) {
  for (const auto& child : node.children()) {
    Node& descendant = *child;
    visit(descendant);
    for_each_descendant(descendant, visit);
  }
}

}  // namespace newsmirror::clean
