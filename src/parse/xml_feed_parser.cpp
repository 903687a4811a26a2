// The XML side streams with xmlTextReader: the reader walks the document and
// each <item>/<entry> (and each channel-level field) is expanded into a small
// subtree, read, and released when the reader moves on, so memory stays at
// one entry whatever the feed's size. RECOVER keeps going past damage;
// NONET and no NOENT/DTDLOAD mean no external entity or DTD is ever loaded.
#include "parse/xml_feed_parser.hpp"

#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/ascii.hpp"
#include "core/url.hpp"
#include "parse/date.hpp"
#include "parse/encoding.hpp"
#include "parse/feed_text.hpp"
#include "parse/xml_nodes.hpp"
#include "parse/xml_preparation.hpp"
#include "parse/xml_tree_reader.hpp"

namespace newsmirror::parse {

namespace {

using feed_text::non_empty;
using feed_text::trim;

class XmlFeedParser {
 public:
  explicit XmlFeedParser(const ParseOptions& options) : options_(options) {}

  core::Result<core::Feed> parse(std::string_view bytes) {
    auto feed = parse_bytes(bytes);
    if (feed && tree_.mismatch()) return core::Error(core::ErrorKind::internal, *tree_.mismatch());
    return feed;
  }

 private:
  core::Result<core::Feed> parse_bytes(std::string_view bytes) {
    std::string converted;  // holds the text only when it is not UTF-8 already
    DecodedView decoded = decode_xml_view(bytes, options_.content_type, converted);
    feed_.encoding = decoded.charset;
    StandIns stand_ins;
    bool clash = holds_stand_in_open(decoded.utf8);
    auto text = prepare_xml(decoded.utf8, clash ? nullptr : &stand_ins);
    if (!text) return text.error();
    if (stand_ins.empty()) return parse_text(*text);
    std::vector<std::string_view> values = stand_ins.values(decoded.utf8);
    cdata_ = &values;
    tree_ = TreeReader(&values, options_.verify_serialization);
    auto result = parse_text(*text);
    if (!parse_errors_) return result;
    // Stand-ins are only known to parse like their content in a document
    // without a single error (recovery may place them anywhere else):
    // damaged documents are parsed again with their CDATA content.
    XmlFeedParser plain(options_);
    plain.feed_.encoding = std::move(decoded.charset);
    auto plain_text = prepare_xml(decoded.utf8);
    if (!plain_text) return plain_text.error();
    auto feed = plain.parse_text(*plain_text);
    if (feed && plain.tree_.mismatch()) return core::Error(core::ErrorKind::internal, *plain.tree_.mismatch());
    return feed;
  }

  core::Result<core::Feed> parse_text(const std::string& text) {
    if (text.size() > static_cast<std::size_t>(INT32_MAX))
      return core::Error(core::ErrorKind::too_large, "feed document larger than 2 GiB");
    std::unique_ptr<xmlTextReader, ReaderDeleter> reader(xmlReaderForMemory(
        text.data(), static_cast<int>(text.size()), options_.base_url.empty() ? nullptr : options_.base_url.c_str(),
        "UTF-8", XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT));
    if (!reader) return core::Error(core::ErrorKind::internal, "libxml2 could not create a reader");
    // Errors are expected (RECOVER) and must not reach stderr; they are
    // counted (see parse).
    xmlTextReaderSetStructuredErrorHandler(
        reader.get(), [](void* self, xmlError*) { ++static_cast<XmlFeedParser*>(self)->parse_errors_; }, this);

    bool skip_subtree = false;
    bool root_seen = false;
    bool failed = false;
    while (true) {
      int status = skip_subtree ? xmlTextReaderNext(reader.get()) : xmlTextReaderRead(reader.get());
      skip_subtree = false;
      if (status == -1) failed = true;
      if (status != 1) break;
      if (xmlTextReaderNodeType(reader.get()) != XML_READER_TYPE_ELEMENT) continue;
      xmlNode* node = xmlTextReaderCurrentNode(reader.get());
      if (!node) break;
      QName name = name_of(node);
      if (!root_seen) {
        root_seen = true;
        if (auto error = read_root(node, name)) return *error;
        continue;
      }
      if (is_entry(name)) {
        if (xmlNode* expanded = xmlTextReaderExpand(reader.get())) {
          read_entry_and_swallowed(expanded);
        }
        skip_subtree = true;
        continue;
      }
      if (is_container(name)) continue;  // descend into channel / feed
      if (node->parent && node->parent->type == XML_ELEMENT_NODE && is_feed_level_parent(name_of(node->parent))) {
        if (xmlNode* expanded = xmlTextReaderExpand(reader.get())) {
          read_feed_field(expanded, name_of(expanded));
          read_swallowed_entries(expanded);
        }
        skip_subtree = true;
      }
    }
    if (failed && cdata_) {
      ++parse_errors_;  // parse() starts over without stand-ins
      return core::Error(core::ErrorKind::internal, "reader failed");
    }
    if (failed) {
      // The reader gives up at the first error it cannot step over (a
      // mismatched tag early on, say). Only then is the damaged document
      // parsed whole by libxml2's recovering tree parser, which repairs more.
      XmlFeedParser fallback(options_);
      fallback.feed_.encoding = feed_.encoding;
      auto recovered = fallback.parse_tree(text);
      if (recovered.ok() && (!root_seen || recovered->entries.size() >= feed_.entries.size())) return recovered;
    }
    if (!root_seen) return core::Error(core::ErrorKind::not_feed, "no XML element found: not a feed");
    return std::move(feed_);
  }

