// newsmirror: keeps a permanent, readable, searchable copy of news feeds.
#include <spdlog/cfg/helpers.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.hpp"
#include "core/suggest.hpp"

namespace nm = newsmirror::cli;

namespace {

// The first word that is neither an option nor an option's value, when it
// names no command: "newsmirror fecth" gets "did you mean fetch?".
std::optional<std::string> unknown_command_message(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word.starts_with("-")) {
      bool takes_value = (word == "--mirror" || word == "--log-level");
      if (takes_value) ++i;
      continue;
    }
    for (const auto* sub : app.get_subcommands({}))
      if (sub->get_name() == word) return std::nullopt;
    std::string message = "unknown command \"" + std::string(word) + "\"";
    std::vector<std::string_view> names;
    for (const auto* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (auto best = newsmirror::core::closest_match(word, names))
      message += "; did you mean \"" + *best + "\"?";
    return message + " (newsmirror --help lists the commands)";
  }
  return std::nullopt;
}

void setup_logging(const nm::GlobalOptions& globals) {
  // Logs go to stderr so that --json output on stdout stays parseable.
  auto logger = spdlog::stderr_color_mt("newsmirror");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$: %v");
  auto level = spdlog::level::from_str(globals.log_level);
  if (globals.quiet && level < spdlog::level::err) level = spdlog::level::err;
  spdlog::set_level(level);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "newsmirror keeps a permanent, readable copy of news feeds in a folder of\n"
      "Markdown files (the classic mirror format) and republishes it.\n"};
  app.name("newsmirror");
  app.set_version_flag("--version", NEWSMIRROR_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  nm::GlobalOptions globals;
  app.add_option("--mirror", globals.mirror, "Mirror folder to work on")
      ->default_str(".")->type_name("DIR");
  app.add_flag("-q,--quiet", globals.quiet, "Print only errors");
  app.add_flag("--json", globals.json, "Print machine-readable JSON on stdout");
  app.add_flag("--no-wait", globals.no_wait,
               "When another newsmirror writes the mirror, fail at once (exit status 4) instead of "
               "waiting for it");
  app.add_option("--log-level", globals.log_level,
                 "Log detail on stderr: trace, debug, info, warn, error, off")
      ->default_str("warn")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  std::vector<nm::Command> commands = {
      nm::add_init_command(app, globals),   nm::add_sources_command(app, globals),
      nm::add_fetch_command(app, globals),  nm::add_run_command(app, globals),
      nm::add_status_command(app, globals), nm::add_parse_command(app, globals),
      nm::add_sanitize_command(app, globals),
      nm::add_extract_command(app, globals), nm::add_save_command(app, globals),
      nm::add_import_command(app, globals),  nm::add_reindex_command(app, globals),
      nm::add_check_command(app, globals),
      nm::add_history_command(app, globals), nm::add_diff_command(app, globals),
      nm::add_publish_command(app, globals), nm::add_search_command(app, globals),
      nm::add_build_command(app, globals),
      nm::add_serve_command(app, globals),
  };

  if (auto message = unknown_command_message(app, argc, argv)) {
    std::fprintf(stderr, "newsmirror: %s\n", message->c_str());
    return nm::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? nm::kExitOk : nm::kExitUsage;
  }

  setup_logging(globals);
  try {
    for (auto& command : commands)
      if (command.app->parsed()) return command.run();
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return nm::kExitFailure;
  }
  return nm::kExitUsage;
}
