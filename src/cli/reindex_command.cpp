// `newsmirror reindex`: the catalog rebuilt from the article files alone.
#include <memory>

#include "catalog/importer.hpp"
#include "cli/mirror_lock.hpp"
#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"

namespace newsmirror::cli {

namespace {

int run_reindex(const GlobalOptions& globals, unsigned threads) {
  auto lock = lock_mirror(globals, "reindex");
  if (!lock) return report_error(lock.error(), globals);
  auto options = import_options(globals);
  if (!options) return report_error(options.error(), globals);
  options->threads = threads;
  auto report = catalog::rebuild_catalog(*options);
  if (!report) return report_error(report.error(), globals);
  print_import_report(*report, globals, "Rebuilt the catalog from");
  return report->failures.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

Command add_reindex_command(CLI::App& parent, const GlobalOptions& globals) {
  auto threads = std::make_shared<unsigned>(0);
  Command command;
  command.app = add_command(
      parent, "reindex", "Rebuild the catalog and search index from the article files",
      "Builds a new .newsmirror/catalog.db from articles/<site>/*.md alone and swaps it in when "
      "it is complete; until then the old catalog stays as it was. Earlier versions of edited "
      "articles exist only in the catalog and are not recovered: each article starts again "
      "from its file.");
  command.app->add_option("--threads", *threads, "Threads parsing files (default: one per core)")
      ->type_name("N");
  command.run = [&globals, threads] { return run_reindex(globals, *threads); };
  return command;
}

}  // namespace newsmirror::cli
