// newsmirror.toml: parsing with located errors, rendering, atomic saving.
#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "clean/selector.hpp"
#include "core/read_file.hpp"
#include "core/suggest.hpp"
#include "core/time_zone.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::config {

namespace {

using core::Error;
using core::ErrorKind;

constexpr std::string_view kGlobalKeys[] = {
    "concurrency", "per_host",    "connect_timeout", "timeout", "proxy",  "ca_file", "user_agent", "interval",
    "timezone",    "layout",   "list_entries", "list_footer", "clean", "images", "image_max_bytes",
    "max_new_per_cycle", "source"};
constexpr std::string_view kSourceKeys[] = {"name",     "url",     "proxy",  "user_agent", "interval",
                                            "timezone", "enabled", "clean",  "images",     "full_text",
                                            "folder",   "layout",  "numbering", "remove",  "keep",
                                            "allow_private"};

template <std::size_t N>
std::string unknown_key_message(std::string_view key, const std::string_view (&known)[N]) {
  if (auto best = core::closest_match(key, std::vector<std::string_view>(std::begin(known), std::end(known))))
    return fmt::format("unknown key \"{}\" (did you mean \"{}\"?)", key, *best);
  std::string list;
  for (auto candidate : known) list += (list.empty() ? "" : ", ") + std::string(candidate);
  return fmt::format("unknown key \"{}\" (known keys: {})", key, list);
}

// How a wrong value reads in a message: `got "soon"`, `got -3`, `got an array`.
std::string describe(const toml::node& node) {
  if (auto s = node.as_string()) return fmt::format("\"{}\"", s->get());
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  if (auto f = node.as_floating_point()) return fmt::format("{}", f->get());
  if (node.is_array()) return "an array";
  if (node.is_table()) return "a table";
  return "a date/time";
}

bool is_http_url(std::string_view url) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string_view rest;
  auto head = lower(url.substr(0, 8));
  if (head.starts_with("http://")) rest = url.substr(7);
  else if (head.starts_with("https://")) rest = url.substr(8);
  else return false;
  if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#') return false;
  return std::none_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

// Collects the context of one value so every message has the same shape:
//   <file>:<line>: [source "<name>": ]key "<key>": <problem>
class Checker {
 public:
  explicit Checker(std::string_view file) : file_(file) {}

  // An empty file name checks values built in memory: no location to give.
  Error at(const toml::source_region& where, std::string_view scope, std::string_view message) const {
    if (file_.empty()) return Error(ErrorKind::config, fmt::format("{}{}", scope, message));
    return Error(ErrorKind::config, fmt::format("{}:{}: {}{}", file_, where.begin.line, scope, message));
  }
  Error bad_value(const toml::node& node, std::string_view scope, std::string_view key,
                  std::string_view expected) const {
    return at(node.source(), scope,
              fmt::format("key \"{}\": expected {}, got {}", key, expected, describe(node)));
  }

