#include "extract/page_metadata.hpp"

#include "core/utf8.hpp"

#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "extract/dom_text.hpp"

namespace newsmirror::extract {

namespace {

using Json = nlohmann::json;

// ------------------------------------------------------------- text --------

std::u32string to_u32(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    char32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
    ++i;
    for (int k = 0; k < extra && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    out += cp;
  }
  return out;
}

std::string to_utf8(std::u32string_view s) {
  std::string out;
  for (char32_t cp : s) core::append_utf8(out, cp);
  return out;
}

bool is_space32(char32_t c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || c == 0x3000 || (c >= 0x2000 && c <= 0x200A); }

std::u32string trim32(std::u32string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space32(s[b])) ++b;
  while (e > b && is_space32(s[e - 1])) --e;
  return std::u32string(s.substr(b, e - b));
}

// Words as white space separates them; a leading space counts an empty word,
// which keeps the thresholds below honest for titles that start oddly.
size_t word_count(std::u32string_view s) {
  size_t count = 1;
  for (size_t i = 0; i < s.size(); ++i)
    if (is_space32(s[i]) && (i == 0 || !is_space32(s[i - 1]))) ++count;
  if (!s.empty() && is_space32(s.back())) return count;  // trailing run splits off ""
  return count;
}

// Characters that separate a story's title from the site or section name.
bool is_title_separator(char32_t c) {
  return c == '|' || c == '-' || c == 0x2013 || c == 0x2014 || c == '\\' || c == '/' || c == '>' || c == 0xBB;
}
bool is_hierarchy_separator(char32_t c) { return c == '\\' || c == '/' || c == '>' || c == 0xBB; }

std::string trimmed(std::string_view s) { return to_utf8(trim32(to_u32(s))); }

std::optional<std::string> non_empty(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

const Node* first_element(const Node& node, std::string_view tag) {
  for (const auto& child : node.children()) {
    if (child->kind != Node::Kind::element) continue;
    if (child->tag == tag) return child.get();
    if (const Node* found = first_element(*child, tag)) return found;
  }
  return nullptr;
}

// document.title as browsers compute it: ASCII white space stripped and collapsed.
std::string document_title(const Node& document) {
  const Node* title = first_element(document, "title");
  return title ? collapse_spaces(title->text_content()) : std::string();
}

bool looks_like_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("//");
}

// ------------------------------------------------------------- JSON-LD -----

bool is_article_type(const Json& type) {
  if (!type.is_string()) return false;
  static const char* kinds[] = {"Article",           "AdvertiserContentArticle", "NewsArticle",       "AnalysisNewsArticle",
                                "AskPublicNewsArticle", "BackgroundNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle",
                                "ReviewNewsArticle", "Report",                   "SatiricalArticle",  "ScholarlyArticle",
                                "MedicalScholarlyArticle", "SocialMediaPosting", "BlogPosting",       "LiveBlogPosting",
                                "DiscussionForumPosting", "TechArticle",         "APIReference"};
  const std::string& s = type.get_ref<const std::string&>();
  for (const char* kind : kinds)
    if (s.find(kind) != std::string::npos) return true;
  return false;
}

bool is_schema_org(const Json& value) {
  static const std::regex schema_org(R"(^https?://schema\.org/?$)");
  return value.is_string() && std::regex_match(value.get<std::string>(), schema_org);
}

std::string json_string(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return trimmed(it->get<std::string>());
}

struct JsonLd {
  bool found = false;
  std::optional<std::string> title, byline, excerpt, site_name, published;
};

// The first schema.org Article-like object of the page's JSON-LD blocks.
JsonLd read_json_ld(const Node& document) {
  JsonLd out;
  std::vector<const Node*> scripts;
  for_each_descendant(document, [&](const Node& n) {
    if (n.is_element("script") && attr(n, "type") == "application/ld+json") scripts.push_back(&n);
  });
  for (const Node* script : scripts) {
    std::string text = script->text_content();
    static const std::regex cdata(R"(^\s*<!\[CDATA\[|\]\]>\s*$)");
    text = std::regex_replace(text, cdata, "");
    Json parsed = Json::parse(text, nullptr, false);
    if (parsed.is_discarded()) continue;
    if (parsed.is_array()) {
      const Json* article = nullptr;
      for (const auto& item : parsed)
        if (item.is_object() && item.contains("@type") && is_article_type(item["@type"])) {
          article = &item;
          break;
        }
      if (!article) continue;
      parsed = *article;
    }
    if (!parsed.is_object()) continue;
    auto context = parsed.find("@context");
    if (context == parsed.end()) continue;
    bool schema = is_schema_org(*context) ||
                  (context->is_object() && context->contains("@vocab") && is_schema_org((*context)["@vocab"]));
    if (!schema) continue;
    if (!parsed.contains("@type") && parsed.contains("@graph") && parsed["@graph"].is_array()) {
      Json graph = parsed["@graph"];
      parsed = Json();
      for (const auto& item : graph)
        if (item.is_object() && item.contains("@type") && is_article_type(item["@type"])) {
          parsed = item;
          break;
        }
    }
    if (!parsed.is_object() || !parsed.contains("@type") || !is_article_type(parsed["@type"])) continue;

    out.found = true;
    std::string name = json_string(parsed, "name");
    std::string headline = json_string(parsed, "headline");
    if (!name.empty() && !headline.empty() && name != headline) {
      // Some sites put the site name in `name`: keep whichever matches <title>.
      std::string page_title = title_from_title_element(document);
      bool name_matches = text_similarity(name, page_title) > 0.75;
      bool headline_matches = text_similarity(headline, page_title) > 0.75;
      out.title = (headline_matches && !name_matches) ? headline : name;
    } else if (!name.empty()) {
      out.title = name;
    } else if (!headline.empty()) {
      out.title = headline;
    }
    if (auto author = parsed.find("author"); author != parsed.end()) {
      if (author->is_object()) {
        out.byline = non_empty(json_string(*author, "name"));
      } else if (author->is_array() && !author->empty() && (*author)[0].is_object() &&
                 (*author)[0].contains("name") && (*author)[0]["name"].is_string()) {
        std::string names;
        for (const auto& person : *author) {
          if (!person.is_object() || !person.contains("name") || !person["name"].is_string()) continue;
          if (!names.empty()) names += ", ";
          names += trimmed(person["name"].get<std::string>());
        }
        out.byline = non_empty(names);
      }
    }
    out.excerpt = non_empty(json_string(parsed, "description"));
    if (auto publisher = parsed.find("publisher"); publisher != parsed.end() && publisher->is_object())
      out.site_name = non_empty(json_string(*publisher, "name"));
    out.published = non_empty(json_string(parsed, "datePublished"));
    break;
  }
  return out;
}

// ------------------------------------------------------------- <meta> ------

// Meta values keyed "og:title", "dc:creator", "author", "parsely-pub-date"...
std::map<std::string, std::string> read_meta_tags(const Node& document) {
  static const std::regex property_pattern(
      R"(\s*(article|dc|dcterm|og|twitter)\s*:\s*(author|creator|description|published_time|title|site_name)\s*)",
      std::regex::icase);
  static const std::regex name_pattern(
      R"(^\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(article|webpage))\s*[-\.:]\s*)?(author|creator|pub-date|description|title|site_name)\s*$)",
      std::regex::icase);
  auto normalized_key = [](std::string key, bool dots_to_colons) {
    std::string out;
    for (char c : key) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') continue;
      if (dots_to_colons && c == '.') c = ':';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  };
  std::map<std::string, std::string> values;
  for_each_descendant(document, [&](const Node& n) {
    if (!n.is_element("meta")) return;
    std::string_view content = attr(n, "content");
    if (content.empty()) return;
    bool matched = false;
    std::string property(attr(n, "property"));
    std::smatch m;
    if (!property.empty() && std::regex_search(property, m, property_pattern)) {
      matched = true;
      values[normalized_key(m[0].str(), false)] = trimmed(content);
    }
    std::string name(attr(n, "name"));
    if (!matched && !name.empty() && std::regex_search(name, name_pattern))
      values[normalized_key(name, true)] = trimmed(content);
  });
  return values;
}

std::optional<std::string> first_of(const std::map<std::string, std::string>& values,
                                    std::initializer_list<const char*> keys) {
  for (const char* key : keys)
    if (auto it = values.find(key); it != values.end() && !it->second.empty()) return it->second;
  return std::nullopt;
}

}  // namespace

