// libFuzzer target for the whole `newsmirror parse` path: bytes -> parse_feed
// -> feed_to_json -> text. The leading bytes choose the transport context
// (HTTP Content-Type, base URL, markup filter, default zone) so the encoding
// paths (header charset, BOM, XML declaration, detection) and xml:base
// resolution are exercised along with the document itself.
//
// Input layout (docs/fuzzing.md; scripts/fuzz writes seeds this way):
//   byte 0: low nibble  = Content-Type choice, 15 = a custom line follows
//           high nibble = base URL choice,     15 = a custom line follows
//   byte 1: bit 0 = run the markup filter (minimal_clean, as `parse --clean`)
//           bits 1-2 = default time zone
//   then the custom Content-Type line, then the custom base URL line (each
//   ends at '\n', at most 200 bytes), then the document.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/time_zone.hpp"
#include "parse/feed_json.hpp"
#include "parse/feed_parser.hpp"
#include "parse/minimal_clean.hpp"

namespace {

using namespace newsmirror;

constexpr unsigned kCustom = 15;

constexpr std::string_view kContentTypes[] = {
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

constexpr std::string_view kBaseUrls[] = {
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

static_assert(std::size(kContentTypes) == kCustom && std::size(kBaseUrls) == kCustom);

const core::TimeZone& zone(unsigned choice) {
  static const core::TimeZone zones[] = {
      core::TimeZone(),
      core::TimeZone::from_name("Asia/Shanghai").value(),
      core::TimeZone::from_name("+05:45").value(),
      core::TimeZone::from_name("America/New_York").value(),
  };
  return zones[choice % 4];
}

// A '\n'-terminated line at the front of `data` (at most 200 bytes), removed.
std::string take_line(std::string_view& data) {
  auto end = data.substr(0, 200).find('\n');
  std::size_t length = end == std::string_view::npos ? std::min<std::size_t>(data.size(), 200) : end;
  std::string line(data.substr(0, length));
  data.remove_prefix(std::min(data.size(), length + 1));
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 2) return 0;
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  unsigned choices = static_cast<unsigned char>(data[0]);
  unsigned flags = static_cast<unsigned char>(data[1]);
  data.remove_prefix(2);

  parse::ParseOptions options;
  unsigned content_type = choices & 0x0F, base_url = choices >> 4;
  options.content_type = content_type == kCustom ? take_line(data) : std::string(kContentTypes[content_type]);
  options.base_url = base_url == kCustom ? take_line(data) : std::string(kBaseUrls[base_url]);
  if (flags & 1) options.markup_filter = parse::minimal_clean;
  options.default_zone = zone(flags >> 1);

  auto feed = parse::parse_feed(data, options);
  if (!feed) return 0;
  // What `newsmirror parse` prints: invalid UTF-8 is replaced, never thrown.
  std::string text = parse::feed_to_json(*feed).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  return text.empty() ? -1 : 0;
}