 private:
  struct DocDeleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
  };

  core::Result<core::Feed> parse_tree(const std::string& text) {
    std::unique_ptr<xmlDoc, DocDeleter> doc(xmlReadMemory(
        text.data(), static_cast<int>(text.size()), options_.base_url.empty() ? nullptr : options_.base_url.c_str(),
        "UTF-8", XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!root) return core::Error(core::ErrorKind::not_feed, "no XML element found: not a feed");
    if (auto error = read_root(root, name_of(root))) return *error;
    visit_children(root);
    return std::move(feed_);
  }

  // The tree walk that mirrors the streaming loop above.
  void visit_children(const xmlNode* parent) {
    bool feed_level = is_feed_level_parent(name_of(parent));
    for (const xmlNode* c = parent->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      QName name = name_of(c);
      if (is_entry(name)) read_entry_and_swallowed(c);
      else if (is_container(name)) visit_children(c);
      else if (feed_level) { read_feed_field(c, name); read_swallowed_entries(c); }
      else visit_children(c);
    }
  }

  // libxml2's recovery closes only the innermost open element at a
  // mismatched end tag, so one unclosed element (`<title>a <b>b</title>`)
  // leaves its entry, or a channel field, open: every later entry of the
  // document becomes its descendant. Entries never nest in a feed, so one
  // found inside an entry or a feed-level field is read as the next entry.
  void read_entry_and_swallowed(const xmlNode* item) {
    read_entry(item);
    read_swallowed_entries(item);
  }
  void read_swallowed_entries(const xmlNode* parent) {
    for (const xmlNode* c = parent->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      // This visits every element of every entry: the name is looked at
      // before its namespace, which is rarely needed.
      if (may_name_entry(c) && is_entry(name_of(c))) read_entry_and_swallowed(c);
      else if (c->children) read_swallowed_entries(c);
    }
  }
  // Whether the local name of `node` can be "item" or "entry".
  static bool may_name_entry(const xmlNode* node) {
    if (!node->name) return false;
    std::string_view name(reinterpret_cast<const char*>(node->name));
    return name.ends_with("item") || name.ends_with("entry");
  }

 private:
  QName name_of(const xmlNode* node) const { return qname(node, atom_alias_); }
  std::string text_of(const xmlNode* node) const { return tree_.text_of(node); }
  std::string markup_of(const xmlNode* node) const { return tree_.markup_of(node); }
  std::string serialize_children(const xmlNode* node) const { return tree_.serialize_children(node); }

  std::optional<core::Error> read_root(const xmlNode* node, const QName& name) {
    if (name.local == "rss" || (name.local == "channel" && name.ns == Ns::rss)) {
      feed_.format = core::FeedFormat::rss;
      if (auto v = trim(attr(node, "version")); !v.empty()) feed_.version = v;
    } else if (name.is(Ns::rdf, "RDF") || name.local == "RDF") {
      feed_.format = core::FeedFormat::rdf;
      feed_.version = "1.0";
      // RSS 0.90 uses RDF too but its own namespace.
      for (const xmlNs* ns = node->nsDef; ns; ns = ns->next)
        if (to_string(ns->href) == "http://my.netscape.com/rdf/simple/0.9/") feed_.version = "0.90";
    } else if (name.local == "feed" && (name.ns == Ns::atom10 || name.ns == Ns::atom03 || name.ns == Ns::rss ||
                                        has_attr(node, "version"))) {
      if (name.ns == Ns::other && node->ns) atom_alias_ = to_string(node->ns->href);
      feed_.format = core::FeedFormat::atom;
      if (name.ns == Ns::atom10) feed_.version = "1.0";
      else if (name.ns == Ns::atom03) feed_.version = "0.3";
      if (auto v = trim(attr(node, "version")); !v.empty()) feed_.version = v;
      atom_root_ = true;
    } else {
      return core::Error(core::ErrorKind::not_feed,
                         "root element <" + to_string(node->name) + "> is not rss, rdf:RDF or feed: not a feed");
    }
    if (auto lang = trim(take(xmlNodeGetLang(node))); !lang.empty()) {
      std::replace(lang.begin(), lang.end(), '_', '-');  // "en_US" is a common slip for "en-US"
      feed_.language = lang;
    }
    return std::nullopt;
  }

  bool is_entry(const QName& name) const {
    if (name.local == "item" && (name.ns == Ns::rss)) return true;
    if (name.local == "entry" && (name.ns == Ns::atom10 || name.ns == Ns::atom03 || (atom_root_ && name.ns == Ns::rss)))
      return true;
    return false;
  }
  bool is_container(const QName& name) const {
    return name.local == "channel" && name.ns == Ns::rss;
  }
  bool is_feed_level_parent(const QName& name) const {
    if (name.local == "channel" && name.ns == Ns::rss) return true;
    if (name.local == "feed" && atom_root_) return true;
    if (name.local == "RDF" || name.local == "rss") return true;
    return false;
  }

  // xml:base attributes of `node` and its ancestors, applied from the top
  // over the document's URL.
  std::string base_for(const xmlNode* node) const {
    std::vector<std::string> bases;
    for (const xmlNode* n = node; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
      XmlString base(xmlGetNsProp(n, reinterpret_cast<const xmlChar*>("base"), XML_XML_NAMESPACE));
      if (base) bases.push_back(trim(to_string(base.get())));
    }
    std::string result = options_.base_url;
    for (auto it = bases.rbegin(); it != bases.rend(); ++it) {
      if (auto resolved = core::url::resolve(result, *it)) result = *resolved;
      else if (result.empty()) result = *it;
    }
    return result;
  }

  std::optional<std::string> absolute(const xmlNode* node, const std::string& reference) const {
    std::string ref = trim(reference);
    if (ref.empty()) return std::nullopt;
    // An absolute link is kept as the feed gives it; serializing it the
    // WHATWG way is the archive's business (core::url::serialize).
    if (core::url::is_absolute(ref)) return ref;
    std::string base = base_for(node);
    if (auto resolved = core::url::resolve(base, ref)) return resolved;
    return ref;
  }

  // The markup of a summary/content element, through the caller's filter.
  std::optional<std::string> markup(const xmlNode* node) const {
    std::string value = markup_of(node);
    if (options_.markup_filter && !value.empty()) value = trim(options_.markup_filter(value, base_for(node)));
    return non_empty(std::move(value));
  }

  // A title is plain text unless it declares or visibly carries markup.
  std::optional<std::string> title(const xmlNode* node, bool atom) const {
    std::string type = core::ascii_lower(attr(node, "type"));
    bool html = atom ? (type == "html" || type == "xhtml" || type.find("html") != std::string::npos ||
                        has_element_child(node))
                     : (has_element_child(node) || text_of(node).find('<') != std::string::npos);
    if (html) return markup(node);
    return non_empty(markup_of(node));
  }

  std::optional<core::TimePoint> date_of(const xmlNode* node) const {
    return parse_date(text_of(node), options_.default_zone);
  }

  // RSS authors come as "email (Name)", "Name <email>" or a plain name.
  static core::Person person_from_text(const std::string& text) {
    core::Person person;
    std::string t = trim(text);
    auto open = t.find('(');
    auto close = t.rfind(')');
    auto lt = t.find('<');
    auto gt = t.rfind('>');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      std::string inside = trim(t.substr(open + 1, close - open - 1));
      std::string before = trim(t.substr(0, open));
      // Both "Name (email)" and RSS's "email (Name)" occur.
      if (inside.find('@') != std::string::npos && inside.find(' ') == std::string::npos) {
        person.email = non_empty(inside);
        person.name = non_empty(before);
      } else {
        person.name = non_empty(inside);
        if (before.find('@') != std::string::npos) person.email = non_empty(before);
        else if (!person.name) person.name = non_empty(before);
      }
    } else if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
      person.email = non_empty(trim(t.substr(lt + 1, gt - lt - 1)));
      person.name = non_empty(trim(t.substr(0, lt)));
    } else if (t.find('@') != std::string::npos && t.find(' ') == std::string::npos) {
      person.email = t;
    } else {
      person.name = non_empty(t);
    }
    return person;
  }

