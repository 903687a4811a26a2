// What an existing classic mirror holds, site by site, read without touching
// it: which folder each site's articles are in, under which list name, in
// which layout (docs/archive-format.md), and the numbers its files use.
// `init` adopts a mirror from this, so that it goes on exactly as the old
// script would have: same folders, same names, same list pages, each
// site's numbering continuing below its numeric minimum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace newsmirror::archive {

struct ScannedSite {
  // The list page's heading (`lists/<name>.md` linking into the folder),
  // else the folder's own name.
  std::string name;
  std::string folder;               // articles/<folder>
  bool has_list = false;            // a list page links into the folder
  bool list_footer = false;         // ... and ends with "[查看更多](...)"
  std::size_t files = 0;            // article files (*.md named by a number)
  // The numeric minimum of the files' numbers; never the first name in
  // sorted order (1000000.md sorts before 999999.md).
  std::optional<std::uint64_t> smallest_number;
  // The highest sequence (archive::sequence_of_number) of any file: where
  // the site's counting down goes on.
  std::uint64_t highest_sequence = 0;

  // The later layout (2021-2024): folder apart from the list name, or a
  // list page without footer. Otherwise the early one.
  bool later_layout() const;
};

// folder -> the name of the list page that links into it
// (`lists/法广.md` linking /articles/rfi/... gives rfi -> 法广). Pages that
// cannot be parsed or list nothing are left out.
std::map<std::string, std::string> list_names_by_folder(const std::filesystem::path& mirror);

// The sites the mirror's README.md links, in its order (empty without one).
std::vector<std::string> readme_site_order(const std::filesystem::path& mirror);

// Every folder under `mirror/articles/`, by folder name. List pages that
// cannot be parsed are skipped (their folder is still scanned). An error
// only when a folder cannot be listed.
core::Result<std::vector<ScannedSite>> scan_mirror(const std::filesystem::path& mirror);

}  // namespace newsmirror::archive
