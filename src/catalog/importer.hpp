// Bringing classic archives into the catalog.
//
//  - In place: every `articles/<site>/*.md` of the mirror is cataloged; the
//    files are read, never rewritten. A file whose size and modification
//    time match what the catalog recorded is skipped unread, so running
//    again costs a directory walk; a file edited since becomes a new
//    version of its article.
//  - Copy: the articles of another classic mirror folder (one with
//    `articles/`) or of one site folder are copied into the mirror under
//    their own names — except when the name's number is taken in the
//    target site, then the copy gets the site's next number (and the
//    report says so). An article the target site already holds is not
//    copied again: the same identity (its link, normalized as the cycle
//    does, whatever its bytes), or for a file without a link the same
//    content. Running it twice copies nothing the second time.
//
// Files are read and parsed on worker threads; one writer (the calling
// thread) owns the catalog and commits in batches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/result.hpp"

namespace newsmirror::catalog {

struct ImportOptions {
  std::filesystem::path mirror;                  // the mirror folder
  std::optional<std::filesystem::path> source;   // copy from here; none = in place
  // In place: only this site's folder. Copy from a site folder: the site to
  // copy into (default: the folder's name). Copy from a mirror: only this site.
  std::optional<std::string> site;
  // The mirror's identity key for an article of the site folder `site`
  // known only by its file (default: "link:" site U+001F link).
  std::function<std::string(std::string_view site, std::string_view link)> identity;
  // Copy mode: whether the mirror holds an article of this identity already
  // (the mirror's state knows more keys than the catalog: a fetched
  // article's GUID and link). Optional.
  std::function<bool(std::string_view identity)> known;
  // Copy mode: the folder in this mirror where the articles of the site
  // named `site` go (the later layout keeps 法广 in articles/rfi). Copies
  // from another mirror are matched by site name — its list page's name for
  // each of its folders, else the folder's — so that 法广 from an early
  // mirror and rfi from a later one land in the same site. Default: the
  // name itself.
  std::function<std::string(std::string_view site)> folder_of_site;
  // Copy mode: the next free number of the site folder `site` (reserved in
  // state::StateDb, per site), and the site's counter kept past a number a
  // copy keeps. Required for copy mode.
  std::function<core::Result<std::uint64_t>(std::string_view site)> reserve_number;
  std::function<core::Status(std::string_view site, std::uint64_t number)> keep_number;
  // Called on the calling thread now and then.
  std::function<void(std::size_t done, std::size_t total)> on_progress;
  unsigned threads = 0;  // workers parsing files; 0 = one per core
};

struct ImportFailure {
  std::filesystem::path path;
  std::string reason;
};

struct RenamedCopy {
  std::filesystem::path from;
  std::string to;  // relative to the mirror
};

struct ImportReport {
  std::size_t files = 0;            // article files looked at
  std::size_t added = 0;            // cataloged for the first time
  std::size_t changed = 0;          // edited since cataloged: a new version
  std::size_t unchanged = 0;        // cataloged already, same file
  std::size_t copied = 0;           // copy mode: files written into the mirror
  std::size_t already_present = 0;  // copy mode: the site holds the article already
  std::vector<RenamedCopy> renamed; // copy mode: given a new number
  std::vector<ImportFailure> failures;
  double seconds = 0;
  // Articles the mirror's state learned afterwards (mirror::Mirror::adopt,
  // run by the caller): not the importer's to fill.
  std::size_t made_known = 0;
};

// Imports as described above. Unreadable files are in report.failures and
// cost only themselves; an error result means the catalog or the mirror
// could not be written (or a usage error: a missing folder or site).
core::Result<ImportReport> import_articles(Catalog& catalog, const ImportOptions& options);

// `newsmirror reindex`: builds a fresh catalog from the files alone beside
// the current one and renames it into place only when complete, so a
// failed or interrupted rebuild leaves the old catalog as it was.
// options.source must be empty.
core::Result<ImportReport> rebuild_catalog(const ImportOptions& options);

}  // namespace newsmirror::catalog
