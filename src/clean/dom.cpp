#include "clean/dom.hpp"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cassert>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "clean/nesting_limit.hpp"
#include "clean/parse_arena.hpp"
#include "clean/text_stand_ins.hpp"
#include "core/ascii.hpp"
#include "core/utf8.hpp"

namespace newsmirror::clean {

namespace {

bool is_ascii_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

// ---------------------------------------------------------------- gumbo ---

// Chromium's HTML parser stops nesting at this depth and appends deeper
// elements to the element at the limit; doing the same keeps every later
// recursive walk (serialization, destruction) bounded for hostile input.
constexpr size_t kMaxDepth = 512;

// Gumbo's time grows with the square of the nesting depth and its clean-up
// recurses through the tree, so hostile depth is cut from the text first
// (clean/nesting_limit.hpp).
struct GumboParse {
  // The text gumbo read when nesting had to be cut: its nodes point into
  // it (original tag names), so it is declared first and outlives them,
  // and is held by pointer so that moving the parse moves no bytes.
  std::unique_ptr<const std::string> limited;
  // Long runs of text stood in for (clean/text_stand_ins.hpp): gumbo read
  // their html(), and every string copied out of its tree is restored.
  std::unique_ptr<const TextStandIns> stand_ins;
  // Holds all of gumbo's tree: freeing it frees the tree
  // (clean/parse_arena.hpp).
  std::unique_ptr<ParseArena> arena;
  const GumboOutput* output = nullptr;
};

// Gumbo 0.10.1 never sets a fragment's quirks mode: the field keeps what
// the allocator left there, and with malloc's leftovers, when they happened
// to read as quirks mode, an open <p> stayed open around a <table> — the
// same text parsed one way or the other from run to run (valgrind: "depends
// on uninitialised value"). The parse arena's memory is zeroed, which reads
// as no quirks, the mode of the pages that show articles (<!DOCTYPE html>).
// The field is read only there and never written during a fragment's
// parse, so what it holds afterwards is what the parse used; this check
// keeps that promise should the memory ever come from elsewhere.
bool used_quirks_on_a_table(const GumboOutput* output, std::string_view html) {
  if (output == nullptr || output->document == nullptr) return false;
  // Read as bytes: the garbage need not be a value of the enum.
  std::uint32_t mode = 0;
  const auto& field = output->document->v.document.doc_type_quirks_mode;
  static_assert(sizeof field == sizeof mode);
  std::memcpy(&mode, &field, sizeof mode);
  if (mode != GUMBO_DOCTYPE_QUIRKS) return false;
  for (std::size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1))
    if (core::ascii_lower(html.substr(at + 1, 5)) == "table") return true;
  return false;
}

// How gumbo reads long runs of text (clean/text_stand_ins.hpp).
enum class Reading { all_text, stand_ins, serialized_stand_ins };

std::optional<TextStandIns> stand_ins_for(std::string_view html, Reading reading) {
  switch (reading) {
    case Reading::all_text: return std::nullopt;
    case Reading::stand_ins: return TextStandIns::make(html);
    case Reading::serialized_stand_ins:
      if (auto stand_ins = TextStandIns::make_for_serialized(html)) return stand_ins;
      return TextStandIns::make(html);
  }
  return std::nullopt;
}

GumboParse parse_with_gumbo(std::string_view html, GumboOptions& options, Reading reading) {
  options.max_errors = 0;  // errors are only recorded, and we never read them
  GumboParse parse;
  if (auto limited = limit_nesting(html, kMaxDepth)) {
    parse.limited = std::make_unique<const std::string>(std::move(*limited));
    html = *parse.limited;
  }
  if (auto stand_ins = stand_ins_for(html, reading)) {
    parse.stand_ins = std::make_unique<const TextStandIns>(std::move(*stand_ins));
    html = parse.stand_ins->html();
  }
  parse.arena = std::make_unique<ParseArena>(html.size());
  options.allocator = &ParseArena::allocate_for_gumbo;
  options.deallocator = &ParseArena::deallocate_for_gumbo;
  options.userdata = parse.arena.get();
  const bool fragment = options.fragment_context != GUMBO_TAG_LAST;
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  for (int retry = 0; retry < 8 && fragment && used_quirks_on_a_table(output, html); ++retry) {
    parse.arena = std::make_unique<ParseArena>(html.size());
    options.userdata = parse.arena.get();
    output = gumbo_parse_with_options(&options, html.data(), html.size());
  }
  parse.output = output;
  return parse;
}

// A string out of gumbo's tree, with the text it stood in for.
std::string restored(std::string_view text, const TextStandIns* stand_ins) {
  return stand_ins ? stand_ins->restore(text) : std::string(text);
}

std::string tag_name_of(const GumboElement& element, const TextStandIns* stand_ins) {
  std::string name;
  if (element.tag != GUMBO_TAG_UNKNOWN) {
    name = gumbo_normalized_tagname(element.tag);
  } else {
    // Gumbo names only the tags it knows; for the rest the name is cut from
    // the source text: "<my-tag a=b>" -> "my-tag".
    GumboStringPiece piece = element.original_tag;
    gumbo_tag_from_original_text(&piece);
    size_t length = 0;
    while (length < piece.length && !is_ascii_whitespace(piece.data[length]) &&
           piece.data[length] != '/' && piece.data[length] != '>') {
      ++length;
    }
    name = restored(core::ascii_lower(std::string_view(piece.data, length)), stand_ins);
  }
  switch (element.tag_namespace) {
    case GUMBO_NAMESPACE_SVG: return "svg:" + name;
    case GUMBO_NAMESPACE_MATHML: return "math:" + name;
    case GUMBO_NAMESPACE_HTML: break;
  }
  return name;
}

std::string attribute_name_of(const GumboAttribute& attribute, const TextStandIns* stand_ins) {
  // Gumbo splits the foreign attributes "xlink:href", "xml:lang",
  // "xmlns:xlink" into a namespace and a local name; put the prefix back.
  std::string local = restored(core::ascii_lower(attribute.name), stand_ins);
  switch (attribute.attr_namespace) {
    case GUMBO_ATTR_NAMESPACE_XLINK: return "xlink:" + local;
    case GUMBO_ATTR_NAMESPACE_XML: return "xml:" + local;
    case GUMBO_ATTR_NAMESPACE_XMLNS: return local == "xmlns" ? local : "xmlns:" + local;
    case GUMBO_ATTR_NAMESPACE_NONE: break;
  }
  return local;
}

void append_text(Node& parent, std::string_view text, const TextStandIns* stand_ins) {
  // Gumbo may split a run of characters into a whitespace node and a text
  // node; one DOM text node is what a browser has.
  if (!parent.children().empty() && parent.children().back()->kind == Node::Kind::text) {
    parent.children().back()->text.append(stand_ins ? stand_ins->restore(text) : text);
    return;
  }
  parent.append_child(Node::make_text(restored(text, stand_ins)));
}

// Whether an attribute in `tag` (a start tag's text, as the parser read it)
// may decode to characters other than it spells, so that two values equal
// once decoded could differ in their stand-ins: a character reference to a
// character outside ASCII, and a NUL or a byte that is not UTF-8 (both read
// as U+FFFD). A reference to an ASCII character ("&amp;" in a URL) cannot:
// ASCII never belongs to a run.
bool may_decode_into_a_run(std::string_view tag) {
  if (tag.find('\0') != std::string_view::npos || !core::is_valid_utf8(tag)) return true;
  for (std::size_t at = tag.find('&'); at != std::string_view::npos; at = tag.find('&', at + 1)) {
    const std::string_view rest = tag.substr(at + 1);
    if (rest.empty()) continue;
    if (rest[0] == '#') {
      const auto value = numeric_reference_value(rest.substr(1));
      if (value && (*value == 0 || *value > 0x7F)) return true;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(rest[0]))) continue;  // no reference
    constexpr std::string_view kAsciiNames[] = {"amp;", "lt;", "gt;", "quot;", "apos;"};
    if (std::none_of(std::begin(kAsciiNames), std::end(kAsciiNames), [&](auto name) { return rest.starts_with(name); }))
      return true;
  }
  return false;
}

