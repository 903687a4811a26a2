// What the catalog commands (import, reindex, history, diff) share: opening
// the catalog of the mirror, naming an article on the command line, and
// printing an import report.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"
#include "catalog/importer.hpp"
#include "cli/command.hpp"
#include "core/time_zone.hpp"
#include "mirror/mirror.hpp"

namespace newsmirror::cli {

// The mirror's catalog; a folder without newsmirror.toml is a usage error
// that says to run `newsmirror init`.
core::Result<std::unique_ptr<catalog::Catalog>> open_mirror_catalog(const GlobalOptions& globals);

// ARTICLE as the user gives it: a file path relative to the mirror (with or
// without `articles/`), a path to the file on disk, `site/number`, or the
// article's link. Unknown or ambiguous names are usage errors that say
// what is there (close file names when cheap).
core::Result<catalog::Article> resolve_article(catalog::Catalog& catalog, const GlobalOptions& globals,
                                               std::string_view name);

// Defaults for an import: the mirror's identity rule and sequence counter,
// a progress line on a terminal.
core::Result<catalog::ImportOptions> import_options(const GlobalOptions& globals);

// `newsmirror init` on a classic mirror: catalogs its files in place and
// makes them known to the mirror's state, touching no file. Unreadable
// files are listed on stderr (not with --json; they are in the report) and
// skipped.
core::Result<catalog::ImportReport> import_adopted_archive(const GlobalOptions& globals);

// After an import: the mirror's state learns every cataloged article it
// did not know (mirror::Mirror::adopt), so that the next cycle does not
// save them again; with `lists` rewrite, the list pages and README show
// them. Sets report.made_known.
core::Status make_imported_known(const GlobalOptions& globals, catalog::Catalog& catalog,
                                 mirror::Mirror::ListPages lists, catalog::ImportReport& report);

// Prints the summary (a few lines, or one JSON object with --json).
// `verb` is "Imported" or "Rebuilt".
void print_import_report(const catalog::ImportReport& report, const GlobalOptions& globals,
                         std::string_view verb);

// The mirror's time zone (newsmirror.toml `timezone`): the one its list
// pages, `status` and the site use, so every time a person reads is on the
// same clock. A folder without newsmirror.toml is a usage error.
core::Result<core::TimeZone> mirror_time_zone(const GlobalOptions& globals);

// "2026-11-26 20:13:14 +08:00": `time` in `zone`, with its offset.
std::string time_text(core::TimePoint time, const core::TimeZone& zone);

}  // namespace newsmirror::cli
