#include "parse/feed_schema_json.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace newsmirror::parse {

namespace {

using nlohmann::ordered_json;

ordered_json optional_string(const std::optional<std::string>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json optional_time(const std::optional<core::TimePoint>& value) {
  return value ? ordered_json(format_time(*value)) : ordered_json(nullptr);
}

ordered_json people(const std::vector<core::Person>& persons) {
  ordered_json out = ordered_json::array();
  for (const auto& p : persons) {
    ordered_json person;
    person["name"] = optional_string(p.name);
    person["email"] = optional_string(p.email);
    person["uri"] = optional_string(p.uri);
    out.push_back(std::move(person));
  }
  return out;
}

ordered_json strings(const std::vector<std::string>& values) {
  ordered_json out = ordered_json::array();
  for (const auto& v : values) out.push_back(v);
  return out;
}

}  // namespace

std::string format_time(core::TimePoint time) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  auto days = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day ymd{days};
  std::chrono::hh_mm_ss hms{seconds - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

ordered_json feed_to_json(const core::Feed& feed) {
  ordered_json out;
  out["format"] = core::to_string(feed.format);
  out["version"] = optional_string(feed.version);
  out["encoding"] = feed.encoding;
  out["title"] = optional_string(feed.title);
  out["link"] = optional_string(feed.link);
  out["self_link"] = optional_string(feed.self_link);
  out["description"] = optional_string(feed.description);
  out["language"] = optional_string(feed.language);
  out["rights"] = optional_string(feed.rights);
  out["generator"] = optional_string(feed.generator);
  out["published"] = optional_time(feed.published);
  out["updated"] = optional_time(feed.updated);
  if (feed.image) {
    out["image"] = {{"url", optional_string(feed.image->url)}, {"title", optional_string(feed.image->title)}};
  } else {
    out["image"] = nullptr;
  }
  out["authors"] = people(feed.authors);
  out["categories"] = strings(feed.categories);
  ordered_json entries = ordered_json::array();
  for (const auto& e : feed.entries) {
    ordered_json entry;
    entry["id"] = optional_string(e.id);
    entry["title"] = optional_string(e.title);
    entry["link"] = optional_string(e.link);
    entry["summary"] = optional_string(e.summary);
    entry["content"] = optional_string(e.content);
    entry["published"] = optional_time(e.published);
    entry["updated"] = optional_time(e.updated);
    entry["authors"] = people(e.authors);
    entry["categories"] = strings(e.categories);
    ordered_json enclosures = ordered_json::array();
    for (const auto& enc : e.enclosures) {
      ordered_json item;
      item["url"] = enc.url;
      item["type"] = optional_string(enc.type);
      item["length"] = enc.length ? ordered_json(*enc.length) : ordered_json(nullptr);
      enclosures.push_back(std::move(item));
    }
    entry["enclosures"] = std::move(enclosures);
    entries.push_back(std::move(entry));
  }
  out["entries"] = std::move(entries);
  return out;
}

}  // namespace newsmirror::parse
