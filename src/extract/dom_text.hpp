// Small read helpers over the clean module's tree, shared by the
// extractor's metadata reader and its content scorer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clean/dom.hpp"

namespace newsmirror::extract {

using clean::Node;

// Text as a reader sees it: trimmed, every run of white space one space.
std::string inner_text(const Node& node);
// Collapses white space runs to one space and trims the ends.
std::string collapse_spaces(std::string_view text);
// Unicode code points in UTF-8 text: thresholds are in characters, so a
// Chinese paragraph is not three times "longer" than an English one.
size_t char_count(std::string_view utf8);

// The attribute's value, or "" when absent.
std::string_view attr(const Node& node, std::string_view name);
// class and id joined, the string the class/id hints are matched against.
std::string class_and_id(const Node& node);

std::vector<Node*> element_children(const Node& node);
// Every element below `node` whose tag is one of `tags`, in document order.
std::vector<Node*> descendants_by_tag(const Node& node, std::initializer_list<std::string_view> tags);
// True when an ancestor within `max_depth` levels (0: unlimited) is `tag`.
bool has_ancestor_tag(const Node& node, std::string_view tag, int max_depth = 3);

// The <html>, <head> and <body> elements of a parsed document (nullptr if absent).
Node* html_element(const Node& document);
Node* child_by_tag(const Node& parent, std::string_view tag);

// What relative links of the page resolve against: its first <base href>
// (itself resolved against `page_url`), else `page_url`.
std::string base_url_of(const Node& document, std::string_view page_url);

// Resolves the few entities that pages double-encode inside meta
// attributes and JSON-LD (&amp; &quot; &#39; &#x2019; ...).
std::string unescape_entities(std::string_view text);

}  // namespace newsmirror::extract