  core::Person atom_person(const xmlNode* node) const {
    core::Person person;
    bool structured = false;
    for (const xmlNode* c = node->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      QName q = name_of(c);
      if (q.local == "name") { person.name = non_empty(text_of(c)); structured = true; }
      else if (q.local == "email") { person.email = non_empty(text_of(c)); structured = true; }
      else if (q.local == "uri" || q.local == "url" || q.local == "homepage") { person.uri = absolute(c, text_of(c)); structured = true; }
    }
    if (!structured) return person_from_text(text_of(node));
    return person;
  }

  static void add_person(std::vector<core::Person>& people, core::Person person) {
    if (!person.name && !person.email && !person.uri) return;
    for (const auto& p : people)
      if (p.name == person.name && p.email == person.email && p.uri == person.uri) return;
    people.push_back(std::move(person));
  }

  static void add_category(std::vector<std::string>& categories, std::string value) {
    value = trim(value);
    if (value.empty()) return;
    if (std::find(categories.begin(), categories.end(), value) == categories.end())
      categories.push_back(std::move(value));
  }

  void read_feed_field(const xmlNode* node, const QName& q) {
    bool rss = q.ns == Ns::rss;
    bool atom = q.ns == Ns::atom10 || q.ns == Ns::atom03;
    if (((rss || atom) && q.local == "title") || q.is(Ns::dc, "title")) {
      if (!feed_.title) feed_.title = title(node, atom);
    } else if (rss && q.local == "link" && !has_attr(node, "href")) {
      if (!feed_.link) feed_.link = absolute(node, text_of(node));
    } else if ((atom || (rss && atom_root_)) && q.local == "link") {
      read_atom_link(node, feed_.link, &feed_.self_link, nullptr);
    } else if ((rss && q.local == "description") || (atom && (q.local == "subtitle" || q.local == "tagline")) ||
               q.is(Ns::itunes, "subtitle") || q.is(Ns::dc, "description")) {
      if (!feed_.description) feed_.description = markup(node);
    } else if ((rss && q.local == "language") || q.is(Ns::dc, "language")) {
      if (!feed_.language) feed_.language = non_empty(text_of(node));
    } else if ((rss && q.local == "copyright") || (atom && (q.local == "rights" || q.local == "copyright")) ||
               q.is(Ns::dc, "rights")) {
      if (!feed_.rights) feed_.rights = markup(node);
    } else if ((rss || atom) && q.local == "generator") {
      if (!feed_.generator) feed_.generator = non_empty(text_of(node));
      if (!feed_.generator && has_attr(node, "uri")) feed_.generator = non_empty(trim(attr(node, "uri")));
    } else if (q.is(Ns::rss, "pubDate") || q.is(Ns::dc, "date") || q.is(Ns::dcterms, "issued") ||
               (atom && (q.local == "published" || q.local == "issued"))) {
      if (!feed_.published) feed_.published = date_of(node);
      if (q.is(Ns::dc, "date") && !feed_.updated) feed_.updated = feed_.published;
    } else if (q.is(Ns::rss, "lastBuildDate") || q.is(Ns::dcterms, "modified") ||
               (atom && (q.local == "updated" || q.local == "modified"))) {
      if (!feed_.updated) feed_.updated = date_of(node);
    } else if (rss && q.local == "image") {
      core::FeedImage image;
      for (const xmlNode* c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        QName cq = name_of(c);
        if (cq.local == "url") image.url = absolute(c, text_of(c));
        else if (cq.local == "title") image.title = non_empty(text_of(c));
      }
      if (!image.url && has_attr(node, "resource")) image.url = absolute(node, attr(node, "resource"));
      if (!feed_.image && (image.url || image.title)) feed_.image = image;
    } else if ((atom && (q.local == "logo" || q.local == "icon")) || q.is(Ns::itunes, "image")) {
      std::string url = q.ns == Ns::itunes ? attr(node, "href") : text_of(node);
      if (!feed_.image || (q.local == "logo" && !feed_.image->url)) {
        if (auto u = absolute(node, url)) feed_.image = core::FeedImage{u, std::nullopt};
      }
    } else if ((rss && (q.local == "managingEditor" || q.local == "webMaster" || q.local == "author")) ||
               q.is(Ns::dc, "creator") || q.is(Ns::dc, "author") || q.is(Ns::dc, "publisher") ||
               q.is(Ns::itunes, "author")) {
      add_person(feed_.authors, person_from_text(text_of(node)));
    } else if (atom && (q.local == "author")) {
      add_person(feed_.authors, atom_person(node));
    } else if (rss && q.local == "category") {
      add_category(feed_.categories, text_of(node));
    } else if (atom && q.local == "category") {
      std::string term = attr(node, "term");
      add_category(feed_.categories, term.empty() ? text_of(node) : term);
    } else if (q.is(Ns::dc, "subject") || q.is(Ns::itunes, "category")) {
      add_category(feed_.categories, q.ns == Ns::itunes ? attr(node, "text") : text_of(node));
    }
  }

