// Text and markup of the feed's libxml2 tree, read through the stand-ins
// of xml_preparation.hpp. Internal to src/parse (it includes libxml2's
// headers).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parse/xml_nodes.hpp"

namespace newsmirror::parse {

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
  // With `verify`, every element dump_node writes is written again by
  // libxml2 and the two compared (slow: ParseOptions::verify_serialization);
  // the first difference is kept in mismatch().
  explicit TreeReader(const std::vector<std::string_view>* values = nullptr, bool verify = false)
      : values_(values), verify_(verify) {}

  const std::optional<std::string>& mismatch() const { return mismatch_; }

  std::string text_of(const xmlNode* node) const;

  // The value of an element that may carry markup: escaped HTML or CDATA give
  // their text, inline XHTML its serialization (without Atom's wrapper div),
  // Atom 0.3 base64 its decoded bytes.
  std::string markup_of(const xmlNode* node) const;

  // Markup of the children of `node`, as XML serializes them.
  std::string serialize_children(const xmlNode* node) const;

 private:
  static std::string_view chars(const xmlChar* s) {
    return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
  }

  // The stand-in at the start of `text` (U+FDD0, digits, U+FDD1): its
  // length, with its value's index in `index`; 0 if `text` starts otherwise.
  std::size_t stand_in_at(std::string_view text, std::size_t& index) const;

  // Appends `content` to `out` with its stand-ins replaced by their values.
  void append_resolved(std::string& out, std::string_view content) const;

  // The content of text or CDATA node `c` as libxml2 would hold it without
  // stand-ins: a view of the node, of a value, or of `scratch`.
  std::string_view content_of(const xmlNode* c, std::string& scratch) const;

  // What xmlNodeGetContent gives for an element: the text and CDATA of
  // every descendant, in document order.
  std::string content_of_subtree(const xmlNode* node) const;
  // False on a node whose content only libxml2 knows how to read (an entity
  // reference).
  bool append_subtree_text(const xmlNode* node, std::string& out) const;

  // Puts the values of stand-ins back into the text and CDATA nodes of
  // `node` (itself and its descendants), for libxml2 to read.
  void restore_in_place(xmlNode* node) const;

  // Appends `node` as xmlNodeDump(doc, node, 0, 0) writes it, for the common
  // subset: elements with plain attributes and namespace declarations, and
  // text. False, with `out` part-written, for anything else (comments,
  // CDATA, references...), which is left to
  // libxml2: the hand-written path only saves time, never changes output.
  bool dump_node(const xmlNode* node, std::string& out, int depth = 0) const;

  // Compares what dump_node wrote for `node` with xmlNodeDump's.
  void verify_dump(const xmlNode* node, std::string_view written, std::unique_ptr<xmlBuffer, BufferDeleter>& buffer) const;

  const std::vector<std::string_view>* values_;
  bool verify_ = false;
  mutable std::optional<std::string> mismatch_;
  mutable std::string scratch_;  // for content_of, used before the next call
};

}  // namespace newsmirror::parse