double text_similarity(std::string_view a, std::string_view b) {
  // Words are ASCII letters, digits and "_"; the lists keep repeats.
  auto words = [](std::string_view s) {
    std::vector<std::string> out;
    std::string word;
    for (char c : s) {
      unsigned char u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || c == '_') {
        word += static_cast<char>(std::tolower(u));
      } else if (!word.empty()) {
        out.push_back(std::move(word));
        word.clear();
      }
    }
    if (!word.empty()) out.push_back(word);
    return out;
  };
  auto joined_length = [](const std::vector<std::string>& list) {
    size_t n = 0;
    for (const auto& w : list) n += w.size();
    return list.empty() ? 0 : n + list.size() - 1;
  };
  std::vector<std::string> words_a = words(a), words_b = words(b);
  if (words_a.empty() || words_b.empty()) return 0;
  std::vector<std::string> only_in_b;
  for (const auto& w : words_b)
    if (std::find(words_a.begin(), words_a.end(), w) == words_a.end()) only_in_b.push_back(w);
  return 1.0 - static_cast<double>(joined_length(only_in_b)) / static_cast<double>(joined_length(words_b));
}

std::string title_from_title_element(const Node& document) {
  std::u32string original = to_u32(document_title(document));
  std::u32string current = original;
  bool hierarchical = false;

  std::vector<size_t> separators;  // index of the space before " | "
  for (size_t i = 0; i + 2 < original.size(); ++i)
    if (original[i] == ' ' && is_title_separator(original[i + 1]) && original[i + 2] == ' ') separators.push_back(i);

  size_t colon = original.find(U": ");
  if (!separators.empty()) {
    for (size_t i : separators) hierarchical = hierarchical || is_hierarchy_separator(original[i + 1]);
    current = original.substr(0, separators.back());
    if (word_count(current) < 3) {
      // "Site | Story": the story follows the first separator.
      size_t first = 0;
      while (first < original.size() && !is_title_separator(original[first])) ++first;
      current = first < original.size() ? original.substr(first + 1) : original;
    }
  } else if (colon != std::u32string::npos) {
    // "Site: Story", unless a heading on the page spells the whole title.
    std::string whole = to_utf8(trim32(current));
    bool heading_is_title = false;
    for_each_descendant(document, [&](const Node& n) {
      if ((n.is_element("h1") || n.is_element("h2")) && trimmed(n.text_content()) == whole) heading_is_title = true;
    });
    if (!heading_is_title) {
      current = original.substr(original.rfind(U':') + 1);
      if (word_count(current) < 3)
        current = original.substr(original.find(U':') + 1);
      else if (word_count(original.substr(0, original.find(U':'))) > 5)
        current = original;
    }
  } else if (current.size() > 150 || current.size() < 15) {
    std::vector<Node*> h1s = descendants_by_tag(document, {"h1"});
    if (h1s.size() == 1) current = to_u32(inner_text(*h1s[0]));
  }

  current = to_u32(collapse_spaces(to_utf8(current)));
  size_t words = word_count(current);
  if (words <= 4) {
    std::u32string without_separators;
    for (char32_t c : original)
      if (!is_title_separator(c)) without_separators += c;
    // Collapse the runs the removal leaves so the word count matches a regex split.
    if (!hierarchical || words != word_count(without_separators) - 1) current = original;
  }
  return to_utf8(current);
}

