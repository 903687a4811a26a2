// The libxml2 side of the XML feed parser: owners of libxml2's objects,
// the namespaces it understands, qualified names and attributes.
// Internal to src/parse (it includes libxml2's headers).
#pragma once

#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include <memory>
#include <string>
#include <string_view>

namespace newsmirror::parse {

struct ReaderDeleter {
  void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};
struct BufferDeleter {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};
struct XmlCharDeleter {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
using XmlString = std::unique_ptr<xmlChar, XmlCharDeleter>;

inline std::string to_string(const xmlChar* s) { return s ? std::string(reinterpret_cast<const char*>(s)) : std::string(); }
inline std::string take(xmlChar* s) {
  XmlString owned(s);
  return to_string(owned.get());
}

// Namespaces the parser understands. Several URIs map to one kind because
// feeds in the wild use the historical ones.
enum class Ns { rss, atom10, atom03, rdf, dc, dcterms, content, itunes, media, xhtml, xml, other };

// The kind of a namespace URI, compared without regard to ASCII case.
Ns ns_from_uri(std::string_view uri);
// An undeclared prefix leaves libxml2 with no namespace and a name like
// "dc:date"; the usual prefixes are recognized anyway.
Ns ns_from_prefix(std::string_view prefix);

// `local` views the node's name: a QName lives no longer than its node.
struct QName {
  Ns ns = Ns::other;
  std::string_view local;
  bool is(Ns n, std::string_view l) const { return ns == n && local == l; }
  bool is_atom(std::string_view l) const { return (ns == Ns::atom10 || ns == Ns::atom03) && local == l; }
};

// `atom_alias` is the namespace of an Atom 0.3 root in a namespace of its
// own (pre-release Atom drafts): its elements count as Atom.
inline QName qname(const xmlNode* node, std::string_view atom_alias = {}) {
  QName q;
  std::string_view name = node->name ? std::string_view(reinterpret_cast<const char*>(node->name)) : std::string_view();
  if (node->ns && node->ns->href) {
    std::string_view href(reinterpret_cast<const char*>(node->ns->href));
    q.ns = !atom_alias.empty() && href == atom_alias ? Ns::atom03 : ns_from_uri(href);
    q.local = name;
  } else if (auto colon = name.find(':'); colon != std::string_view::npos) {
    q.ns = ns_from_prefix(name.substr(0, colon));
    q.local = name.substr(colon + 1);
  } else {
    q.ns = Ns::rss;
    q.local = name;
  }
  return q;
}

inline std::string attr(const xmlNode* node, const char* name) {
  return take(xmlGetProp(node, reinterpret_cast<const xmlChar*>(name)));
}
inline bool has_attr(const xmlNode* node, const char* name) {
  return xmlHasProp(node, reinterpret_cast<const xmlChar*>(name)) != nullptr;
}

inline bool has_element_child(const xmlNode* node) {
  for (const xmlNode* c = node->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

}  // namespace newsmirror::parse
