#include "parse/minimal_clean.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/url.hpp"

namespace newsmirror::parse {

namespace {

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct XmlCharDeleter {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
struct OutputDeleter {
  void operator()(xmlOutputBuffer* b) const { xmlOutputBufferClose(b); }
};

bool name_is(const xmlNode* n, const char* name) {
  return n->name && xmlStrcasecmp(n->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

bool is_url_attribute(const xmlAttr* a) {
  for (const char* name : {"href", "src", "cite", "action", "background", "longdesc", "poster"})
    if (xmlStrcasecmp(a->name, reinterpret_cast<const xmlChar*>(name)) == 0) return true;
  return false;
}

std::string lower_trimmed(std::string s) {
  std::string out;
  for (char c : s)
    if (static_cast<unsigned char>(c) > 0x20) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

void clean_node(xmlNode* node, std::string_view base_url) {
  for (xmlNode* child = node->children; child;) {
    xmlNode* next = child->next;
    if (child->type == XML_ELEMENT_NODE) {
      if (name_is(child, "script") || name_is(child, "style") || name_is(child, "iframe") ||
          name_is(child, "object") || name_is(child, "embed") || name_is(child, "frame") ||
          name_is(child, "frameset") || name_is(child, "applet") || name_is(child, "meta") ||
          name_is(child, "link") || name_is(child, "base")) {
        xmlUnlinkNode(child);
        xmlFreeNode(child);
        child = next;
        continue;
      }
      std::vector<xmlAttr*> doomed;
      for (xmlAttr* a = child->properties; a; a = a->next) {
        std::string name = reinterpret_cast<const char*>(a->name);
        if (name.size() > 2 && (name[0] == 'o' || name[0] == 'O') && (name[1] == 'n' || name[1] == 'N')) {
          doomed.push_back(a);
          continue;
        }
        if (name_is(reinterpret_cast<xmlNode*>(a), "style")) {
          doomed.push_back(a);
          continue;
        }
        if (!is_url_attribute(a)) continue;
        std::unique_ptr<xmlChar, XmlCharDeleter> value(xmlNodeListGetString(child->doc, a->children, 1));
        std::string v = value ? reinterpret_cast<const char*>(value.get()) : "";
        std::string scheme_check = lower_trimmed(v);
        if (scheme_check.starts_with("javascript:") || scheme_check.starts_with("vbscript:") ||
            scheme_check.starts_with("data:text/html")) {
          doomed.push_back(a);
          continue;
        }
        if (!base_url.empty() && !core::url::is_absolute(v)) {
          if (auto resolved = core::url::resolve(base_url, v))
            xmlSetProp(child, a->name, reinterpret_cast<const xmlChar*>(resolved->c_str()));
        }
      }
      for (xmlAttr* a : doomed) xmlRemoveProp(a);
      clean_node(child, base_url);
    } else if (child->type == XML_COMMENT_NODE || child->type == XML_PI_NODE) {
      xmlUnlinkNode(child);
      xmlFreeNode(child);
    }
    child = next;
  }
}

xmlNode* find_body(xmlNode* node) {
  for (; node; node = node->next) {
    if (node->type == XML_ELEMENT_NODE && name_is(node, "body")) return node;
    if (xmlNode* found = find_body(node->children)) return found;
  }
  return nullptr;
}

}  // namespace

std::string minimal_clean(std::string_view html, std::string_view base_url) {
  if (html.find('<') == std::string_view::npos && html.find('&') == std::string_view::npos) return std::string(html);
  std::string wrapped = "<html><head><meta charset=\"utf-8\"></head><body>" + std::string(html) + "</body></html>";
  std::unique_ptr<xmlDoc, DocDeleter> doc(htmlReadMemory(
      wrapped.data(), static_cast<int>(wrapped.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
  if (!doc) return "";
  xmlNode* body = find_body(xmlDocGetRootElement(doc.get()));
  if (!body) return "";
  clean_node(body, base_url);
  // Unformatted output: htmlNodeDump would add line breaks of its own.
  std::unique_ptr<xmlOutputBuffer, OutputDeleter> output(xmlAllocOutputBuffer(nullptr));
  if (!output) return "";
  for (xmlNode* c = body->children; c; c = c->next) htmlNodeDumpFormatOutput(output.get(), doc.get(), c, "UTF-8", 0);
  xmlOutputBufferFlush(output.get());
  const xmlChar* content = xmlOutputBufferGetContent(output.get());
  return content ? std::string(reinterpret_cast<const char*>(content), xmlOutputBufferGetSize(output.get())) : "";
}

}  // namespace newsmirror::parse
