// The newsmirror command is a thin table of subcommands. Each one lives in
// its own src/cli/<name>_command.cpp and registers itself here.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace newsmirror::cli {

// Exit statuses shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      // the command failed (e.g. not a feed)
inline constexpr int kExitUsage = 2;        // usage or configuration error
inline constexpr int kExitSomeFailed = 3;   // some sources failed, the rest succeeded
inline constexpr int kExitBusy = 4;         // --no-wait, and another process writes the mirror

// Options every command understands; filled by CLI11 before a command runs.
struct GlobalOptions {
  std::string mirror = ".";   // --mirror DIR
  bool quiet = false;         // --quiet: only errors
  bool json = false;          // --json: machine-readable output on stdout
  std::string log_level = "warn";
  bool no_wait = false;       // --no-wait: a mirror another process writes is an error
};

struct Command {
  CLI::App* app = nullptr;        // the subcommand, owned by the parent app
  std::function<int()> run;       // called when the subcommand was chosen
};

// A subcommand with a one-line `summary` (shown in `newsmirror --help`) and
// longer `details` (shown by `newsmirror NAME --help`).
inline CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& summary,
                             const std::string& details = {}) {
  CLI::App* app = parent.add_subcommand(name, summary);
  std::string footer = details.empty() ? "" : "\n" + details + "\n";
  footer += "\nGlobal options: --mirror DIR, --quiet, --json, --log-level LEVEL (see newsmirror --help).";
  app->footer(footer);
  return app;
}

// Each registers one subcommand on `parent`; `globals` outlives the call.
Command add_init_command(CLI::App& parent, const GlobalOptions& globals);
Command add_sources_command(CLI::App& parent, const GlobalOptions& globals);
Command add_fetch_command(CLI::App& parent, const GlobalOptions& globals);
Command add_run_command(CLI::App& parent, const GlobalOptions& globals);
Command add_status_command(CLI::App& parent, const GlobalOptions& globals);
Command add_parse_command(CLI::App& parent, const GlobalOptions& globals);
Command add_sanitize_command(CLI::App& parent, const GlobalOptions& globals);
Command add_extract_command(CLI::App& parent, const GlobalOptions& globals);
Command add_import_command(CLI::App& parent, const GlobalOptions& globals);
Command add_reindex_command(CLI::App& parent, const GlobalOptions& globals);
Command add_check_command(CLI::App& parent, const GlobalOptions& globals);
Command add_history_command(CLI::App& parent, const GlobalOptions& globals);
Command add_diff_command(CLI::App& parent, const GlobalOptions& globals);
Command add_publish_command(CLI::App& parent, const GlobalOptions& globals);
Command add_search_command(CLI::App& parent, const GlobalOptions& globals);
Command add_save_command(CLI::App& parent, const GlobalOptions& globals);
Command add_build_command(CLI::App& parent, const GlobalOptions& globals);
Command add_serve_command(CLI::App& parent, const GlobalOptions& globals);

}  // namespace newsmirror::cli