// What copying a tree read through stand-ins saw. One comparison in the
// tree builder sees through stand-ins: past three formatting elements of
// one tag with equal attributes, the earliest is forgotten ("Noah's Ark").
// Equal runs share a stand-in, but two values can be equal once decoded and
// still differ in their stand-ins ("&#x65B0;闻…" and "新闻…"). So a tree with
// four or more formatting elements of a tag, one of them with a stand-in in
// its attributes and one with an attribute that may decode into a run, is
// parsed again without. (Without the second condition, one article in ten
// was parsed twice: four links with a Chinese title are common.)
class CopyContext {
 public:
  explicit CopyContext(const TextStandIns* stand_ins) : stand_ins_(stand_ins) {}
  const TextStandIns* stand_ins() const { return stand_ins_; }

  void saw(const GumboElement& element) {
    if (stand_ins_ == nullptr || stand_ins_->canonical() || element.tag_namespace != GUMBO_NAMESPACE_HTML) return;
    const auto* formatting = std::find(std::begin(kFormatting), std::end(kFormatting), element.tag);
    if (formatting == std::end(kFormatting)) return;
    auto& tally = tallies_[static_cast<std::size_t>(formatting - std::begin(kFormatting))];
    ++tally.count;
    for (unsigned i = 0; i < element.attributes.length && !tally.stood_in; ++i) {
      const auto* attribute = static_cast<const GumboAttribute*>(element.attributes.data[i]);
      tally.stood_in = std::strchr(attribute->value, '\xEE') != nullptr || std::strchr(attribute->name, '\xEE') != nullptr;
    }
    if (!tally.decodes)
      tally.decodes = may_decode_into_a_run({element.original_tag.data, element.original_tag.length});
  }