  core::Result<int> positive_int(const toml::node& node, std::string_view scope, std::string_view key) const {
    auto i = node.as_integer();
    if (!i || i->get() < 1 || i->get() > std::numeric_limits<int>::max())
      return bad_value(node, scope, key, "a positive integer");
    return static_cast<int>(i->get());
  }
  core::Result<bool> boolean(const toml::node& node, std::string_view scope, std::string_view key) const {
    auto b = node.as_boolean();
    if (!b) return bad_value(node, scope, key, "true or false");
    return b->get();
  }
  core::Result<std::string> text(const toml::node& node, std::string_view scope, std::string_view key) const {
    auto s = node.as_string();
    if (!s || s->get().empty()) return bad_value(node, scope, key, "a non-empty string");
    return s->get();
  }
  core::Result<std::chrono::seconds> duration(const toml::node& node, std::string_view scope,
                                              std::string_view key, bool allow_zero) const {
    std::optional<std::chrono::seconds> value;
    if (auto i = node.as_integer()) {
      if (i->get() >= 0) value = std::chrono::seconds(i->get());
    } else if (auto s = node.as_string()) {
      value = parse_duration(s->get());
    }
    if (!value || (!allow_zero && value->count() == 0))
      return bad_value(node, scope, key, "a duration like \"15m\"");
    return *value;
  }
  core::Result<std::string> timezone(const toml::node& node, std::string_view scope, std::string_view key) const {
    auto name = text(node, scope, key);
    if (!name) return name;
    auto zone = core::TimeZone::from_name(*name);
    if (!zone) return at(node.source(), scope, fmt::format("key \"{}\": {}", key, zone.error().message));
    return name;
  }
  // One of two words, each naming a value: images = "remote" | "local".
  template <typename Value>
  core::Result<Value> either(const toml::node& node, std::string_view scope, std::string_view key,
                             std::pair<std::string_view, Value> first, std::pair<std::string_view, Value> second) const {
    if (auto s = node.as_string()) {
      if (s->get() == first.first) return first.second;
      if (s->get() == second.first) return second.second;
    }
    return bad_value(node, scope, key, fmt::format("\"{}\" or \"{}\"", first.first, second.first));
  }
  core::Result<ImageMode> image_mode(const toml::node& node, std::string_view scope, std::string_view key) const {
    return either(node, scope, key, std::pair{to_string(ImageMode::remote), ImageMode::remote},
                  std::pair{to_string(ImageMode::local), ImageMode::local});
  }
  core::Result<Layout> layout(const toml::node& node, std::string_view scope, std::string_view key) const {
    return either(node, scope, key, std::pair{to_string(Layout::early), Layout::early},
                  std::pair{to_string(Layout::later), Layout::later});
  }
  core::Result<Numbering> numbering(const toml::node& node, std::string_view scope, std::string_view key) const {
    return either(node, scope, key, std::pair{to_string(Numbering::count_down), Numbering::count_down},
                  std::pair{to_string(Numbering::guid_post_id), Numbering::guid_post_id});
  }
  // A folder under articles/: one plain name that stays inside it.
  core::Result<std::string> folder(const toml::node& node, std::string_view scope, std::string_view key) const {
    auto name = text(node, scope, key);
    if (!name) return name;
    const bool unsafe = name->starts_with('.') || std::any_of(name->begin(), name->end(), [](unsigned char c) {
      return c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' ||
             c == '"' || c == '<' || c == '>' || c == '|';
    });
    if (unsafe)
      return bad_value(node, scope, key,
                       "a plain folder name (no path separator, leading dot or character a file name cannot hold)");
    return name;
  }
  core::Result<std::int64_t> size(const toml::node& node, std::string_view scope, std::string_view key) const {
    std::optional<std::int64_t> value;
    if (auto i = node.as_integer()) {
      if (i->get() >= 1) value = i->get();
    } else if (auto s = node.as_string()) {
      value = parse_size(s->get());
    }
    if (!value) return bad_value(node, scope, key, "a size in bytes or like \"5MiB\"");
    return *value;
  }
  // A CSS selector, parsed here so that a typo fails when the file is read
  // rather than at the first article of the source.
  core::Result<std::string> selector(const toml::node& node, std::string_view scope, std::string_view key) const {
    auto s = node.as_string();
    if (!s) return bad_value(node, scope, key, "a CSS selector string");
    if (auto parsed = clean::parse_selector(s->get()); !parsed)
      return at(node.source(), scope, fmt::format("key \"{}\": {}", key, parsed.error().message));
    return s->get();
  }
  // One selector or an array of them.
  core::Result<std::vector<std::string>> selectors(const toml::node& node, std::string_view scope,
                                                   std::string_view key) const {
    std::vector<std::string> out;
    auto take = [&](const toml::node& item) -> core::Status {
      auto value = selector(item, scope, key);
      if (!value) return value.error();
      out.push_back(std::move(*value));
      return core::ok_status();
    };
    if (auto array = node.as_array()) {
      for (auto& item : *array)
        if (auto status = take(item); !status) return status.error();
    } else if (auto status = take(node); !status) {
      return status.error();
    }
    return out;
  }
  core::Result<std::vector<std::string>> urls(const toml::node& node, std::string_view scope) const {
    std::vector<std::string> out;
    auto check = [&](const toml::node& item) -> core::Status {
      auto s = item.as_string();
      if (!s || !is_http_url(s->get()))
        return bad_value(item, scope, "url", "an http:// or https:// URL");
      out.push_back(s->get());
      return core::ok_status();
    };
    if (auto array = node.as_array()) {
      if (array->empty()) return bad_value(node, scope, "url", "at least one URL");
      for (auto& item : *array)
        if (auto status = check(item); !status) return status.error();
    } else if (auto status = check(node); !status) {
      return status.error();
    }
    return out;
  }