  // Atom links: rel="alternate" (the default) is the page, "self" the feed,
  // "enclosure" a media file.
  void read_atom_link(const xmlNode* node, std::optional<std::string>& link, std::optional<std::string>* self,
                      std::vector<core::Enclosure>* enclosures) {
    std::string rel = core::ascii_lower(trim(attr(node, "rel")));
    std::string href = attr(node, "href");
    if (href.empty() && !has_attr(node, "href")) href = text_of(node);
    auto url = absolute(node, href);
    if (!url) return;
    if (rel.empty() || rel == "alternate") {
      std::string type = core::ascii_lower(attr(node, "type"));
      if (!link || (!link_is_html_ && (type.empty() || type.find("html") != std::string::npos))) {
        link = url;
        link_is_html_ = type.empty() || type.find("html") != std::string::npos;
      }
    } else if (rel == "self" && self) {
      if (!*self) *self = url;
    } else if (rel == "enclosure" && enclosures) {
      core::Enclosure enclosure;
      enclosure.url = *url;
      enclosure.type = non_empty(trim(attr(node, "type")));
      enclosure.length = parse_length(attr(node, "length"));
      enclosures->push_back(std::move(enclosure));
    }
  }

  static std::optional<std::int64_t> parse_length(const std::string& text) {
    std::string t = trim(text);
    if (t.empty() || t.size() > 18 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    return std::stoll(t);
  }

  void read_entry(const xmlNode* item) {
    core::Entry entry;
    std::optional<std::string> permalink_guid;
    link_is_html_ = false;
    std::optional<std::string> atom_link;
    for (const xmlNode* node = item->children; node; node = node->next) {
      if (node->type != XML_ELEMENT_NODE) continue;
      QName q = name_of(node);
      bool rss = q.ns == Ns::rss;
      bool atom = q.ns == Ns::atom10 || q.ns == Ns::atom03;
      if ((rss || atom) && q.local == "title") {
        if (!entry.title) entry.title = title(node, atom);
      } else if (q.is(Ns::dc, "title")) {
        if (!entry.title) entry.title = non_empty(text_of(node));
      } else if (rss && q.local == "link" && !has_attr(node, "href")) {
        if (!entry.link) entry.link = absolute(node, text_of(node));
      } else if (atom || (atom_root_ && rss)) {
        if (q.local == "link") {
          read_atom_link(node, atom_link, nullptr, &entry.enclosures);
        } else if (q.local == "id") {
          // A path-like id ("/2006/entry") is a relative IRI and resolves
          // like one; anything else (tag:, urn:, opaque text) stays.
          std::string id = text_of(node);
          if (id.starts_with("/") && !id.starts_with("//")) id = absolute(node, id).value_or(id);
          if (!entry.id) entry.id = non_empty(id);
        } else if (q.local == "summary") {
          if (!entry.summary) entry.summary = markup(node);
        } else if (q.local == "content") {
          if (!entry.content && !has_attr(node, "src")) entry.content = markup(node);
        } else if (q.local == "published" || q.local == "issued" || q.local == "created") {
          if (!entry.published || q.local != "created") {
            if (auto d = date_of(node); d && (!entry.published || q.local == "published")) entry.published = d;
          }
        } else if (q.local == "updated" || q.local == "modified") {
          if (!entry.updated) entry.updated = date_of(node);
        } else if (q.local == "author") {
          add_person(entry.authors, atom_person(node));
        } else if (q.local == "category") {
          std::string term = attr(node, "term");
          add_category(entry.categories, term.empty() ? text_of(node) : term);
        } else if (rss) {
          read_rss_entry_field(node, q, entry, permalink_guid);
        }
      } else {
        read_rss_entry_field(node, q, entry, permalink_guid);
      }
    }
    if (!entry.link && atom_link) entry.link = atom_link;
    if (!entry.link && permalink_guid) entry.link = permalink_guid;
    if (entry.id && !entry.link && permalink_guid) entry.link = absolute(item, *entry.id);
    if (!entry.id && item->type == XML_ELEMENT_NODE && has_attr(item, "about")) entry.id = non_empty(trim(attr(item, "about")));
    feed_.entries.push_back(std::move(entry));
  }

  void read_rss_entry_field(const xmlNode* node, const QName& q, core::Entry& entry,
                            std::optional<std::string>& permalink_guid) {
    bool rss = q.ns == Ns::rss;
    if (rss && q.local == "guid") {
      if (entry.id) return;
      entry.id = non_empty(text_of(node));
      std::string permalink = core::ascii_lower(trim(attr(node, "isPermaLink")));
      if (entry.id && permalink != "false" && core::url::is_absolute(*entry.id)) permalink_guid = absolute(node, *entry.id);
    } else if (rss && q.local == "description") {
      if (!entry.summary) entry.summary = markup(node);
    } else if (q.is(Ns::content, "encoded")) {
      if (!entry.content) entry.content = markup(node);
    } else if (q.is(Ns::xhtml, "body") || q.is(Ns::xhtml, "div")) {
      if (!entry.content) entry.content = non_empty(trim(serialize_children(node)));
    } else if (q.is(Ns::rss, "pubDate") || q.is(Ns::dc, "date") || q.is(Ns::dcterms, "issued") ||
               q.is(Ns::dcterms, "created")) {
      if (!entry.published) entry.published = date_of(node);
    } else if (q.is(Ns::dcterms, "modified") || q.is(Ns::rss, "lastBuildDate")) {
      if (!entry.updated) entry.updated = date_of(node);
    } else if ((rss && q.local == "author") || q.is(Ns::dc, "creator") || q.is(Ns::dc, "author") ||
               q.is(Ns::itunes, "author")) {
      add_person(entry.authors, person_from_text(text_of(node)));
    } else if (rss && q.local == "category") {
      add_category(entry.categories, text_of(node));
    } else if (q.is(Ns::dc, "subject")) {
      add_category(entry.categories, text_of(node));
    } else if (rss && q.local == "enclosure") {
      core::Enclosure enclosure;
      auto url = absolute(node, attr(node, "url"));
      if (!url) return;
      enclosure.url = *url;
      enclosure.type = non_empty(trim(attr(node, "type")));
      enclosure.length = parse_length(attr(node, "length"));
      entry.enclosures.push_back(std::move(enclosure));
    } else if (q.is(Ns::rss, "summary") || q.is(Ns::itunes, "summary") || q.is(Ns::dc, "description")) {
      if (!entry.summary) entry.summary = markup(node);
    }
  }

  const ParseOptions& options_;
  const std::vector<std::string_view>* cdata_ = nullptr;  // stand-in contents
  TreeReader tree_{nullptr, options_.verify_serialization};
  int parse_errors_ = 0;
  core::Feed feed_;
  bool atom_root_ = false;
  std::string atom_alias_;
  bool link_is_html_ = false;
};

}  // namespace

core::Result<core::Feed> parse_xml_feed(std::string_view bytes, const ParseOptions& options) {
  XmlFeedParser parser(options);
  return parser.parse(bytes);
}

}  // namespace newsmirror::parse
