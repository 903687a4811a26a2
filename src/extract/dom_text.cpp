#include "extract/dom_text.hpp"

#include "core/ascii.hpp"
#include "core/url.hpp"
#include "core/utf8.hpp"

#include <algorithm>

namespace newsmirror::extract {

namespace {

void append_text(const Node& node, std::string& out) {
  for (const auto& child : node.children()) {
    if (child->kind == Node::Kind::text)
      out += child->text;
    else if (child->kind == Node::Kind::element)
      append_text(*child, out);
  }
}

void collect_by_tag(const Node& node, std::initializer_list<std::string_view> tags, std::vector<Node*>& out) {
  for (const auto& child : node.children()) {
    if (child->kind != Node::Kind::element) continue;
    if (std::find(tags.begin(), tags.end(), child->tag) != tags.end()) out.push_back(child.get());
    collect_by_tag(*child, tags, out);
  }
}

}  // namespace

// Bytes of the Unicode white space at `at` (no-break, ideographic, en/em
// spaces, line separators, BOM...), 0 if none: the thresholds count text as
// a browser's text length does, where those are white space too.
static size_t unicode_space_length(std::string_view text, size_t at) {
  auto byte = [&](size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0; };
  unsigned char b0 = byte(at), b1 = byte(at + 1), b2 = byte(at + 2);
  if (b0 == 0xC2 && b1 == 0xA0) return 2;                                      // U+00A0
  if (b0 == 0xE1 && b1 == 0x9A && b2 == 0x80) return 3;                        // U+1680
  if (b0 == 0xE2 && b1 == 0x80 && (b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) return 3;  // U+2000-200A, 2028, 2029, 202F
  if (b0 == 0xE2 && b1 == 0x81 && b2 == 0x9F) return 3;                        // U+205F
  if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) return 3;                        // U+3000
  if (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF) return 3;                        // U+FEFF
  return 0;
}

std::string collapse_spaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (size_t i = 0; i < text.size();) {
    size_t space = core::is_c_space(text[i]) ? 1 : unicode_space_length(text, i);
    if (space) {
      pending_space = !out.empty();
      i += space;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += text[i++];
  }
  return out;
}

std::string inner_text(const Node& node) {
  std::string raw;
  if (node.kind == Node::Kind::text) return collapse_spaces(node.text);
  append_text(node, raw);
  return collapse_spaces(raw);
}

size_t char_count(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  return count;
}

std::string_view attr(const Node& node, std::string_view name) {
  const std::string* value = node.attribute(name);
  return value ? std::string_view(*value) : std::string_view();
}

std::string class_and_id(const Node& node) {
  std::string out(attr(node, "class"));
  out += ' ';
  out += attr(node, "id");
  return out;
}

std::vector<Node*> element_children(const Node& node) {
  std::vector<Node*> out;
  for (const auto& child : node.children())
    if (child->kind == Node::Kind::element) out.push_back(child.get());
  return out;
}

std::vector<Node*> descendants_by_tag(const Node& node, std::initializer_list<std::string_view> tags) {
  std::vector<Node*> out;
  collect_by_tag(node, tags, out);
  return out;
}

bool has_ancestor_tag(const Node& node, std::string_view tag, int max_depth) {
  int depth = 0;
  for (const Node* up = node.parent(); up; up = up->parent()) {
    if (max_depth > 0 && depth >= max_depth) return false;
    if (up->kind == Node::Kind::element && up->tag == tag) return true;
    ++depth;
  }
  return false;
}

Node* child_by_tag(const Node& parent, std::string_view tag) {
  for (const auto& child : parent.children())
    if (child->is_element(tag)) return child.get();
  return nullptr;
}

Node* html_element(const Node& document) { return child_by_tag(document, "html"); }

std::string unescape_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '&') {
      out += text[i++];
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += text[i++];
      continue;
    }
    std::string_view name = text.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    bool known = true;
    if (name == "amp") cp = '&';
    else if (name == "quot") cp = '"';
    else if (name == "apos") cp = '\'';
    else if (name == "lt") cp = '<';
    else if (name == "gt") cp = '>';
    else if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string digits(name.substr(hex ? 2 : 1));
      if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") != std::string::npos) {
        known = false;
      } else {
        unsigned long value = std::stoul(digits, nullptr, hex ? 16 : 10);
        cp = (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) ? 0xFFFD : static_cast<uint32_t>(value);
      }
    } else {
      known = false;
    }
    if (!known) {
      out += text[i++];
      continue;
    }
    core::append_utf8(out, cp);
    i = semi + 1;
  }
  return out;
}

std::string base_url_of(const Node& document, std::string_view page_url) {
  std::string base(page_url);
  for_each_descendant(document, [&](const Node& n) {
    if (base != page_url || !n.is_element("base")) return;
    std::string_view href = attr(n, "href");
    if (href.empty()) return;
    if (auto resolved = core::url::resolve(page_url, href)) base = *resolved;
  });
  return base;
}

}  // namespace newsmirror::extract