  bool needs_plain_parse() const {
    return std::any_of(tallies_.begin(), tallies_.end(),
                       [](const Tally& t) { return t.stood_in && t.decodes && t.count >= 4; });
  }

 private:
  static constexpr GumboTag kFormatting[] = {GUMBO_TAG_A,     GUMBO_TAG_B,      GUMBO_TAG_BIG,    GUMBO_TAG_CODE,
                                             GUMBO_TAG_EM,    GUMBO_TAG_FONT,   GUMBO_TAG_I,      GUMBO_TAG_NOBR,
                                             GUMBO_TAG_S,     GUMBO_TAG_SMALL,  GUMBO_TAG_STRIKE, GUMBO_TAG_STRONG,
                                             GUMBO_TAG_TT,    GUMBO_TAG_U};
  struct Tally {
    unsigned count = 0;
    bool stood_in = false;  // one of them has a stand-in in its attributes
    bool decodes = false;   // one of them has an attribute that may decode into a run
  };
  const TextStandIns* stand_ins_;
  std::array<Tally, std::size(kFormatting)> tallies_{};
};

std::unique_ptr<Node> copy_element(const GumboElement& element, CopyContext& context) {
  context.saw(element);
  const TextStandIns* stand_ins = context.stand_ins();
  auto copy = Node::make_element(tag_name_of(element, stand_ins));
  for (unsigned i = 0; i < element.attributes.length; ++i) {
    const auto* attribute = static_cast<const GumboAttribute*>(element.attributes.data[i]);
    copy->attributes.push_back({attribute_name_of(*attribute, stand_ins), restored(attribute->value, stand_ins)});
  }
  return copy;
}

