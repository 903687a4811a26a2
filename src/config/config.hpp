// The mirror's configuration: `newsmirror.toml` at the top of the mirror
// folder. Grammar (TOML; every key optional unless noted):
//
//   concurrency = 8              transfers at once            (integer >= 1)
//   per_host = 2                 transfers at once per host   (integer >= 1)
//   connect_timeout = "10s"      duration (see parse_duration)
//   timeout = "60s"              whole transfer, duration
//   proxy = "socks5h://..."      default proxy for every source
//   user_agent = "..."           default User-Agent
//   interval = "15m"             default time between fetches of a source
//   timezone = "Asia/Shanghai"   zone for dates that carry none, and for the
//                                month-day on list pages
//   list_entries = 100           entries per list page (integer >= 1)
//   list_footer = true           "[查看更多]" footer on list pages
//
//   [[source]]                   one per source, in order
//   name = "法广"                 required, unique
//   url = "https://..."          required: a string or an array of strings,
//                                tried in order until one answers; http(s)
//   proxy, user_agent, interval, timezone   override the global ones
//   enabled = true
//
// Errors name the file, the line and the key, e.g.
//   newsmirror.toml:12: source "法广": key "interval": expected a duration like "15m", got "soon"
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace newsmirror::config {

inline constexpr std::string_view kConfigFileName = "newsmirror.toml";

struct Source {
  std::string name;
  std::vector<std::string> urls;  // at least one; tried in order
  std::optional<std::string> proxy;
  std::optional<std::string> user_agent;
  std::optional<std::chrono::seconds> interval;
  std::optional<std::string> timezone;
  bool enabled = true;

  bool operator==(const Source&) const = default;
};

struct Config {
  int concurrency = 8;
  int per_host = 2;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{60};
  std::optional<std::string> proxy;
  std::optional<std::string> user_agent;
  std::chrono::seconds interval{15 * 60};
  std::string timezone = "Asia/Shanghai";  // the existing mirrors use UTC+8
  int list_entries = 100;
  bool list_footer = true;
  std::vector<Source> sources;

  bool operator==(const Config&) const = default;
};

// The settings a fresh mirror starts with: the global defaults above and
// the nine sources of the classic mirrors, in their traditional order.
Config default_config();

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

// "90s", "15m", "1h", "1h30m", "1d" or a bare number of seconds.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);
// The shortest form parse_duration reads back: "15m", "1h30m", "45s", "0s".
std::string format_duration(std::chrono::seconds duration);

// Checks one source as parse_config would (name, URLs, interval, time
// zone); the message has no file or line, e.g.
//   source "x": key "url": expected an http:// or https:// URL, got "ftp://a"
core::Status validate_source(const Source& source);

// A source by exact name, or nullptr.
const Source* find_source(const Config& config, std::string_view name);

// What applies to `source` once the global defaults are taken into account.
std::chrono::seconds effective_interval(const Config& config, const Source& source);
std::optional<std::string> effective_proxy(const Config& config, const Source& source);
std::optional<std::string> effective_user_agent(const Config& config, const Source& source);
std::string effective_timezone(const Config& config, const Source& source);

}  // namespace newsmirror::config
