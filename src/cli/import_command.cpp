// `newsmirror import [DIR] [--site NAME]`: catalogs the mirror's own
// article files, or copies in those of another classic mirror or site
// folder (catalog/importer.hpp).
#include <memory>
#include <optional>
#include <string>

#include "catalog/importer.hpp"
#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/mirror_lock.hpp"

namespace newsmirror::cli {

namespace {

struct ImportArgs {
  std::string dir;
  std::string site;
  unsigned threads = 0;
};

int run_import(const GlobalOptions& globals, const ImportArgs& args) {
  auto lock = lock_mirror(globals, "import");
  if (!lock) return report_error(lock.error(), globals);
  auto options = import_options(globals);
  if (!options) return report_error(options.error(), globals);
  if (!args.dir.empty()) options->source = args.dir;
  if (!args.site.empty()) options->site = args.site;
  options->threads = args.threads;
  auto opened = open_mirror_catalog(globals);
  if (!opened) return report_error(opened.error(), globals);
  auto& catalog = **opened;
  auto report = catalog::import_articles(catalog, *options);
  if (!report) return report_error(report.error(), globals);
  // Copies are new files in their sites: their lists must show them. In
  // place, the files (lists included) are the user's and stay as they are.
  const auto lists = options->source ? mirror::Mirror::ListPages::rewrite : mirror::Mirror::ListPages::keep;
  if (auto s = make_imported_known(globals, catalog, lists, *report); !s) return report_error(s.error(), globals);
  // Files that could not be read were skipped; nothing was left half written.
  lock->mark_finished();
  print_import_report(*report, globals, "Imported");
  return report->failures.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

Command add_import_command(CLI::App& parent, const GlobalOptions& globals) {
  auto args = std::make_shared<ImportArgs>();
  Command command;
  command.app = add_command(
      parent, "import", "Catalog the mirror's articles, or copy in another classic mirror's",
      "Without DIR (or with DIR the mirror itself): catalogs every articles/<site>/*.md of the "
      "mirror in .newsmirror/catalog.db, for search, history and diff. The files are read, never "
      "rewritten; running it again reads only files that changed since.\n"
      "With DIR another classic mirror folder (holding articles/) or one site folder: copies its "
      "article files into the mirror under their own names and catalogs them. A copy whose "
      "number is already used in its site gets the next free number (listed in the summary); "
      "content the site already holds is not copied again.\n"
      "A file that cannot be read is reported with the reason and skipped. Exit status 3 when "
      "some were skipped.");
  command.app->add_option("dir", args->dir, "Classic mirror or site folder to copy from")->type_name("DIR");
  command.app->add_option("--site", args->site,
                          "Only this site; with a site folder as DIR, the site to copy it into "
                          "(default: the folder's name)")
      ->type_name("NAME");
  command.app->add_option("--threads", args->threads, "Threads parsing files (default: one per core)")
      ->type_name("N");
  command.run = [&globals, args] { return run_import(globals, *args); };
  return command;
}

}  // namespace newsmirror::cli