 private:
  std::string file_;
};

core::Result<Source> parse_source(const Checker& check, const toml::table& table, std::size_t index) {
  Source source;
  std::string scope = fmt::format("source #{}: ", index + 1);
  if (auto name = table.get("name")) {
    auto value = check.text(*name, scope, "name");
    if (!value) return value.error();
    source.name = *value;
    scope = fmt::format("source \"{}\": ", source.name);
  }
  for (auto&& [key, node] : table) {
    std::string_view k = key.str();
    if (std::find(std::begin(kSourceKeys), std::end(kSourceKeys), k) == std::end(kSourceKeys))
      return check.at(key.source(), scope, unknown_key_message(k, kSourceKeys));
    core::Status status = core::ok_status();
    auto take = [&](auto result, auto& field) {
      if (!result) status = result.error();
      else field = std::move(*result);
    };
    if (k == "url") take(check.urls(node, scope), source.urls);
    else if (k == "proxy") take(check.text(node, scope, k), source.proxy);
    else if (k == "user_agent") take(check.text(node, scope, k), source.user_agent);
    else if (k == "interval") take(check.duration(node, scope, k, /*allow_zero=*/true), source.interval);
    else if (k == "timezone") take(check.timezone(node, scope, k), source.timezone);
    else if (k == "enabled") take(check.boolean(node, scope, k), source.enabled);
    else if (k == "clean") take(check.boolean(node, scope, k), source.clean);
    else if (k == "images") take(check.image_mode(node, scope, k), source.images);
    else if (k == "full_text") take(check.boolean(node, scope, k), source.full_text);
    else if (k == "allow_private") take(check.boolean(node, scope, k), source.allow_private);
    else if (k == "folder") take(check.folder(node, scope, k), source.folder);
    else if (k == "layout") take(check.layout(node, scope, k), source.layout);
    else if (k == "numbering") take(check.numbering(node, scope, k), source.numbering);
    else if (k == "remove") take(check.selectors(node, scope, k), source.rules.remove);
    else if (k == "keep") take(check.selector(node, scope, k), source.rules.keep);
    if (!status) return status.error();
  }
  if (source.name.empty()) return check.at(table.source(), scope, "missing key \"name\"");
  if (source.urls.empty()) return check.at(table.source(), scope, "missing key \"url\"");
  return source;
}

core::Result<Config> parse_table(const Checker& check, const toml::table& root) {
  Config config;
  config.sources.clear();
  for (auto&& [key, node] : root) {
    std::string_view k = key.str();
    if (std::find(std::begin(kGlobalKeys), std::end(kGlobalKeys), k) == std::end(kGlobalKeys))
      return check.at(key.source(), "", unknown_key_message(k, kGlobalKeys));
    core::Status status = core::ok_status();
    auto take = [&](auto result, auto& field) {
      if (!result) status = result.error();
      else field = std::move(*result);
    };
    if (k == "concurrency") take(check.positive_int(node, "", k), config.concurrency);
    else if (k == "per_host") take(check.positive_int(node, "", k), config.per_host);
    else if (k == "connect_timeout") take(check.duration(node, "", k, false), config.connect_timeout);
    else if (k == "timeout") take(check.duration(node, "", k, false), config.timeout);
    else if (k == "proxy") take(check.text(node, "", k), config.proxy);
    else if (k == "ca_file") take(check.text(node, "", k), config.ca_file);
    else if (k == "user_agent") take(check.text(node, "", k), config.user_agent);
    else if (k == "interval") take(check.duration(node, "", k, true), config.interval);
    else if (k == "timezone") take(check.timezone(node, "", k), config.timezone);
    else if (k == "layout") take(check.layout(node, "", k), config.layout);
    else if (k == "list_entries") take(check.positive_int(node, "", k), config.list_entries);
    else if (k == "list_footer") take(check.boolean(node, "", k), config.list_footer);
    else if (k == "clean") take(check.boolean(node, "", k), config.clean);
    else if (k == "images") take(check.image_mode(node, "", k), config.images);
    else if (k == "image_max_bytes") take(check.size(node, "", k), config.image_max_bytes);
    else if (k == "max_new_per_cycle") take(check.positive_int(node, "", k), config.max_new_per_cycle);
    if (!status) return status.error();
  }

  auto sources = root.get("source");
  if (!sources) return config;
  auto array = sources->as_array();
  if (!array || !array->is_array_of_tables())
    return check.at(sources->source(), "", "key \"source\": expected [[source]] tables");
  for (std::size_t i = 0; i < array->size(); ++i) {
    auto& table = *array->get(i)->as_table();
    auto source = parse_source(check, table, i);
    if (!source) return source.error();
    for (std::size_t j = 0; j < config.sources.size(); ++j)
      if (config.sources[j].name == source->name)
        return check.at(table.get("name")->source(), fmt::format("source \"{}\": ", source->name),
                        fmt::format("duplicate name (source #{} has it already)", j + 1));
    config.sources.push_back(std::move(*source));
  }
  return config;
}

// A TOML basic string.
std::string quote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\u{:04X}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// toml++ says "Error while parsing string: ..."; the reader wants to know it
// is the file's syntax, not a value we rejected.
std::string syntax_error_message(std::string_view description) {
  constexpr std::string_view kPrefix = "Error while parsing ";
  if (description.starts_with(kPrefix)) {
    description.remove_prefix(kPrefix.size());
    auto colon = description.find(": ");
    if (colon != std::string_view::npos)
      return fmt::format("TOML syntax error in {}: {}", description.substr(0, colon),
                         description.substr(colon + 2));
  }
  return fmt::format("TOML syntax error: {}", description);
}

// `key "proxy": ` when the offending line is a `proxy = ...` pair, so a
// syntax error names its key like every other error; else empty.
std::string syntax_error_key(std::string_view text, std::size_t line) {
  for (std::size_t n = 1; n < line && !text.empty(); ++n) {
    auto end = text.find('\n');
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  text = text.substr(0, text.find('\n'));
  auto start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  text.remove_prefix(start);
  std::size_t length = 0;
  while (length < text.size() && (std::isalnum(static_cast<unsigned char>(text[length])) ||
                                  text[length] == '_' || text[length] == '-'))
    ++length;
  auto rest = text.substr(length);
  auto equals = rest.find_first_not_of(" \t");
  if (length == 0 || equals == std::string_view::npos || rest[equals] != '=') return {};
  return fmt::format("key \"{}\": ", text.substr(0, length));
}

}  // namespace

Config default_config() {
  Config config;
  auto add = [&](std::string name, std::string url, std::vector<std::string> remove = {}) {
    Source source;
    source.name = std::move(name);
    source.urls.push_back(std::move(url));
    source.rules.remove = std::move(remove);
    config.sources.push_back(std::move(source));
  };
  // Site rules come from the real articles in ../shared/corpus/archive;
  // tests/clean/site_rules_test.cpp checks that each still matches there and
  // that the article text survives. Sources without sample articles (路透,
  // 金融时报) or without boilerplate in them (纽约时报) get none.
  // feedx.net appends a "获取更多RSS" promo (and the <hr> before it) to some
  // of the feeds it relays.
  const std::vector<std::string> feedx_promo = {
      "div:has(> a[href='https://feedx.net'])",
      "hr:has(+ div > a[href='https://feedx.net'])",
  };
  add("路透", "https://feedx.net/rss/reuters.xml");
  add("纽约时报", "https://feedx.net/rss/nytimes.xml");
  add("美国之音", "https://feedx.net/rss/mgzy1.xml", feedx_promo);
  add("金融时报", "https://feedx.net/rss/ft.xml");
  add("BBC", "https://feedx.net/rss/bbc.xml",
      {
          "section[data-e2e='advertisement']",                             // ad slot ("广告")
          "ul:has(> li > a[href*='bbc.com/zhongwen/']:only-child)",        // lists of related BBC articles
          "ul:has(> li > a[href*='In_Article_Promo'])",                    // "watch on BBC iPlayer" promo
          "a[href^='#skip-twitter-content']",                              // "跳过 Twitter 帖子" skip link
          "p[id^='skip-twitter-content']",                                 // "结尾 Twitter 帖子" end marker
      });
  add("法广", "https://feedx.net/rss/rfi.xml",
      {
          "[data-selfpromo-newsletter]",        // newsletter sign-up slot
          "[data-selfpromo-app]",               // "download our app" slot
          "div:has(> div > [data-root-share])", // "分享 :" share block
      });
  add("德国之声", "https://feedx.net/rss/dw.xml", feedx_promo);
  add("自由亚洲电台", "https://www.rfa.org/mandarin/yataibaodao/rss2.xml",
      {
          "ul:has(> li > b > a.external-link)",  // in-text lists of related reports
          "#zoomattribute",                      // "enlarge image" icon link under photos
      });
  add("中国数字时代", "https://chinadigitaltimes.net/chinese/feed/",
      {
          ".addtoany_share_save_container",      // AddToAny share buttons
          "blockquote.wp-embedded-content",      // "相关阅读" embedded posts
          "p:has(> iframe.wp-embedded-content)", // their iframes
      });
  // The old script numbered CDT's articles by their WordPress post ids.
  config.sources.back().numbering = Numbering::guid_post_id;
  return config;
}

std::optional<std::string> later_layout_folder(std::string_view source_name) {
  // As the mirrors of 2021-2024 named them (../shared/corpus/archive-later).
  static constexpr std::pair<std::string_view, std::string_view> kFolders[] = {
      {"法广", "rfi"}, {"纽约时报", "nyt"}, {"BBC", "bbc"}, {"德国之声", "dw"}, {"美国之音", "voa"},
      {"自由亚洲电台", "rfa"}, {"中国数字时代", "cdt"}, {"金融时报", "ft"}, {"路透", "reuters"},
  };
  for (const auto& [name, folder] : kFolders)
    if (name == source_name) return std::string(folder);
  return std::nullopt;
}

std::filesystem::path config_path(const std::filesystem::path& mirror_dir) {
  return mirror_dir / kConfigFileName;
}

core::Result<Config> load_config(const std::filesystem::path& file) {
  auto text = core::read_file(file);
  if (!text) {
    auto kind = std::filesystem::exists(file) ? ErrorKind::io : ErrorKind::config;
    return Error(kind, fmt::format("{}: {} (run `newsmirror init` to create a mirror)", file.string(),
                                   text.error().message));
  }
  auto config = parse_config(*text, file.string());
  if (!config) return config;
  // A proxy's password comes from the environment, never from this file
  // (which a mistake could publish): what it names must be set now.
  std::vector<const std::optional<std::string>*> proxies = {&config->proxy};
  for (const auto& source : config->sources) proxies.push_back(&source.proxy);
  for (const auto* proxy : proxies)
    if (*proxy)
      if (auto expanded = expand_environment(**proxy); !expanded)
        return Error(ErrorKind::config, fmt::format("{}: key \"proxy\": {}", file.string(), expanded.error().message));
  return config;
}

core::Result<std::string> expand_environment(std::string_view text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t open = text.find("${", at);
    if (open == std::string_view::npos) break;
    std::size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    std::string name(text.substr(open + 2, close - open - 2));
    bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                 std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
    out.append(text.substr(at, open - at));
    if (!valid) {
      out.append(text.substr(open, close + 1 - open));
    } else if (const char* value = std::getenv(name.c_str())) {
      out.append(value);
    } else {
      return Error(ErrorKind::config, fmt::format("the environment variable {} it names is not set", name));
    }
    at = close + 1;
  }
  out.append(text.substr(at));
  return out;
}

