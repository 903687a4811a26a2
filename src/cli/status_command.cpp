// `newsmirror status`: how each source has been doing, from the state
// database (written by fetch/run), in the order of newsmirror.toml.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <map>

#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/text_table.hpp"
#include "config/config.hpp"
#include "core/time_zone.hpp"
#include "state/state_db.hpp"

namespace newsmirror::cli {

namespace {

using namespace std::chrono;

// "2026-11-26 20:13:14 +08:00 (3h ago)" in the mirror's zone: operators
// read it beside list pages that use the same zone.
std::string when(const std::optional<core::TimePoint>& time, const core::TimeZone& zone,
                 sys_seconds now) {
  if (!time) return "never";
  auto utc = floor<seconds>(*time);
  auto age = now - utc;
  std::string ago;
  if (age < 0s) ago = "in the future";
  else if (age < 2min) ago = "just now";
  else if (age < 2h) ago = fmt::format("{}m ago", duration_cast<minutes>(age).count());
  else if (age < 48h) ago = fmt::format("{}h ago", duration_cast<hours>(age).count());
  else ago = fmt::format("{}d ago", duration_cast<days>(age).count());
  return fmt::format("{} ({})", core::local_time_text(utc, zone), ago);
}

nlohmann::json millis(const std::optional<core::TimePoint>& time) {
  if (!time) return nullptr;
  return time->time_since_epoch().count();
}

// Long errors (a whole HTTP reason, a path) would stretch the table past
// any terminal; --json has them whole.
std::string shorten(const std::string& text, std::size_t max_width) {
  if (display_width(text) <= max_width) return text;
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto len = 1u;
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    auto piece = text.substr(i, len);
    if (display_width(out + piece) > max_width - 1) break;
    out += piece;
    i += len;
  }
  return out + "…";
}

// "旧的, 另一个" — a few names, then how many more, so the line stays short.
std::string removed_names(const std::vector<state::SourceHealth>& removed) {
  constexpr std::size_t kShown = 5;
  std::string names;
  for (std::size_t i = 0; i < removed.size() && i < kShown; ++i)
    names += (i == 0 ? "" : ", ") + removed[i].source;
  if (removed.size() > kShown) names += fmt::format(" and {} more", removed.size() - kShown);
  return names;
}

int run_status(const GlobalOptions& globals) {
  auto config = config::load_config(config::config_path(globals.mirror));
  if (!config) return report_error(config.error(), globals);
  auto state = state::StateDb::open(globals.mirror);
  if (!state) return report_error(state.error(), globals);
  auto& db = **state;
  auto zone = core::TimeZone::from_name(config->timezone);
  if (!zone) return report_error(zone.error(), globals);

  std::map<std::string, state::SourceHealth> health;
  for (auto& h : db.health()) health[h.source] = h;
  // Configured sources, in file order. Sources removed from the file keep
  // their history in the state database, but they are no longer fetched:
  // listing or counting them would report failures nobody can act on.
  struct Row {
    state::SourceHealth health;
    bool enabled = false;
  };
  std::vector<Row> rows;
  for (const auto& source : config->sources) {
    Row row;
    row.enabled = source.enabled;
    if (auto it = health.find(source.name); it != health.end()) {
      row.health = it->second;
      health.erase(it);
    } else {
      row.health.source = source.name;
    }
    rows.push_back(std::move(row));
  }
  // What is left of `health` belongs to removed sources.
  std::vector<state::SourceHealth> removed;
  for (auto& [name, h] : health) removed.push_back(h);

  if (globals.json) {
    // Machines get the removed sources too, marked "configured": false, so a
    // script can still read their last state; people see only a count below.
    auto out = nlohmann::json::array();
    auto add = [&out](const state::SourceHealth& h, bool configured, bool enabled) {
      out.push_back({{"name", h.source},
                     {"configured", configured},
                     {"enabled", enabled},
                     {"last_attempt", millis(h.last_attempt)},
                     {"last_success", millis(h.last_success)},
                     {"last_error", h.last_error ? nlohmann::json(*h.last_error) : nlohmann::json()},
                     {"consecutive_failures", h.consecutive_failures},
                     {"articles_archived", h.articles_archived},
                     {"last_new_count", h.last_new_count}});
    };
    for (const auto& row : rows) add(row.health, true, row.enabled);
    for (const auto& h : removed) add(h, false, false);
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }

  auto now = floor<seconds>(system_clock::now());
  TextTable table({"NAME", "LAST SUCCESS", "LAST ERROR", "FAILURES", "ARCHIVED"});
  table.align_right(3);
  table.align_right(4);
  std::size_t failing = 0;
  for (const auto& row : rows) {
    const auto& h = row.health;
    std::string name = h.source;
    if (!row.enabled) name += " (disabled)";
    if (h.consecutive_failures > 0) ++failing;
    table.add_row({name, when(h.last_success, *zone, now), shorten(h.last_error.value_or("-"), 50),
                   std::to_string(h.consecutive_failures), std::to_string(h.articles_archived)});
  }
  fmt::print("{}", table.render());
  if (!globals.quiet) {
    std::uint64_t articles = 0;
    for (const auto& site : db.site_summaries()) articles += site.articles;
    fmt::print("{} sources, {} failing; {} articles archived (times in {})\n", rows.size(), failing, articles,
               config->timezone);
    if (!removed.empty())
      fmt::print("{} removed source{} still {} history (not counted): {}\n", removed.size(),
                 removed.size() == 1 ? "" : "s", removed.size() == 1 ? "has" : "have", removed_names(removed));
  }
  return kExitOk;
}

}  // namespace

Command add_status_command(CLI::App& parent, const GlobalOptions& globals) {
  Command command;
  command.app = add_command(
      parent, "status", "Show each source's health: last success, last error, failures",
      "Show how each source has been doing: last success, last error, consecutive\n"
      "failures and articles archived, as recorded by fetch and run. Times are in the\n"
      "mirror's time zone. Only the sources in newsmirror.toml are listed and counted;\n"
      "sources removed from it are named on one line below. --json prints an array with\n"
      "times in milliseconds since the epoch, removed sources last with \"configured\": false.");
  command.run = [&globals] { return run_status(globals); };
  return command;
}

}  // namespace newsmirror::cli
