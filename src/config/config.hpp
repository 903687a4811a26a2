// The mirror's configuration: `newsmirror.toml` at the top of the mirror
// folder. Grammar (TOML; every key optional unless noted):
//
//   concurrency = 8              transfers at once            (integer >= 1)
//   per_host = 2                 transfers at once per host   (integer >= 1)
//   connect_timeout = "10s"      duration (see parse_duration)
//   timeout = "60s"              whole transfer, duration
//   proxy = "socks5h://..."      default proxy for every source; a password
//                                comes from the environment:
//                                "http://me:${PROXY_PASSWORD}@host:3128"
//   ca_file = "certs/ca.pem"     PEM file of the certificate authorities to
//                                trust instead of the system's (relative to
//                                the mirror folder)
//   user_agent = "..."           default User-Agent
//   interval = "15m"             default time between fetches of a source
//   timezone = "Asia/Shanghai"   zone for dates that carry none, and for the
//                                month-day on list pages
//   layout = "early"             how sites are written (see Layout below):
//                                "early" or "later"
//   list_entries = 100           entries per list page (integer >= 1;
//                                default 100 early, 300 later)
//   list_footer = true           "[查看更多]" footer on list pages (default:
//                                true early, false later)
//   clean = true                 clean every article (sanitize, site rules);
//                                false archives the feed's HTML untouched
//   images = "remote"            "remote" keeps image URLs; "local" stores
//                                images in the mirror (assets/)
//   max_new_per_cycle = 1000     new articles a source may add in one cycle
//                                (integer >= 1); the rest, newer, come in
//                                the cycles after
//   image_max_bytes = "5MiB"     per-image cap: bytes (integer) or a size
//                                with a unit B, KB, KiB, MB, MiB, GB, GiB
//
//   [[source]]                   one per source, in order
//   name = "法广"                 required, unique
//   url = "https://..."          required: a string or an array of strings,
//                                tried in order until one answers; http(s)
//   proxy, user_agent, interval, timezone, clean, images, layout
//                                override the global ones
//   folder = "rfi"               the folder under articles/ (default: the
//                                name, made safe as a file name)
//   numbering = "count-down"     "count-down": each new article takes the
//                                site's smallest number minus one;
//                                "guid-post-id": 0xFFFFF XOR the WordPress
//                                post id in the GUID (?p=ID), counting down
//                                when a GUID has none
//   enabled = true
//   full_text = false            fetch each new entry's page and extract it
//   allow_private = false        let the links and images of its items reach
//                                loopback, private and link-local addresses
//                                (fetch/address_policy.hpp); for a source
//                                that really links into an intranet
//   remove = [".promo", ...]     CSS selectors (clean/selector.hpp) cut from
//                                every article: share blocks, promos, ads
//   keep = "div.article-body"    CSS selector: keep only what it matches
//                                (the whole article when it matches nothing)
//
// Errors name the file, the line and the key, e.g.
//   newsmirror.toml:12: source "法广": key "interval": expected a duration like "15m", got "soon"
//   newsmirror.toml:14: source "法广": key "remove": selector ".a >": expected a selector after '>' at column 5
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clean/site_rules.hpp"
#include "core/mirror_layout.hpp"
#include "core/result.hpp"

namespace newsmirror::config {

inline constexpr std::string_view kConfigFileName = core::layout::kConfig;

// Where an article's images live: at the publisher (remote) or in the
// mirror's assets/ folder (local), for readers who cannot reach the CDN.
enum class ImageMode { remote, local };
std::string_view to_string(ImageMode mode);

// The two layouts of the existing mirrors (docs/archive-format.md):
//  - early (2020): articles/<name>/<N>_<title>.md, list pages of 100
//    entries ending with the "[查看更多]" footer;
//  - later (2021-2024): an ASCII folder (articles/rfi/) under the Chinese
//    list name (lists/法广.md), <N>.md without a title, 300 entries and no
//    footer.
enum class Layout { early, later };
std::string_view to_string(Layout layout);

// How a source's new articles are numbered (see `numbering` above).
enum class Numbering { count_down, guid_post_id };
std::string_view to_string(Numbering numbering);

struct Source {
  std::string name;
  std::vector<std::string> urls;  // at least one; tried in order
  std::optional<std::string> proxy;
  std::optional<std::string> user_agent;
  std::optional<std::chrono::seconds> interval;
  std::optional<std::string> timezone;
  bool enabled = true;
  std::optional<bool> clean;        // unset: the global `clean`
  std::optional<ImageMode> images;  // unset: the global `images`
  bool full_text = false;
  bool allow_private = false;
  std::optional<std::string> folder;   // unset: the name, made safe
  std::optional<Layout> layout;        // unset: the global `layout`
  Numbering numbering = Numbering::count_down;
  // `remove` and `keep`, selectors checked when the file is read; compile
  // them with clean::compile.
  clean::SiteRules rules;