core::Result<Config> parse_config(std::string_view text, std::string_view file_name) {
  Checker check(file_name);
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return check.at(e.source(), syntax_error_key(text, e.source().begin.line),
                    syntax_error_message(e.description()));
  }
  return parse_table(check, root);
}

std::string render_config(const Config& c) {
  std::string out;
  auto line = [&](std::string_view text) { (out += text) += '\n'; };
  auto optional_text = [&](std::string_view key, const std::optional<std::string>& value,
                           std::string_view example) {
    if (value) line(fmt::format("{} = {}", key, quote(*value)));
    else line(fmt::format("# {} = {}", key, example));
  };
  line("# newsmirror configuration. Durations: \"90s\", \"15m\", \"1h30m\" or seconds.");
  line("# Edit by hand or with `newsmirror sources add/remove/import`.");
  line("");
  line("# Transfers at once, in total and per host.");
  line(fmt::format("concurrency = {}", c.concurrency));
  line(fmt::format("per_host = {}", c.per_host));
  line("# Time allowed to connect, and for a whole transfer.");
  line(fmt::format("connect_timeout = {}", quote(format_duration(c.connect_timeout))));
  line(fmt::format("timeout = {}", quote(format_duration(c.timeout))));
  line("# Proxy and User-Agent for every source that sets none.");
  optional_text("proxy", c.proxy, "\"socks5h://127.0.0.1:1080\"");
  optional_text("user_agent", c.user_agent, "\"newsmirror\"");
  line("# Certificate authorities to trust instead of the system's (a PEM file).");
  optional_text("ca_file", c.ca_file, "\"certs/ca.pem\"");
  line("# Time between two fetches of a source that sets no interval.");
  line(fmt::format("interval = {}", quote(format_duration(c.interval))));
  line("# Zone for feed dates that carry none, and for dates on list pages.");
  line(fmt::format("timezone = {}", quote(c.timezone)));
  line("# How sites are written: \"early\" (articles/<name>/<N>_<title>.md, lists of 100");
  line("# entries with a \"查看更多\" footer) or \"later\" (<N>.md in an ASCII folder, 300");
  line("# entries, no footer). A source may set its own; list_entries and list_footer");
  line("# override what the layout has.");
  line(fmt::format("layout = {}", quote(to_string(c.layout))));
  if (c.list_entries) line(fmt::format("list_entries = {}", *c.list_entries));
  else line("# list_entries = 100");
  if (c.list_footer) line(fmt::format("list_footer = {}", *c.list_footer ? "true" : "false"));
  else line("# list_footer = true");
  line("# Clean articles (sanitize, site rules); false archives the feed's HTML untouched.");
  line(fmt::format("clean = {}", c.clean ? "true" : "false"));
  line("# Images: \"remote\" keeps their URLs, \"local\" stores them in assets/ (at most");
  line("# image_max_bytes each: bytes, or a size like \"5MiB\").");
  line(fmt::format("images = {}", quote(to_string(c.images))));
  line(fmt::format("image_max_bytes = {}", quote(format_size(c.image_max_bytes))));
  line("# New articles one source may add in a cycle; the rest come in the cycles after.");
  line(fmt::format("max_new_per_cycle = {}", c.max_new_per_cycle));
  line("");
  line("# One [[source]] per feed. `url` may be a list of mirrors tried in order.");
  line("# Optional per source: proxy, user_agent, interval, timezone, enabled, clean, images,");
  line("# full_text (fetch and extract each article's page), remove (CSS selectors cut from");
  line("# every article), keep (a CSS selector: keep only what it matches), folder (under");
  line("# articles/), layout, numbering (\"count-down\" or \"guid-post-id\"), and");
  line("# allow_private (let its links and images reach private and loopback addresses).");
  for (const auto& s : c.sources) {
    line("");
    line("[[source]]");
    line(fmt::format("name = {}", quote(s.name)));
    if (s.urls.size() == 1) {
      line(fmt::format("url = {}", quote(s.urls.front())));
    } else {
      line("url = [");
      for (const auto& url : s.urls) line(fmt::format("  {},", quote(url)));
      line("]");
    }
    if (s.proxy) line(fmt::format("proxy = {}", quote(*s.proxy)));
    if (s.user_agent) line(fmt::format("user_agent = {}", quote(*s.user_agent)));
    if (s.interval) line(fmt::format("interval = {}", quote(format_duration(*s.interval))));
    if (s.timezone) line(fmt::format("timezone = {}", quote(*s.timezone)));
    if (!s.enabled) line("enabled = false");
    if (s.clean) line(fmt::format("clean = {}", *s.clean ? "true" : "false"));
    if (s.images) line(fmt::format("images = {}", quote(to_string(*s.images))));
    if (s.full_text) line("full_text = true");
    if (s.allow_private) line("allow_private = true");
    if (s.folder) line(fmt::format("folder = {}", quote(*s.folder)));
    if (s.layout) line(fmt::format("layout = {}", quote(to_string(*s.layout))));
    if (s.numbering != Numbering::count_down) line(fmt::format("numbering = {}", quote(to_string(s.numbering))));
    if (!s.rules.remove.empty()) {
      line("remove = [");
      for (const auto& selector : s.rules.remove) line(fmt::format("  {},", quote(selector)));
      line("]");
    }
    if (s.rules.keep) line(fmt::format("keep = {}", quote(*s.rules.keep)));
  }
  return out;
}

