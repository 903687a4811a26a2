// `newsmirror check`: whether the mirror's parts agree, and what the files
// allow to put right.
//
// The article files are the archive; the state (identities, numbers)
// decides what a cycle takes as known; the catalog and its search index
// are rebuilt from the files; the list pages and the README are rendered
// from the state. A crash, a full disk, a hand edit or a bug can leave
// them apart. The check reads them all:
//   - temp files of the atomic writers, and a cycle's journal, left over;
//   - every article file: readable, named with a number, ending in a newline;
//   - files <-> state: each file known, each recorded article's file there;
//   - files <-> catalog: each file cataloged, each cataloged file there;
//   - the search index: FTS5's integrity check;
//   - each list page and the README: what the state says they hold;
//   - assets: every local image an article links exists.
// With `repair`, what the files allow is put right: temp files removed, the
// journal's cycle finished, unknown files adopted, missing catalog rows
// imported and gone ones dropped, list pages and README rewritten. What
// the files cannot give back (an article recorded whose file is gone, an
// unreadable file, a missing image) stays a problem to look at.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "mirror/mirror.hpp"

namespace newsmirror::mirror {

struct IntegrityProblem {
  std::string where;  // a path relative to the mirror, or "state", "catalog", "search index"
  std::string what;   // for a person
  bool repaired = false;
};

struct IntegrityReport {
  std::size_t article_files = 0;
  std::vector<IntegrityProblem> problems;
  // No problem left (none found, or all repaired).
  bool consistent() const;
};

// The mirror must be open with its writer lock held when `repair` is set.
core::Result<IntegrityReport> check_integrity(Mirror& mirror, bool repair);

}  // namespace newsmirror::mirror
