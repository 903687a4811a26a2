// `newsmirror reindex`: the catalog rebuilt from the article files alone.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "catalog/importer.hpp"
#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/mirror_lock.hpp"
#include "core/mirror_layout.hpp"

namespace newsmirror::cli {

namespace {

// Earlier versions of edited articles live only in the catalog: a rebuild
// from the files would drop them. Refused unless asked for in so many words.
core::Status check_versions_kept(const GlobalOptions& globals, bool drop_versions) {
  std::error_code ec;
  if (drop_versions || !std::filesystem::exists(core::layout::catalog_db(globals.mirror), ec))
    return core::ok_status();
  auto current = open_mirror_catalog(globals);
  if (!current) return core::ok_status();  // unreadable: nothing it holds can be kept anyway
  const auto edited = (*current)->version_counts();
  if (edited.empty()) return core::ok_status();
  std::size_t earlier = 0;
  for (const auto& [article, count] : edited) earlier += static_cast<std::size_t>(count - 1);
  return core::Error(core::ErrorKind::usage,
                     fmt::format("the catalog holds {} earlier version(s) of {} edited article(s), which exist "
                                 "nowhere else; a rebuild from the files would drop them. Copy {} somewhere "
                                 "safe, then run `newsmirror reindex --drop-versions`",
                                 earlier, edited.size(), core::layout::catalog_db(globals.mirror).string()));
}

int run_reindex(const GlobalOptions& globals, unsigned threads, bool drop_versions) {
  auto lock = lock_mirror(globals, "reindex");
  if (!lock) return report_error(lock.error(), globals);
  if (auto kept = check_versions_kept(globals, drop_versions); !kept) return report_error(kept.error(), globals);
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
      "articles exist only in the catalog and cannot be rebuilt from the files: when the catalog "
      "holds any, reindex refuses (exit status 2) unless --drop-versions is given.");
  command.app->add_option("--threads", *threads, "Threads parsing files (default: one per core)")
      ->type_name("N");
  auto drop_versions = std::make_shared<bool>(false);
  command.app->add_flag("--drop-versions", *drop_versions,
                        "Rebuild even though the catalog holds earlier versions of edited articles "
                        "(they are lost; each article starts again from its file)");
  command.run = [&globals, threads, drop_versions] { return run_reindex(globals, *threads, *drop_versions); };
  return command;
}

}  // namespace newsmirror::cli