core::Status save_config(const std::filesystem::path& file, const Config& config) {
  auto text = render_config(config);
  if (auto back = parse_config(text, file.string()); !back)
    return back.error().with_context("refusing to save an invalid configuration");
  // The archive's writer: temp file + fsync + rename + directory fsync, and
  // its temp names are the ones remove_stale_temp_files() cleans up.
  return storage::write_file_atomically(file, text);
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::int64_t{1} << 40;  // far beyond any sensible setting
  std::int64_t total = 0;
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 12) return std::nullopt;
    for (char c : text) total = total * 10 + (c - '0');
    return std::chrono::seconds(total);
  }
  // One or more <digits><unit> groups with units in decreasing order.
  std::string_view units = "dhms";
  std::size_t next_unit = 0;
  while (!text.empty()) {
    std::int64_t number = 0;
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
      number = number * 10 + (text[digits] - '0');
      if (++digits > 12) return std::nullopt;
    }
    if (digits == 0 || digits == text.size()) return std::nullopt;
    auto unit = units.find(text[digits], next_unit);
    if (unit == std::string_view::npos) return std::nullopt;
    next_unit = unit + 1;
    constexpr std::int64_t kScale[] = {86400, 3600, 60, 1};
    total += number * kScale[unit];
    if (total > kMax) return std::nullopt;
    text.remove_prefix(digits + 1);
  }
  return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds duration) {
  auto total = duration.count();
  if (total <= 0) return "0s";
  std::string out;
  if (auto h = total / 3600) out += fmt::format("{}h", h);
  if (auto m = total % 3600 / 60) out += fmt::format("{}m", m);
  if (auto s = total % 60) out += fmt::format("{}s", s);
  return out;
}

