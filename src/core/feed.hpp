// The Feed/Entry model every feed format is parsed into. Plain values: the
// parser fills them, later stages read them. Field meanings follow
// ../shared/corpus/feeds/SCHEMA.md; a missing value is std::nullopt.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace newsmirror::core {

// Milliseconds since the Unix epoch, UTC. The classic archive stores exactly
// this in its first line.
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

struct Person {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::string> uri;
};

struct Enclosure {
  std::string url;
  std::optional<std::string> type;
  std::optional<std::int64_t> length;
};

struct Entry {
  std::optional<std::string> id;       // guid, atom:id, JSON id
  std::optional<std::string> title;
  std::optional<std::string> link;     // absolute
  std::optional<std::string> summary;  // markup as carried by the feed
  std::optional<std::string> content;  // markup as carried by the feed
  std::optional<TimePoint> published;
  std::optional<TimePoint> updated;
  std::vector<Person> authors;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;

  // The HTML an archive stores: the content, else the summary.
  const std::optional<std::string>& html() const {
    return content ? content : summary;
  }
};

struct FeedImage {
  std::optional<std::string> url;
  std::optional<std::string> title;
};

enum class FeedFormat { rss, atom, rdf, json };

struct Feed {
  FeedFormat format = FeedFormat::rss;
  std::optional<std::string> version;
  std::string encoding = "utf-8";  // charset used to decode, lower case
  std::optional<std::string> title;
  std::optional<std::string> link;
  std::optional<std::string> self_link;
  std::optional<std::string> description;
  std::optional<std::string> language;
  std::optional<std::string> rights;
  std::optional<std::string> generator;
  std::optional<TimePoint> published;
  std::optional<TimePoint> updated;
  std::optional<FeedImage> image;
  std::vector<Person> authors;
  std::vector<std::string> categories;
  std::vector<Entry> entries;
};

const char* to_string(FeedFormat format);

}  // namespace newsmirror::core
