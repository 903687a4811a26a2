#include "parse/json_feed_parser.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/ascii.hpp"
#include "core/url.hpp"
#include "parse/date.hpp"
#include "parse/feed_text.hpp"

namespace newsmirror::parse {

namespace {

using feed_text::non_empty;
using feed_text::trim;

std::optional<std::string> json_string(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return non_empty(trim(it->get<std::string>()));
}

std::vector<core::Person> json_authors(const nlohmann::json& object, const std::string& base) {
  std::vector<core::Person> people;
  auto read = [&](const nlohmann::json& a) {
    if (!a.is_object()) return;
    core::Person p;
    p.name = json_string(a, "name");
    if (auto url = json_string(a, "url")) p.uri = core::url::resolve(base, *url).value_or(*url);
    if (p.name || p.uri) people.push_back(std::move(p));
  };
  if (auto it = object.find("authors"); it != object.end() && it->is_array())
    for (const auto& a : *it) read(a);
  if (people.empty())
    if (auto it = object.find("author"); it != object.end()) read(*it);
  return people;
}

}  // namespace

core::Result<core::Feed> parse_json_feed(std::string_view bytes, const ParseOptions& options) {
  auto doc = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return core::Error(core::ErrorKind::not_feed, "JSON document is not a JSON Feed object");
  auto version = json_string(doc, "version");
  auto items = doc.find("items");
  bool declared = version && version->find("jsonfeed.org/version/") != std::string::npos;
  if (!declared && (items == doc.end() || !items->is_array()))
    return core::Error(core::ErrorKind::not_feed, "JSON document has neither a JSON Feed version nor items");
  core::Feed feed;
  feed.format = core::FeedFormat::json;
  if (declared) {
    auto v = version->substr(version->rfind('/') + 1);
    feed.version = v.empty() ? std::nullopt : std::optional<std::string>(v);
  }
  std::string base = options.base_url;
  auto url_of = [&](const nlohmann::json& object, const char* key) -> std::optional<std::string> {
    auto value = json_string(object, key);
    if (!value) return std::nullopt;
    if (core::url::is_absolute(*value)) return value;
    return core::url::resolve(base, *value).value_or(*value);
  };
  feed.title = json_string(doc, "title");
  feed.link = url_of(doc, "home_page_url");
  feed.self_link = url_of(doc, "feed_url");
  feed.description = json_string(doc, "description");
  feed.language = json_string(doc, "language");
  if (auto icon = url_of(doc, "icon")) feed.image = core::FeedImage{icon, std::nullopt};
  else if (auto fav = url_of(doc, "favicon")) feed.image = core::FeedImage{fav, std::nullopt};
  feed.authors = json_authors(doc, base);
  if (items != doc.end() && items->is_array()) {
    for (const auto& item : *items) {
      if (!item.is_object()) continue;
      core::Entry entry;
      if (auto id = item.find("id"); id != item.end()) {
        if (id->is_string()) entry.id = non_empty(trim(id->get<std::string>()));
        else if (id->is_number()) entry.id = id->dump();
      }
      entry.title = json_string(item, "title");
      entry.link = url_of(item, "url");
      if (!entry.link) entry.link = url_of(item, "external_url");
      entry.summary = json_string(item, "summary");
      entry.content = json_string(item, "content_html");
      if (!entry.content) entry.content = json_string(item, "content_text");
      if (auto d = json_string(item, "date_published")) entry.published = parse_date(*d, options.default_zone);
      if (auto d = json_string(item, "date_modified")) entry.updated = parse_date(*d, options.default_zone);
      entry.authors = json_authors(item, base);
      if (auto tags = item.find("tags"); tags != item.end() && tags->is_array())
        for (const auto& tag : *tags)
          if (tag.is_string() && !trim(tag.get<std::string>()).empty()) entry.categories.push_back(trim(tag.get<std::string>()));
      if (auto attachments = item.find("attachments"); attachments != item.end() && attachments->is_array()) {
        for (const auto& a : *attachments) {
          if (!a.is_object()) continue;
          auto url = url_of(a, "url");
          if (!url) continue;
          core::Enclosure enclosure;
          enclosure.url = *url;
          enclosure.type = json_string(a, "mime_type");
          if (auto size = a.find("size_in_bytes"); size != a.end() && size->is_number_integer())
            enclosure.length = size->get<std::int64_t>();
          entry.enclosures.push_back(std::move(enclosure));
        }
      }
      feed.entries.push_back(std::move(entry));
    }
  }
  return feed;
}

bool looks_like_json(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  for (char c : bytes) {
    if (core::is_c_space(c)) continue;
    return c == '{';
  }
  return false;
}

}  // namespace newsmirror::parse
