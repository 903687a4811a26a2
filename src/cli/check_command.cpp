// `newsmirror check`: whether the article files, the state, the catalog and
// its search index, the list pages and README and the local images agree
// (mirror/integrity.hpp), and with --repair, what the files allow put right.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/mirror_lock.hpp"
#include "mirror/integrity.hpp"
#include "mirror/mirror.hpp"

namespace newsmirror::cli {

namespace {

int run_check(const GlobalOptions& globals, bool repair) {
  // Only a repair writes; a check reads, like search or status.
  std::optional<mirror::WriterLock> lock;
  if (repair) {
    auto held = lock_mirror(globals, "check --repair");
    if (!held) return report_error(held.error(), globals);
    lock.emplace(std::move(*held));
    // Files the catalog or the state do not know are imported in place and
    // adopted first, exactly as `newsmirror import` does.
    if (auto imported = import_adopted_archive(globals); !imported) return report_error(imported.error(), globals);
  }
  auto mirror = mirror::Mirror::open(globals.mirror);
  if (!mirror) return report_error(mirror.error(), globals);
  auto report = mirror::check_integrity(*mirror, repair);
  if (!report) return report_error(report.error(), globals);

  if (globals.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : report->problems)
      problems.push_back({{"where", p.where}, {"what", p.what}, {"repaired", p.repaired}});
    nlohmann::json out = {{"consistent", report->consistent()},
                          {"article_files", report->article_files},
                          {"problems", problems}};
    fmt::print("{}\n", out.dump(2));
  } else {
    for (const auto& p : report->problems)
      fmt::print("{}{}: {}\n", p.repaired ? "repaired: " : "", p.where, p.what);
    if (!globals.quiet) {
      std::size_t left = 0;
      for (const auto& p : report->problems) left += p.repaired ? 0 : 1;
      if (left == 0)
        fmt::print("{} article files: the files, state, catalog, search index, lists and images agree{}\n",
                   report->article_files, report->problems.empty() ? "" : " (after the repairs above)");
      else
        fmt::print("{} article files: {} problem(s){}\n", report->article_files, left,
                   repair ? " the files cannot put right" : "; `newsmirror check --repair` puts right what the files allow");
    }
  }
  return report->consistent() ? kExitOk : kExitFailure;
}

}  // namespace

Command add_check_command(CLI::App& parent, const GlobalOptions& globals) {
  auto repair = std::make_shared<bool>(false);
  Command command;
  command.app = add_command(
      parent, "check", "Check that the files, state, catalog, index, lists and images agree",
      "Reads the whole mirror: temp files and an interrupted cycle's journal left over; every "
      "article file (readable, numbered, whole); each file known to the state and the catalog and "
      "each of their records backed by a file; the search index (FTS5's integrity check); each "
      "list page and the README against the state; the local images articles link. Prints one "
      "line per problem, or --json {consistent, article_files, problems: [{where, what, "
      "repaired}]}. Exit status 0 when all agree, 1 otherwise.\n"
      "--repair takes the writer lock and puts right what the files allow: removes temp files, "
      "finishes the interrupted cycle, imports and adopts files the catalog or state lack, "
      "rewrites the lists and README. A recorded article whose file is gone, an unreadable file "
      "or a missing image stays a problem (exit 1).");
  command.app->add_flag("--repair", *repair, "Put right what the files allow (takes the writer lock)");
  command.run = [&globals, repair] { return run_check(globals, *repair); };
  return command;
}

}  // namespace newsmirror::cli