  bool operator==(const Source&) const = default;
};

struct Config {
  int concurrency = 8;
  int per_host = 2;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{60};
  std::optional<std::string> proxy;
  std::optional<std::string> ca_file;
  std::optional<std::string> user_agent;
  std::chrono::seconds interval{15 * 60};
  std::string timezone = "Asia/Shanghai";  // the existing mirrors use UTC+8
  Layout layout = Layout::early;
  std::optional<int> list_entries;   // unset: what the layout has
  std::optional<bool> list_footer;   // unset: what the layout has
  bool clean = true;
  ImageMode images = ImageMode::remote;
  std::int64_t image_max_bytes = 5 * 1024 * 1024;
  int max_new_per_cycle = 1000;
  std::vector<Source> sources;

  bool operator==(const Config&) const = default;
};

// The settings a fresh mirror starts with: the global defaults above and
// the nine sources of the classic mirrors, in their traditional order, with
// the site rules derived from their real articles
// (tests/clean/site_rules_test.cpp checks them against ../shared).
Config default_config();
// The ASCII folder the later mirrors gave one of the default sources
// ("法广" -> "rfi"), or nullopt for any other name.
std::optional<std::string> later_layout_folder(std::string_view source_name);

// `mirror_dir / "newsmirror.toml"`.
std::filesystem::path config_path(const std::filesystem::path& mirror_dir);

// Reads and parses a file; errors are ErrorKind::config (or io when the file
// cannot be read) and start with the file's name.
core::Result<Config> load_config(const std::filesystem::path& file);

// Parses TOML text; `file_name` only labels error messages.
core::Result<Config> parse_config(std::string_view text, std::string_view file_name);

// A clean, commented TOML file; parse_config(render_config(c)) == c.
std::string render_config(const Config& config);

// Renders `config`, checks that it parses back (so an edit can never leave
// an unloadable file), and replaces `file` atomically (temp + fsync + rename).
core::Status save_config(const std::filesystem::path& file, const Config& config);

// `ca_file` as a path: relative to `mirror_dir` unless absolute; "" when unset.
std::string ca_file_path(const Config& config, const std::filesystem::path& mirror_dir);

// The text with each ${NAME} replaced by the environment variable NAME
// (letters, digits and '_', not starting with a digit); an unset one is a
// config error naming it. Secrets (a proxy's password) live there, not in
// newsmirror.toml. effective_proxy expands; load_config checks the names.
core::Result<std::string> expand_environment(std::string_view text);

// "90s", "15m", "1h", "1h30m", "1d" or a bare number of seconds.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);
// The shortest form parse_duration reads back: "15m", "1h30m", "45s", "0s".
std::string format_duration(std::chrono::seconds duration);

// "5MiB", "500KB", "1GiB", "300B" or a bare number of bytes; at least 1.
// KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024.
std::optional<std::int64_t> parse_size(std::string_view text);
// "5MiB" when a binary unit divides it exactly, else the number of bytes.
std::string format_size(std::int64_t bytes);

// Checks one source as parse_config would (name, URLs, interval, time
// zone, selectors); the message has no file or line, e.g.
//   source "x": key "url": expected an http:// or https:// URL, got "ftp://a"
core::Status validate_source(const Source& source);

// A source by exact name, or nullptr.
const Source* find_source(const Config& config, std::string_view name);

// What applies to `source` once the global defaults are taken into account.
std::chrono::seconds effective_interval(const Config& config, const Source& source);
std::optional<std::string> effective_proxy(const Config& config, const Source& source);
std::optional<std::string> effective_user_agent(const Config& config, const Source& source);
std::string effective_timezone(const Config& config, const Source& source);
bool effective_clean(const Config& config, const Source& source);
ImageMode effective_images(const Config& config, const Source& source);
Layout effective_layout(const Config& config, const Source& source);
// A list page of a site in `layout`: the global list_entries/list_footer,
// else what the layout has.
int effective_list_entries(const Config& config, Layout layout);
bool effective_list_footer(const Config& config, Layout layout);

}  // namespace newsmirror::config
