// What a fuzz input means, shared by the fuzzers and by the regression test
// of the normal build (tests/parse/fuzz_regression_test.cpp), so a kept input
// replays the same way in both.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/time_zone.hpp"
#include "core/url.hpp"
#include "parse/date.hpp"
#include "parse/feed_parser.hpp"
#include "parse/feed_schema_json.hpp"

namespace newsmirror::fuzz {

// ---------------------------------------------------------------- feed
//
// Feed input layout (fuzz/make_seeds.py writes seeds this way):
//   byte 0: low nibble  = Content-Type choice, 15 = a custom line follows
//           high nibble = base URL choice,     15 = a custom line follows
//   byte 1: bit 0 = give parse_feed a markup filter (resolve_against_base)
//           bits 1-2 = default time zone
//   then the custom Content-Type line, then the custom base URL line (each
//   ends at '\n', at most 200 bytes), then the document.

inline constexpr unsigned kCustomChoice = 15;

inline constexpr std::string_view kContentTypes[] = {
    "",
    "application/rss+xml",
    "application/atom+xml; charset=utf-8",
    "text/xml; charset=gb2312",
    "text/xml; charset=big5",
    "application/xml; charset=\"utf-16\"",
    "text/html; charset=iso-8859-1",
    "text/plain; charset=windows-1252",
    "application/json",
    "application/feed+json; charset=utf-8",
    "text/xml; charset=shift_jis",
    "text/xml; charset=koi8-r",
    "text/xml; charset=utf-32le",
    "application/xml; charset=no-such-charset",
    "text/xml;charset= 'us-ascii'",
};

inline constexpr std::string_view kBaseUrls[] = {
    "",
    "http://example.org/feed.xml",
    "https://example.com/a/b/c/feed?x=1#frag",
    "http://user:pw@例子.测试:8080/路径/rss.xml",
    "http://[::1]/rss",
    "https://EXAMPLE.org:443/./a/../b/",
    "file:///tmp/feed.xml",
    "http://example.org",
    "feed.xml",
    "//example.org/scheme-relative",
    "mailto:someone@example.org",
    "http://xn--fsq.example/%zz/",
    "https://example.org/a?b=c&d=e",
    "http://a/b/c/d;p?q",
    "http:relative",
};

static_assert(std::size(kContentTypes) == kCustomChoice && std::size(kBaseUrls) == kCustomChoice);

// Default zones the inputs choose from: UTC, one with a history of changes,
// an odd fixed offset, one with daylight saving time.
inline const core::TimeZone& fuzz_zone(unsigned choice) {
  static const core::TimeZone zones[] = {
      core::TimeZone(),
      core::TimeZone::from_name("Asia/Shanghai").value(),
      core::TimeZone::from_name("+05:45").value(),
      core::TimeZone::from_name("America/New_York").value(),
  };
  return zones[choice % std::size(zones)];
}

// A '\n'-terminated line at the front of `data` (at most 200 bytes), removed.
inline std::string take_line(std::string_view& data) {
  auto end = data.substr(0, 200).find('\n');
  std::size_t length = end == std::string_view::npos ? std::min<std::size_t>(data.size(), 200) : end;
  std::string line(data.substr(0, length));
  data.remove_prefix(std::min(data.size(), length + 1));
  return line;
}

// A markup filter that, like the sanitizer of `parse --clean`, resolves a
// relative URL against the base the parser hands it (xml:base over the
// document URL). The sanitizer itself lives in clean/, outside the parsers
// this build compiles.
inline std::string resolve_against_base(std::string_view markup, std::string_view base_url) {
  auto resolved = core::url::resolve(base_url, "../img/a.png?x#y");
  return std::string(markup) + (resolved ? " " + *resolved : std::string());
}

struct FeedInput {
  parse::ParseOptions options;
  std::string_view document;
};

inline FeedInput read_feed_input(std::string_view data) {
  unsigned choices = data.size() > 0 ? static_cast<unsigned char>(data[0]) : 0;
  unsigned flags = data.size() > 1 ? static_cast<unsigned char>(data[1]) : 0;
  data.remove_prefix(std::min<std::size_t>(data.size(), 2));
  FeedInput input;
  unsigned content_type = choices & 0x0F, base_url = choices >> 4;
  input.options.content_type =
      content_type == kCustomChoice ? take_line(data) : std::string(kContentTypes[content_type]);
  input.options.base_url = base_url == kCustomChoice ? take_line(data) : std::string(kBaseUrls[base_url]);
  if (flags & 1) input.options.markup_filter = resolve_against_base;
  input.options.default_zone = fuzz_zone(flags >> 1);
  input.document = data;
  return input;
}

// The `newsmirror parse` path: the JSON it would print, or the error.
inline std::string parse_like_cli(const FeedInput& input) {
  auto feed = parse::parse_feed(input.document, input.options);
  if (!feed) return feed.error().message;
  return parse::feed_to_json(*feed).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---------------------------------------------------------------- date
//
// A date input is the text itself, read in three default zones. What the
// zone may change: not whether the text parses, and an instant only by
// nothing (the text named its zone) or by the zone's offset at that wall
// clock. Returns what went wrong, or nullopt.
inline std::optional<std::string> date_zone_disagreement(std::string_view text) {
  static const core::TimeZone utc;
  static const core::TimeZone zones[] = {
      core::TimeZone::from_name("Asia/Shanghai").value(),
      core::TimeZone::from_name("-03:30").value(),
  };
  auto in_utc = parse::parse_date(text, utc);
  for (const auto& zone : zones) {
    auto in_zone = parse::parse_date(text, zone);
    if (in_utc.has_value() != in_zone.has_value())
      return "parses in " + std::string(in_utc ? "UTC" : zone.name()) + " only";
    if (!in_utc) continue;
    using std::chrono::seconds;
    // Read in UTC, the instant is the wall-clock time itself.
    auto wall = std::chrono::floor<seconds>(*in_utc);
    auto difference = std::chrono::duration_cast<seconds>(*in_utc - *in_zone);
    if (difference != seconds{0} && difference != zone.offset_at_local(wall))
      return "reading in " + zone.name() + " shifts it by " + std::to_string(difference.count()) + " s";
  }
  return std::nullopt;
}

}  // namespace newsmirror::fuzz