// Copies gumbo's nodes into `target` with a stack of its own rather than
// recursion, so no input can exhaust the call stack.
void copy_children(const GumboVector& children, Node& target, size_t depth, CopyContext& context) {
  const TextStandIns* stand_ins = context.stand_ins();
  struct Level {
    const GumboVector* children;
    unsigned next;
    Node* target;
    size_t depth;
  };
  std::vector<Level> levels{{&children, 0, &target, depth}};
  while (!levels.empty()) {
    Level& level = levels.back();
    if (level.next == level.children->length) {
      levels.pop_back();
      continue;
    }
    const auto& source = *static_cast<const GumboNode*>(level.children->data[level.next++]);
    Node& into = *level.target;
    const size_t at_depth = level.depth;
    switch (source.type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        append_text(into, source.v.text.text, stand_ins);
        break;
      case GUMBO_NODE_COMMENT:
        into.append_child(Node::make_comment(restored(source.v.text.text, stand_ins)));
        break;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        Node* added = into.append_child(copy_element(source.v.element, context));
        // Too deep: the element becomes a sibling of its would-be children.
        if (at_depth >= kMaxDepth) levels.push_back({&source.v.element.children, 0, &into, at_depth});
        else levels.push_back({&source.v.element.children, 0, added, at_depth + 1});
        break;
      }
      case GUMBO_NODE_DOCUMENT:
        levels.push_back({&source.v.document.children, 0, &into, at_depth});
        break;
    }
  }
}

// ------------------------------------------------------------ serialize ---

bool is_foreign(std::string_view tag) {
  return tag.starts_with("svg:") || tag.starts_with("math:");
}

std::string_view local_name(std::string_view tag) {
  const size_t colon = tag.find(':');
  return is_foreign(tag) ? tag.substr(colon + 1) : tag;
}

bool is_void_element(std::string_view tag) {
  static constexpr std::string_view kVoid[] = {
      "area", "base", "basefont", "bgsound", "br",    "col",   "embed",  "frame", "hr",
      "img",  "input", "keygen",  "link",    "meta", "param", "source", "track", "wbr"};
  return std::find(std::begin(kVoid), std::end(kVoid), tag) != std::end(kVoid);
}

// Text inside these HTML elements is not parsed for markup, so it is written
// as it is. <noscript> is not among them: gumbo parses as a browser with
// scripting disabled, and the tree is serialized the way it was parsed.
bool holds_raw_text(const Node* parent) {
  if (parent == nullptr || parent->kind != Node::Kind::element) return false;
  static constexpr std::string_view kRaw[] = {"style",   "script",   "xmp",      "iframe",
                                              "noembed", "noframes", "plaintext"};
  return std::find(std::begin(kRaw), std::end(kRaw), parent->tag) != std::end(kRaw);
}

// Whether a byte may need escaping: & < > ", and the first byte of U+00A0.
constexpr std::array<bool, 256> kMayEscape = [] {
  std::array<bool, 256> may{};
  for (unsigned char c : {'&', '<', '>', '"', '\xC2'}) may[c] = true;
  return may;
}();

void append_escaped(std::string& out, std::string_view text, bool in_attribute) {
  std::size_t plain = 0;  // text before this is in `out`
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!kMayEscape[static_cast<unsigned char>(text[i])]) continue;
    std::string_view escaped;
    std::size_t length = 1;
    switch (text[i]) {
      case '&': escaped = "&amp;"; break;
      // < and > are escaped in attribute values too (as the HTML standard
      // does since 2025): a value then never looks like markup to a parser
      // that sees it in another context.
      case '<': escaped = "&lt;"; break;
      case '>': escaped = "&gt;"; break;
      case '"':
        if (in_attribute) escaped = "&quot;";
        break;
      default:  // '\xC2'
        if (i + 1 < text.size() && text[i + 1] == '\xA0') {
          escaped = "&nbsp;";
          length = 2;
        }
    }
    if (escaped.empty()) continue;
    out.append(text.substr(plain, i - plain));
    out.append(escaped);
    i += length - 1;
    plain = i + 1;
  }
  out.append(text.substr(plain));
}

