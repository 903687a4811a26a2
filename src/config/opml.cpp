// OPML 2.0 (http://opml.org/spec2.opml) import and export. See opml.hpp for
// how multi-URL sources are folded into folder outlines.
#include "config/opml.hpp"

#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <limits>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace newsmirror::config {

namespace {

using core::Error;
using core::ErrorKind;

struct FreeDoc {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct FreeContext {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

// What internal entities may add to an OPML file. libxml2 stops reference
// loops, but not a value of a few kilobytes referenced thousands of times
// in an attribute (35 KB of OPML became a 100 MB source name): every
// entity libxml2 looks up is charged its length, up to a multiple of the
// input, as libxml2 itself bounds amplification in its later releases.
struct EntityBudget {
  explicit EntityBudget(std::size_t input_size) : left(5 * input_size + (1 << 20)), limit(left) {}
  std::size_t left;
  const std::size_t limit;
  bool exceeded = false;
};

xmlEntityPtr charged_entity(void* context, const xmlChar* name) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(context);
  auto* budget = static_cast<EntityBudget*>(ctxt->_private);
  xmlEntityPtr entity = xmlSAX2GetEntity(context, name);
  if (entity && entity->etype == XML_INTERNAL_GENERAL_ENTITY) {
    auto length = static_cast<std::size_t>(std::max(entity->length, 0));
    if (length > budget->left) {
      budget->exceeded = true;
      xmlStopParser(ctxt);
      return nullptr;
    }
    budget->left -= length;
  }
  return entity;
}

Error error_from_xml(const xmlError* error, std::string_view context) {
  if (!error || !error->message) return Error(ErrorKind::parse, fmt::format("{}: not well-formed XML", context));
  std::string message = error->message;
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
  return Error(ErrorKind::parse, fmt::format("{}: line {}: {}", context, error->line, message));
}

bool name_is(const xmlNode* node, std::string_view name) {
  if (node->type != XML_ELEMENT_NODE || !node->name) return false;
  std::string_view actual(reinterpret_cast<const char*>(node->name));
  return std::equal(actual.begin(), actual.end(), name.begin(), name.end(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// Attribute names vary in case in the wild (xmlUrl, xmlurl, XMLURL).
std::optional<std::string> attribute(const xmlNode* node, std::string_view lower_name) {
  for (auto attr = node->properties; attr; attr = attr->next) {
    std::string_view name(reinterpret_cast<const char*>(attr->name));
    if (name.size() != lower_name.size() ||
        !std::equal(name.begin(), name.end(), lower_name.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
      continue;
    std::unique_ptr<xmlChar, decltype(xmlFree)> value(xmlNodeListGetString(node->doc, attr->children, 1),
                                                      xmlFree);
    std::string text = value ? reinterpret_cast<const char*>(value.get()) : "";
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return std::nullopt;
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  }
  return std::nullopt;
}

bool is_http(std::string_view url) {
  std::string head(url.substr(0, 8));
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return head.starts_with("http://") || head.starts_with("https://");
}

// A feed outline as a one-URL source, or nullopt when it is not a feed.
std::optional<Source> feed_of(const xmlNode* outline) {
  auto url = attribute(outline, "xmlurl");
  if (!url) return std::nullopt;
  Source source;
  source.name = attribute(outline, "title").value_or(attribute(outline, "text").value_or(*url));
  source.urls.push_back(*url);
  return source;
}

std::vector<const xmlNode*> child_outlines(const xmlNode* node) {
  std::vector<const xmlNode*> out;
  for (auto child = node->children; child; child = child->next)
    if (name_is(child, "outline")) out.push_back(child);
  return out;
}

void collect(const xmlNode* node, std::vector<Source>& out) {
  for (auto outline : child_outlines(node)) {
    if (auto feed = feed_of(outline)) {
      if (!is_http(feed->urls.front())) {
        spdlog::warn("OPML line {}: skipping \"{}\": not an http(s) URL: {}", xmlGetLineNo(outline),
                     feed->name, feed->urls.front());
        continue;
      }
      out.push_back(std::move(*feed));
      continue;
    }
    // A folder whose feeds all carry the folder's name is one source with
    // several URLs (how render_opml writes them); any other folder is just
    // a grouping.
    auto folder_name = attribute(outline, "title").value_or(attribute(outline, "text").value_or(""));
    auto children = child_outlines(outline);
    std::optional<Source> merged;
    if (!folder_name.empty() && !children.empty()) {
      merged.emplace();
      merged->name = folder_name;
      for (auto child : children) {
        auto feed = feed_of(child);
        if (!feed || feed->name != folder_name || !is_http(feed->urls.front())) {
          merged.reset();
          break;
        }
        merged->urls.push_back(feed->urls.front());
      }
    }
    if (merged) out.push_back(std::move(*merged));
    else collect(outline, out);
  }
}

// XML attribute value; tabs and newlines as references so they survive
// attribute-value normalization.
std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        // Other C0 controls cannot appear in XML 1.0 at all.
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
  }
  return out;
}

std::string rfc822_now() {
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Spelled out rather than strftime so the locale cannot change it.
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

core::Result<std::vector<Source>> parse_opml(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return Error(ErrorKind::too_large, "OPML: document larger than 2 GiB");
  std::unique_ptr<xmlParserCtxt, FreeContext> ctxt(xmlNewParserCtxt());
  if (!ctxt) return Error(ErrorKind::internal, "OPML: out of memory");
  // NONET: never fetch anything; without NOENT/DTDLOAD external entities
  // are neither loaded nor substituted.
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  EntityBudget budget(bytes.size());
  ctxt->_private = &budget;
  ctxt->sax->getEntity = charged_entity;
  std::unique_ptr<xmlDoc, FreeDoc> doc(xmlCtxtReadMemory(
      ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), "opml.xml", nullptr, options));
  if (budget.exceeded)
    return Error(ErrorKind::too_large,
                 fmt::format("OPML: its entities would expand it past {} bytes (5 times its size and 1 MiB): "
                             "refused as an entity-expansion bomb",
                             budget.limit));
  if (!doc) return error_from_xml(xmlCtxtGetLastError(ctxt.get()), "OPML");
  auto root = xmlDocGetRootElement(doc.get());
  if (!root || !name_is(root, "opml"))
    return Error(ErrorKind::parse, fmt::format("OPML: the document's root is <{}>, not <opml>",
                                               root ? reinterpret_cast<const char*>(root->name) : ""));
  std::vector<Source> sources;
  for (auto child = root->children; child; child = child->next)
    if (name_is(child, "body")) collect(child, sources);
  return sources;
}

std::string render_opml(const Config& config, OpmlDate date) {
  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<opml version=\"2.0\">\n";
  out += "  <head>\n";
  out += "    <title>newsmirror sources</title>\n";
  if (date == OpmlDate::now) out += fmt::format("    <dateCreated>{}</dateCreated>\n", rfc822_now());
  out += "  </head>\n";
  out += "  <body>\n";
  for (const auto& source : config.sources) {
    auto name = escape(source.name);
    if (source.urls.size() == 1) {
      out += fmt::format("    <outline type=\"rss\" text=\"{0}\" title=\"{0}\" xmlUrl=\"{1}\"/>\n", name,
                         escape(source.urls.front()));
      continue;
    }
    out += fmt::format("    <outline text=\"{0}\" title=\"{0}\">\n", name);
    for (const auto& url : source.urls)
      out += fmt::format("      <outline type=\"rss\" text=\"{0}\" title=\"{0}\" xmlUrl=\"{1}\"/>\n", name,
                         escape(url));
    out += "    </outline>\n";
  }
  out += "  </body>\n";
  out += "</opml>\n";
  return out;
}

}  // namespace newsmirror::config