core::Status validate_source(const Source& source) {
  // The same checks as a file gets, run on the source as it would be written.
  toml::table table;
  if (!source.name.empty()) table.insert("name", source.name);
  if (!source.urls.empty()) {
    toml::array urls;
    for (const auto& url : source.urls) urls.push_back(url);
    table.insert("url", std::move(urls));
  }
  if (source.proxy) table.insert("proxy", *source.proxy);
  if (source.user_agent) table.insert("user_agent", *source.user_agent);
  if (source.interval) table.insert("interval", static_cast<std::int64_t>(source.interval->count()));
  if (source.timezone) table.insert("timezone", *source.timezone);
  table.insert("enabled", source.enabled);
  if (source.clean) table.insert("clean", *source.clean);
  if (source.images) table.insert("images", to_string(*source.images));
  table.insert("full_text", source.full_text);
  table.insert("allow_private", source.allow_private);
  if (source.folder) table.insert("folder", *source.folder);
  if (source.layout) table.insert("layout", to_string(*source.layout));
  table.insert("numbering", to_string(source.numbering));
  if (!source.rules.remove.empty()) {
    toml::array remove;
    for (const auto& selector : source.rules.remove) remove.push_back(selector);
    table.insert("remove", std::move(remove));
  }
  if (source.rules.keep) table.insert("keep", *source.rules.keep);
  auto checked = parse_source(Checker(""), table, 0);
  if (!checked) return checked.error();
  return core::ok_status();
}