void serialize_into(std::string& out, const Node& node);

void serialize_children_into(std::string& out, const Node& node) {
  for (const auto& child : node.children()) serialize_into(out, *child);
}

void serialize_into(std::string& out, const Node& node) {
  switch (node.kind) {
    case Node::Kind::root:
      serialize_children_into(out, node);
      return;
    case Node::Kind::text:
      if (holds_raw_text(node.parent())) {
        out += node.text;
      } else {
        append_escaped(out, node.text, false);
      }
      return;
    case Node::Kind::comment:
      out += "<!--";
      out += node.text;
      out += "-->";
      return;
    case Node::Kind::element: break;
  }
  const std::string_view name = local_name(node.tag);
  out += '<';
  out += name;
  for (const auto& attribute : node.attributes) {
    out += ' ';
    out += attribute.name;
    out += "=\"";
    append_escaped(out, attribute.value, true);
    out += '"';
  }
  out += '>';
  const bool html = !is_foreign(node.tag);
  if (html && is_void_element(name)) return;
  // The parser drops one newline right after these start tags, so a text
  // that starts with one needs another in front to survive a round trip.
  if (html && (name == "pre" || name == "textarea" || name == "listing") &&
      !node.children().empty() && node.children().front()->kind == Node::Kind::text &&
      node.children().front()->text.starts_with('\n')) {
    out += '\n';
  }
  serialize_children_into(out, node);
  out += "</";
  out += name;
  out += '>';
}

}  // namespace

// ----------------------------------------------------------------- Node ---

std::unique_ptr<Node> Node::make_root() {
  auto node = std::make_unique<Node>();
  node->kind = Kind::root;
  return node;
}

std::unique_ptr<Node> Node::make_element(std::string tag) {
  auto node = std::make_unique<Node>();
  node->kind = Kind::element;
  node->tag = std::move(tag);
  return node;
}

std::unique_ptr<Node> Node::make_text(std::string text) {
  auto node = std::make_unique<Node>();
  node->kind = Kind::text;
  node->text = std::move(text);
  return node;
}

std::unique_ptr<Node> Node::make_comment(std::string text) {
  auto node = std::make_unique<Node>();
  node->kind = Kind::comment;
  node->text = std::move(text);
  return node;
}

const std::string* Node::attribute(std::string_view name) const {
  for (const auto& attribute : attributes) {
    if (attribute.name == name) return &attribute.value;
  }
  return nullptr;
}

void Node::set_attribute(std::string_view name, std::string value) {
  for (auto& attribute : attributes) {
    if (attribute.name == name) {
      attribute.value = std::move(value);
      return;
    }
  }
  attributes.push_back({std::string(name), std::move(value)});
}

void Node::remove_attribute(std::string_view name) {
  std::erase_if(attributes, [&](const Attribute& attribute) { return attribute.name == name; });
}

bool has_token(std::string_view tokens, std::string_view token) {
  if (token.empty() || std::any_of(token.begin(), token.end(), is_ascii_whitespace)) return false;
  size_t at = 0;
  while (at < tokens.size()) {
    while (at < tokens.size() && is_ascii_whitespace(tokens[at])) ++at;
    size_t end = at;
    while (end < tokens.size() && !is_ascii_whitespace(tokens[end])) ++end;
    if (end > at && tokens.substr(at, end - at) == token) return true;
    at = end;
  }
  return false;
}

bool Node::has_class(std::string_view name) const {
  const std::string* classes = attribute("class");
  return classes != nullptr && has_token(*classes, name);
}

Node* Node::append_child(std::unique_ptr<Node> child) {
  return insert_child(children_.size(), std::move(child));
}

