// `newsmirror sources list|add|remove|import|export`: the source list in
// newsmirror.toml. Every edit loads the file, changes the model and saves
// it whole (atomically, re-validated), so hand edits elsewhere in the file
// survive as values; comments written by hand do not (the file is rendered).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/mirror_lock.hpp"
#include "cli/text_table.hpp"
#include "config/config.hpp"
#include "config/opml.hpp"
#include "core/read_file.hpp"
#include "core/url.hpp"
#include "extract/feed_links.hpp"
#include "fetch/http_client.hpp"
#include "parse/feed_parser.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::cli {

namespace {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorKind;

struct SourcesOptions {
  CLI::App* list = nullptr;
  CLI::App* add = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* import = nullptr;
  CLI::App* export_ = nullptr;

  // add
  std::string name;
  std::vector<std::string> urls;
  std::string interval, proxy, timezone, user_agent;
  bool disabled = false;
  bool no_check = false;
  // remove
  std::string remove_name;
  // import / export
  std::string opml_in;
  std::string opml_out;
};

nlohmann::json to_json(const config::Config& config, const config::Source& s) {
  nlohmann::json j = {{"name", s.name},
                      {"enabled", s.enabled},
                      {"urls", s.urls},
                      {"interval", config::format_duration(config::effective_interval(config, s))},
                      {"interval_seconds", config::effective_interval(config, s).count()},
                      {"timezone", config::effective_timezone(config, s)}};
  if (auto proxy = config::effective_proxy(config, s)) j["proxy"] = core::url::redact_password(*proxy);
  if (auto agent = config::effective_user_agent(config, s)) j["user_agent"] = *agent;
  return j;
}

int list(const GlobalOptions& globals, const config::Config& config) {
  if (globals.json) {
    auto out = nlohmann::json::array();
    for (const auto& s : config.sources) out.push_back(to_json(config, s));
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  TextTable table({"NAME", "ENABLED", "INTERVAL", "URLS"});
  for (const auto& s : config.sources) {
    auto interval = config::format_duration(config::effective_interval(config, s));
    if (!s.interval) interval += " (default)";
    std::string urls;
    for (const auto& url : s.urls) urls += (urls.empty() ? "" : " ") + url;
    table.add_row({s.name, s.enabled ? "yes" : "no", interval, urls});
  }
  fmt::print("{}", table.render());
  if (!globals.quiet)
    fmt::print("{} sources ({} enabled) in {}\n", config.sources.size(),
               std::count_if(config.sources.begin(), config.sources.end(),
                             [](const auto& s) { return s.enabled; }),
               config::config_path(globals.mirror).string());
  return kExitOk;
}

core::Result<config::Source> source_from_options(const SourcesOptions& o) {
  config::Source source;
  source.name = o.name;
  source.urls = o.urls;
  if (!o.interval.empty()) {
    auto interval = config::parse_duration(o.interval);
    if (!interval)
      return Error(ErrorKind::usage,
                   fmt::format("--interval: expected a duration like \"15m\", got \"{}\"", o.interval));
    source.interval = *interval;
  }
  if (!o.proxy.empty()) source.proxy = o.proxy;
  if (!o.timezone.empty()) source.timezone = o.timezone;
  if (!o.user_agent.empty()) source.user_agent = o.user_agent;
  source.enabled = !o.disabled;
  if (auto valid = config::validate_source(source); !valid) return valid.error();
  return source;
}

// The source in `config` that already has this name or one of these URLs.
const config::Source* clash(const config::Config& config, const config::Source& candidate) {
  for (const auto& s : config.sources) {
    if (s.name == candidate.name) return &s;
    for (const auto& url : candidate.urls)
      if (std::find(s.urls.begin(), s.urls.end(), url) != s.urls.end()) return &s;
  }
  return nullptr;
}

// What fetching a new source's URL once said about it.
struct UrlCheck {
  std::string url;
  std::optional<std::string> doubt;       // why it may not be a feed; "" when it is one
  std::vector<extract::FeedLink> links;   // a web page that links these feeds
};

// The check is a courtesy, not a fetch cycle: one attempt, and a short
// wait, so a slow or offline machine is not kept from adding a source.
constexpr std::chrono::seconds kCheckConnectTimeout{5};
constexpr std::chrono::seconds kCheckTimeout{10};

UrlCheck judge_answer(const std::string& url, const core::Result<fetch::Response>& answer) {
  UrlCheck check{url, std::nullopt, {}};
  if (!answer) {
    check.doubt = fmt::format("could not fetch it to check it is a feed: {}", answer.error().message);
    return check;
  }
  parse::ParseOptions parse_options;
  parse_options.content_type = answer->content_type;
  parse_options.base_url = answer->effective_url.empty() ? url : answer->effective_url;
  auto feed = parse::parse_feed(answer->body, parse_options);
  if (feed) return check;
  if (feed.error().kind == ErrorKind::not_feed)
    check.links = extract::find_feed_links(answer->body, answer->content_type, parse_options.base_url);
  check.doubt = fmt::format("its answer is not a feed: {}", feed.error().message);
  return check;
}

// Fetches each URL of `source` once, all at once, as the source would be
// fetched (its proxy and User-Agent).
std::vector<UrlCheck> check_urls(const config::Config& config, const config::Source& source,
                                 const fs::path& mirror_dir) {
  fetch::Options fetch_options;
  fetch_options.ca_file = config::ca_file_path(config, mirror_dir);
  fetch_options.connect_timeout = kCheckConnectTimeout;
  fetch_options.total_timeout = kCheckTimeout;
  fetch_options.max_attempts = 1;
  fetch::Client client(fetch_options);
  std::vector<fetch::Request> requests;
  for (const auto& url : source.urls) {
    fetch::Request request;
    request.url = url;
    request.proxy = config::effective_proxy(config, source).value_or("");
    request.user_agent = config::effective_user_agent(config, source).value_or("");
    requests.push_back(std::move(request));
  }
  auto answers = client.fetch_all(requests);
  std::vector<UrlCheck> checks;
  for (std::size_t i = 0; i < answers.size(); ++i) checks.push_back(judge_answer(source.urls[i], answers[i]));
  return checks;
}

// A web page that links feeds is the one answer worth refusing: the person
// gave a site's address, and the feed to add is right there.
std::optional<Error> refusal(const std::vector<UrlCheck>& checks, const std::string& name) {
  for (const auto& check : checks) {
    if (check.links.empty()) continue;
    std::string list;
    for (const auto& link : check.links)
      list += fmt::format("\n  {}{}", link.url, link.title.empty() ? "" : "  (" + link.title + ")");
    return Error(ErrorKind::usage,
                 fmt::format("{} is a web page, not a feed; it links {}:{}\nadd {} instead, e.g. "
                             "`newsmirror sources add {} {}`",
                             check.url, check.links.size() == 1 ? "this feed" : "these feeds", list,
                             check.links.size() == 1 ? "it" : "one of them", name, check.links.front().url));
  }
  return std::nullopt;
}

int add(const GlobalOptions& globals, config::Config config, const fs::path& file,
        const SourcesOptions& options) {
  auto source = source_from_options(options);
  if (!source) return report_error(source.error(), globals);
  if (auto existing = config::find_source(config, source->name))
    return report_error(Error(ErrorKind::usage, fmt::format("a source named \"{}\" already exists ({}); "
                                                            "remove it first to replace it",
                                                            existing->name, existing->urls.front())),
                        globals);
  std::vector<UrlCheck> checks;
  if (!options.no_check) checks = check_urls(config, *source, globals.mirror);
  if (auto refused = refusal(checks, source->name)) return report_error(*refused, globals);
  config.sources.push_back(*source);
  if (auto saved = config::save_config(file, config); !saved) return report_error(saved.error(), globals);
  // Doubts do not stop the add: the site may be down for now, or the
  // machine offline; the next fetch will say more.
  if (!globals.quiet)
    for (const auto& check : checks)
      if (check.doubt)
        fmt::print(stderr, "newsmirror: warning: {}: {}; added anyway (`newsmirror fetch --source {}` tries it)\n",
                   check.url, *check.doubt, source->name);
  if (globals.json) fmt::print("{}\n", to_json(config, config.sources.back()).dump(2));
  else if (!globals.quiet) fmt::print("Added \"{}\" ({} URL{})\n", source->name, source->urls.size(),
                                      source->urls.size() == 1 ? "" : "s");
  return kExitOk;
}

int remove(const GlobalOptions& globals, config::Config config, const fs::path& file, const std::string& name) {
  auto it = std::find_if(config.sources.begin(), config.sources.end(),
                         [&](const auto& s) { return s.name == name; });
  if (it == config.sources.end()) {
    std::string names;
    for (const auto& s : config.sources) names += (names.empty() ? "" : ", ") + s.name;
    return report_error(Error(ErrorKind::usage, fmt::format("no source named \"{}\" (sources: {})", name,
                                                            names.empty() ? "none" : names)),
                        globals);
  }
  config.sources.erase(it);
  if (auto saved = config::save_config(file, config); !saved) return report_error(saved.error(), globals);
  // The archive keeps its articles: removing a source only stops fetching.
  if (globals.json) fmt::print("{}\n", nlohmann::json{{"removed", name}}.dump());
  else if (!globals.quiet) fmt::print("Removed \"{}\"; its archived articles stay in place\n", name);
  return kExitOk;
}

int import(const GlobalOptions& globals, config::Config config, const fs::path& file,
           const std::string& opml_file) {
  auto bytes = core::read_file(opml_file);
  if (!bytes) return report_error(Error(ErrorKind::usage, fmt::format("{}: {}", opml_file, bytes.error().message)), globals);
  auto sources = config::parse_opml(*bytes);
  if (!sources) return report_error(sources.error().with_context(opml_file), globals);

  nlohmann::json added = nlohmann::json::array(), skipped = nlohmann::json::array();
  for (auto& source : *sources) {
    if (auto existing = clash(config, source)) {
      auto reason = existing->name == source.name
                        ? std::string("already present")
                        : fmt::format("its URL is already used by \"{}\"", existing->name);
      skipped.push_back({{"name", source.name}, {"reason", reason}});
      continue;
    }
    if (auto valid = config::validate_source(source); !valid) {
      skipped.push_back({{"name", source.name}, {"reason", valid.error().message}});
      continue;
    }
    added.push_back(source.name);
    config.sources.push_back(std::move(source));
  }
  if (!added.empty())
    if (auto saved = config::save_config(file, config); !saved) return report_error(saved.error(), globals);
  if (globals.json) {
    fmt::print("{}\n", nlohmann::json{{"added", added}, {"skipped", skipped}}.dump(2));
  } else if (!globals.quiet) {
    fmt::print("Imported {} source{} from {}, skipped {}\n", added.size(), added.size() == 1 ? "" : "s",
               opml_file, skipped.size());
    for (const auto& s : skipped)
      fmt::print("  skipped \"{}\": {}\n", s["name"].get<std::string>(), s["reason"].get<std::string>());
  }
  return kExitOk;
}

int export_opml(const GlobalOptions& globals, const config::Config& config, const std::string& out_file) {
  auto opml = config::render_opml(config);
  if (out_file.empty() || out_file == "-") {
    std::cout << opml << std::flush;
    return kExitOk;
  }
  if (auto written = storage::write_file_atomically(out_file, opml); !written)
    return report_error(written.error(), globals);
  if (!globals.quiet && !globals.json)
    fmt::print("Exported {} sources to {}\n", config.sources.size(), out_file);
  return kExitOk;
}

int run_sources(const GlobalOptions& globals, const SourcesOptions& options) {
  auto file = config::config_path(globals.mirror);
  // Edits read, change and rewrite the file: one at a time, and never in
  // the middle of a cycle that reads it.
  std::optional<mirror::WriterLock> lock;
  if (options.add->parsed() || options.remove->parsed() || options.import->parsed()) {
    auto taken = lock_mirror(globals, "sources");
    if (!taken) return report_error(taken.error(), globals);
    lock.emplace(std::move(*taken));
  }
  auto config = config::load_config(file);
  if (!config) return report_error(config.error(), globals);
  if (options.add->parsed()) return add(globals, std::move(*config), file, options);
  if (options.remove->parsed()) return remove(globals, std::move(*config), file, options.remove_name);
  if (options.import->parsed()) return import(globals, std::move(*config), file, options.opml_in);
  if (options.export_->parsed()) return export_opml(globals, *config, options.opml_out);
  return list(globals, *config);
}

}  // namespace

Command add_sources_command(CLI::App& parent, const GlobalOptions& globals) {
  auto o = std::make_shared<SourcesOptions>();
  Command command;
  command.app = add_command(
      parent, "sources", "List, add, remove, import or export the sources (OPML)",
      "List and edit the feeds in newsmirror.toml (the mirror folder is --mirror).\n"
      "Edits rewrite the file atomically; its values are kept, hand-written comments are not.");
  command.app->require_subcommand(0, 1);

  o->list = command.app->add_subcommand(
      "list", "Show every source: name, enabled, fetch interval, URLs (the default; --json for an array)");

  o->add = command.app->add_subcommand("add", "Add a source; several URLs are mirrors tried in order");
  o->add->footer(
      "\nEach URL is fetched once (10 s at most) to check that it is a feed. A web page\n"
      "that links feeds (<link rel=\"alternate\" type=\"application/rss+xml\" ...>) is\n"
      "refused, naming the feeds it links: add one of them instead (exit status 2).\n"
      "Any other doubt (no answer, an answer that is no feed) is a warning, and the\n"
      "source is added. --no-check adds it without fetching anything.");
  o->add->add_option("name", o->name, "Name of the source; also its folder under articles/")
      ->required()->type_name("NAME");
  o->add->add_option("urls", o->urls, "Feed URL(s), http or https, tried in order until one answers")
      ->required()->type_name("URL...");
  o->add->add_option("--interval", o->interval, "Time between fetches, e.g. 30m or 1h30m (default: the global interval)")
      ->type_name("DURATION");
  o->add->add_option("--proxy", o->proxy, "Proxy for this source, e.g. socks5h://127.0.0.1:1080")
      ->type_name("URL");
  o->add->add_option("--timezone", o->timezone, "Zone for dates the feed gives without one, e.g. Asia/Shanghai")
      ->type_name("TZ");
  o->add->add_option("--user-agent", o->user_agent, "User-Agent header for this source")->type_name("TEXT");
  o->add->add_flag("--disabled", o->disabled, "Add it switched off (enable by editing newsmirror.toml)");
  o->add->add_flag("--no-check", o->no_check, "Do not fetch the URLs to check them (e.g. offline)");

  o->remove = command.app->add_subcommand("remove", "Remove a source; its archived articles are kept");
  o->remove->add_option("name", o->remove_name, "Name of the source to remove")->required()->type_name("NAME");

  o->import = command.app->add_subcommand(
      "import", "Add the feeds of an OPML file that are not present yet (by name or URL)");
  o->import->add_option("file", o->opml_in, "OPML file to read")->required()->type_name("FILE.opml");

  o->export_ = command.app->add_subcommand("export", "Write the sources as OPML 2.0");
  o->export_->add_option("file", o->opml_out, "File to write (default: standard output)")->type_name("FILE");

  command.run = [&globals, o] { return run_sources(globals, *o); };
  return command;
}

}  // namespace newsmirror::cli