const Source* find_source(const Config& config, std::string_view name) {
  for (const auto& source : config.sources)
    if (source.name == name) return &source;
  return nullptr;
}

std::string ca_file_path(const Config& config, const std::filesystem::path& mirror_dir) {
  if (!config.ca_file || config.ca_file->empty()) return {};
  return (mirror_dir / *config.ca_file).string();
}

std::chrono::seconds effective_interval(const Config& config, const Source& source) {
  return source.interval.value_or(config.interval);
}
std::optional<std::string> effective_proxy(const Config& config, const Source& source) {
  const auto& proxy = source.proxy ? source.proxy : config.proxy;
  if (!proxy) return std::nullopt;
  auto expanded = expand_environment(*proxy);
  return expanded ? *expanded : *proxy;  // (load_config has checked the names)
}
std::optional<std::string> effective_user_agent(const Config& config, const Source& source) {
  return source.user_agent ? source.user_agent : config.user_agent;
}
std::string effective_timezone(const Config& config, const Source& source) {
  return source.timezone.value_or(config.timezone);
}
bool effective_clean(const Config& config, const Source& source) {
  return source.clean.value_or(config.clean);
}
ImageMode effective_images(const Config& config, const Source& source) {
  return source.images.value_or(config.images);
}

Layout effective_layout(const Config& config, const Source& source) {
  return source.layout.value_or(config.layout);
}
int effective_list_entries(const Config& config, Layout layout) {
  return config.list_entries.value_or(layout == Layout::later ? 300 : 100);
}
bool effective_list_footer(const Config& config, Layout layout) {
  return config.list_footer.value_or(layout == Layout::early);
}

