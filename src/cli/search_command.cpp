// `newsmirror search QUERY`: the catalog's full-text search.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include "catalog/catalog.hpp"
#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "search/search_io.hpp"
#include "search/search_query.hpp"

namespace newsmirror::cli {

namespace {

struct SearchOptions {
  std::string query;
  std::string site;
  std::string since;
  std::string until;
  int limit = 20;
};

constexpr std::int64_t kDayMs = 24 * 3600 * 1000;

// `day_ms` (a day's start as if the wall clock were UTC) as the instant
// that day starts in the mirror's zone: --since and --until name the days
// the results show, not UTC days.
std::int64_t local_day_start(std::int64_t day_ms, const core::TimeZone& zone) {
  const std::chrono::sys_seconds wall_clock{std::chrono::seconds(day_ms / 1000)};
  return std::chrono::duration_cast<std::chrono::milliseconds>(zone.to_utc(wall_clock).time_since_epoch()).count();
}

// "\"台湾 -选举\" in BBC since 2024-01-01": the query with the bounds that
// narrowed it, so a person can see which one to loosen.
std::string describe_search(const SearchOptions& options) {
  std::string text = fmt::format("\"{}\"", options.query);
  if (!options.site.empty()) text += " in " + options.site;
  if (!options.since.empty()) text += " since " + options.since;
  if (!options.until.empty()) text += " until " + options.until;
  return text;
}

int run_search(const GlobalOptions& globals, const SearchOptions& options) {
  search::SearchQuery query;
  query.text = options.query;
  if (!options.site.empty()) query.site = options.site;
  // Dates are checked before the mirror is, so a typo is the error shown.
  std::optional<std::int64_t> since, until;
  if (!options.since.empty()) {
    auto day = search::utc_day_start(options.since, "--since");
    if (!day) return report_error(day.error(), globals);
    since = *day;
  }
  if (!options.until.empty()) {
    auto day = search::utc_day_start(options.until, "--until");
    if (!day) return report_error(day.error(), globals);
    until = *day;
  }
  auto zone = mirror_time_zone(globals);
  if (!zone) return report_error(zone.error(), globals);
  if (since) query.since = local_day_start(*since, *zone);
  if (until) query.until = local_day_start(*until + kDayMs, *zone);  // the whole day named
  query.limit = options.limit;
  const bool terminal = !globals.json && isatty(STDOUT_FILENO);
  if (globals.json) {
    query.highlight_open = "**";
    query.highlight_close = "**";
  } else if (terminal) {
    query.highlight_open = "\033[1;31m";
    query.highlight_close = "\033[0m";
  } else {
    query.highlight_open = "[";
    query.highlight_close = "]";
  }

  auto results = catalog::search_catalog(globals.mirror, query);
  if (!results) return report_error(results.error(), globals);

  if (globals.json) {
    for (const search::SearchHit& hit : results->hits) {
      nlohmann::json line = search::hit_json(hit);
      fmt::print("{}\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    return kExitOk;
  }
  for (const search::SearchHit& hit : results->hits) {
    std::string date = hit.published ? time_text(core::TimePoint(std::chrono::milliseconds(*hit.published)), *zone)
                                     : std::string("undated");
    fmt::print("{}  {}  {}\n  {}\n  {}\n\n", date, hit.site, hit.title, hit.file, hit.snippet);
  }
  if (globals.quiet) return kExitOk;
  // "0 of 0 matching articles" reads like a count gone wrong; say it plainly.
  if (results->total == 0) fmt::print("no articles match {}\n", describe_search(options));
  else
    fmt::print("{} of {}{} matching article{}\n", results->hits.size(), results->total,
               results->total_exact ? "" : "+", results->total == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

Command add_search_command(CLI::App& parent, const GlobalOptions& globals) {
  auto options = std::make_shared<SearchOptions>();
  Command command;
  command.app = add_command(
      parent, "search", "Search the catalog's articles (Chinese and English)",
      "Words and Chinese runs must all match; \"quoted phrases\" match as written; -word "
      "excludes; title:WORD looks only in titles; site:NAME keeps one site. Width, case and "
      "Traditional/Simplified characters do not matter (臺灣 finds 台湾). Results are ranked by "
      "relevance (a title match counts ten times a body match), then newest first. Times are in "
      "the mirror's time zone (newsmirror.toml `timezone`), with its offset; --json gives "
      "published in milliseconds since the epoch. Reads "
      ".newsmirror/catalog.db without changing it; `newsmirror import` builds it.");
  command.app->add_option("query", options->query, "What to look for")->required()->type_name("QUERY");
  command.app->add_option("--site", options->site, "Only articles of this site")->type_name("SITE");
  command.app->add_option("--since", options->since, "Only articles published on or after this day (in the mirror's time zone)")
      ->type_name("YYYY-MM-DD");
  command.app->add_option("--until", options->until, "Only articles published on or before this day (in the mirror's time zone)")
      ->type_name("YYYY-MM-DD");
  command.app->add_option("--limit", options->limit, "Show at most N results (default 20)")
      ->type_name("N")
      ->check(CLI::Range(1, 100000));
  command.run = [&globals, options] { return run_search(globals, *options); };
  return command;
}

}  // namespace newsmirror::cli
