#include "parse/xml_tree_reader.hpp"

#include <libxml/parserInternals.h>

#include <cstdint>
#include <cstdio>

#include "core/ascii.hpp"
#include "parse/byte_scan.hpp"
#include "parse/feed_text.hpp"
#include "parse/xml_preparation.hpp"

namespace newsmirror::parse {

namespace {

using namespace byte_scan;
using feed_text::trim;

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

}  // namespace

std::string TreeReader::text_of(const xmlNode* node) const {
  // One text or CDATA child, the usual case, is its own content.
  const xmlNode* child = node->type == XML_ELEMENT_NODE ? node->children : nullptr;
  if (child && !child->next && (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE))
    return trim(content_of(child, scratch_));
  return trim(content_of_subtree(node));
}

std::string TreeReader::markup_of(const xmlNode* node) const {
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

std::string TreeReader::serialize_children(const xmlNode* node) const {
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
      if (verify_) verify_dump(c, std::string_view(out).substr(start), buffer);
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

std::size_t TreeReader::stand_in_at(std::string_view text, std::size_t& index) const {
  if (!text.starts_with(kStandInOpen)) return 0;
  std::size_t digits = kStandInOpen.size(), j = digits;
  index = 0;
  while (j < text.size() && j - digits < 10 && text[j] >= '0' && text[j] <= '9')
    index = index * 10 + static_cast<std::size_t>(text[j++] - '0');
  if (j == digits || !text.substr(j).starts_with(kStandInClose) || index >= values_->size()) return 0;
  return j + kStandInClose.size();
}

void TreeReader::append_resolved(std::string& out, std::string_view content) const {
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

std::string_view TreeReader::content_of(const xmlNode* c, std::string& scratch) const {
  std::string_view content = chars(c->content);
  if (!values_ || content.find(kStandInOpen) == std::string_view::npos) return content;
  std::size_t index;
  if (std::size_t length = stand_in_at(content, index); length == content.size()) return (*values_)[index];
  scratch.clear();
  append_resolved(scratch, content);
  return scratch;
}

std::string TreeReader::content_of_subtree(const xmlNode* node) const {
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

bool TreeReader::append_subtree_text(const xmlNode* node, std::string& out) const {
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

void TreeReader::restore_in_place(xmlNode* node) const {
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

bool TreeReader::dump_node(const xmlNode* node, std::string& out, int depth) const {
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

void TreeReader::verify_dump(const xmlNode* node, std::string_view written,
                             std::unique_ptr<xmlBuffer, BufferDeleter>& buffer) const {
  if (mismatch_) return;
  if (!buffer) buffer.reset(xmlBufferCreate());
  if (!buffer) return;
  restore_in_place(const_cast<xmlNode*>(node));
  xmlBufferEmpty(buffer.get());
  xmlNodeDump(buffer.get(), node->doc, const_cast<xmlNode*>(node), 0, 0);
  const std::string_view expected(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
                                  static_cast<std::size_t>(xmlBufferLength(buffer.get())));
  if (written != expected)
    mismatch_ = "the parser's serialization of an element differs from libxml2's:\n  ours:    " + std::string(written) +
                "\n  libxml2: " + std::string(expected);
}

}  // namespace newsmirror::parse