std::string_view to_string(ImageMode mode) {
  return mode == ImageMode::local ? "local" : "remote";
}
std::string_view to_string(Layout layout) {
  return layout == Layout::later ? "later" : "early";
}
std::string_view to_string(Numbering numbering) {
  return numbering == Numbering::guid_post_id ? "guid-post-id" : "count-down";
}

namespace {
struct SizeUnit {
  std::string_view name;
  std::int64_t bytes;
};
// Longest names first, so "MiB" is not read as "M" + "iB".
constexpr SizeUnit kSizeUnits[] = {{"GiB", std::int64_t{1} << 30}, {"MiB", std::int64_t{1} << 20},
                                   {"KiB", std::int64_t{1} << 10}, {"GB", 1000000000},
                                   {"MB", 1000000},                {"KB", 1000},
                                   {"B", 1}};
}  // namespace

std::optional<std::int64_t> parse_size(std::string_view text) {
  std::size_t digits = 0;
  std::int64_t number = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    number = number * 10 + (text[digits] - '0');
    if (++digits > 12) return std::nullopt;
  }
  if (digits == 0) return std::nullopt;
  auto unit = text.substr(digits);
  if (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);  // "5 MiB"
  std::int64_t scale = 0;
  if (digits == text.size()) scale = 1;
  for (const auto& candidate : kSizeUnits)
    if (unit == candidate.name) scale = candidate.bytes;
  if (scale == 0 || number < 1) return std::nullopt;
  if (number > std::numeric_limits<std::int64_t>::max() / scale) return std::nullopt;
  return number * scale;
}

std::string format_size(std::int64_t bytes) {
  for (const auto& unit : kSizeUnits)
    if (unit.name.ends_with("iB") && bytes % unit.bytes == 0)  // binary units only: "5MiB"
      return fmt::format("{}{}", bytes / unit.bytes, unit.name);
  return std::to_string(bytes);
}

}  // namespace newsmirror::config
