// How `fetch` and `run` show a cycle: progress on a terminal, a table per
// source, or one JSON object per cycle with --json.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "cli/command.hpp"
#include "mirror/cycle.hpp"

namespace newsmirror::cli {

// A progress callback for mirror::CycleOptions that redraws one status line
// on stderr when it is a terminal and neither --quiet nor --json is given;
// otherwise a no-op.
std::function<void(std::string_view, std::size_t, std::size_t, std::string_view)>
progress_printer(const GlobalOptions& globals);

// Prints the report: a table (or JSON with --json; nothing with --quiet
// unless a source failed, and then only the failures on stderr). With
// `timings`, where the cycle's time went follows, one row per step (in the
// JSON, "timings"), even with --quiet.
void print_cycle_report(const mirror::CycleReport& report, const std::string& mirror_dir,
                        const GlobalOptions& globals, bool timings = false);

// 0 when every source succeeded, 3 when some failed or the catalog could
// not take the new articles.
int exit_status(const mirror::CycleReport& report);

// Maps an error that stopped a command to its exit status (2 for config and
// usage errors, 1 otherwise) after printing it.
int report_error(const core::Error& error, const GlobalOptions& globals);

}  // namespace newsmirror::cli