PageMetadata read_page_metadata(const Node& document) {
  JsonLd json_ld = read_json_ld(document);
  auto meta = read_meta_tags(document);
  PageMetadata out;

  out.title = json_ld.title;
  if (!out.title)
    out.title = first_of(meta, {"dc:title", "dcterm:title", "og:title", "weibo:article:title", "weibo:webpage:title",
                                "title", "twitter:title", "parsely-title"});
  if (!out.title) out.title = non_empty(title_from_title_element(document));

  out.byline = json_ld.byline;
  if (!out.byline) out.byline = first_of(meta, {"dc:creator", "dcterm:creator", "author", "parsely-author"});
  if (!out.byline)
    if (auto author = first_of(meta, {"article:author"}); author && !looks_like_url(*author)) out.byline = author;

  out.excerpt = json_ld.excerpt;
  if (!out.excerpt)
    out.excerpt = first_of(meta, {"dc:description", "dcterm:description", "og:description", "weibo:article:description",
                                  "weibo:webpage:description", "description", "twitter:description"});
  out.site_name = json_ld.site_name ? json_ld.site_name : first_of(meta, {"og:site_name"});
  out.published = json_ld.published ? json_ld.published : first_of(meta, {"article:published_time", "parsely-pub-date"});

  for (auto* field : {&out.title, &out.byline, &out.excerpt, &out.site_name, &out.published})
    if (*field) *field = unescape_entities(**field);

  if (const Node* html = html_element(document))
    if (std::string lang = trimmed(attr(*html, "lang")); !lang.empty()) out.lang = lang;
  return out;
}

}  // namespace newsmirror::extract