Node* Node::insert_child(size_t index, std::unique_ptr<Node> child) {
  assert(child && child->parent_ == nullptr);
  child->parent_ = this;
  index = std::min(index, children_.size());
  return children_.insert(children_.begin() + static_cast<std::ptrdiff_t>(index),
                          std::move(child))
      ->get();
}

std::unique_ptr<Node> Node::detach() {
  assert(parent_ != nullptr);
  auto& siblings = parent_->children_;
  const auto at = siblings.begin() + static_cast<std::ptrdiff_t>(index_in_parent());
  std::unique_ptr<Node> self = std::move(*at);
  siblings.erase(at);
  parent_ = nullptr;
  return self;
}

Node* Node::unwrap() {
  Node* parent = parent_;
  assert(parent != nullptr);
  size_t index = index_in_parent();
  std::unique_ptr<Node> self = detach();
  for (auto& child : self->children_) {
    child->parent_ = nullptr;
    parent->insert_child(index++, std::move(child));
  }
  self->children_.clear();
  return parent;
}

size_t Node::index_in_parent() const {
  assert(parent_ != nullptr);
  const auto& siblings = parent_->children_;
  for (size_t i = 0; i < siblings.size(); ++i) {
    if (siblings[i].get() == this) return i;
  }
  assert(false && "a node is always among its parent's children");
  return siblings.size();
}

std::string Node::text_content() const {
  if (kind == Kind::text) return text;
  std::string out;
  for_each_descendant(*this, [&](const Node& node) {
    if (node.kind == Kind::text) out += node.text;
  });
  return out;
}

// -------------------------------------------------------------- parsing ---

namespace {

std::unique_ptr<Node> fragment_of(std::string_view html, Reading reading) {
  GumboOptions options = kGumboDefaultOptions;
  options.fragment_context = GUMBO_TAG_DIV;
  options.fragment_namespace = GUMBO_NAMESPACE_HTML;
  const GumboParse parse = parse_with_gumbo(html, options, reading);
  const GumboOutput* output = parse.output;
  auto root = Node::make_root();
  CopyContext context(parse.stand_ins.get());
  // For a fragment, gumbo's <html> root stands for the context element.
  if (output && output->root != nullptr && output->root->type == GUMBO_NODE_ELEMENT) {
    copy_children(output->root->v.element.children, *root, 1, context);
  }
  if (context.needs_plain_parse()) return fragment_of(html, Reading::all_text);
  return root;
}

}  // namespace

std::unique_ptr<Node> parse_fragment(std::string_view html) { return fragment_of(html, Reading::stand_ins); }

std::unique_ptr<Node> parse_serialized_fragment(std::string_view html) {
  return fragment_of(html, Reading::serialized_stand_ins);
}

std::unique_ptr<Node> parse_fragment_reading_all_text(std::string_view html) {
  return fragment_of(html, Reading::all_text);
}

namespace {

std::unique_ptr<Node> document_of(std::string_view html, Reading reading) {
  GumboOptions options = kGumboDefaultOptions;
  const GumboParse parse = parse_with_gumbo(html, options, reading);
  const GumboOutput* output = parse.output;
  auto root = Node::make_root();
  CopyContext context(parse.stand_ins.get());
  if (output && output->root != nullptr) {
    GumboNode* document = output->root;
    GumboVector only_root{reinterpret_cast<void**>(&document), 1, 1};
    copy_children(only_root, *root, 1, context);
  }
  if (context.needs_plain_parse()) return document_of(html, Reading::all_text);
  return root;
}

}  // namespace

std::unique_ptr<Node> parse_document(std::string_view html) { return document_of(html, Reading::stand_ins); }

std::unique_ptr<Node> parse_document_reading_all_text(std::string_view html) {
  return document_of(html, Reading::all_text);
}

std::string serialize_children(const Node& node) {
  std::string out;
  serialize_children_into(out, node);
  return out;
}

std::string serialize(const Node& node) {
  std::string out;
  serialize_into(out, node);
  return out;
}

}  // namespace newsmirror::clean
