// A mirror folder: its configuration and state, and what can be done to
// it — a cycle (cycle.hpp), a page saved on demand, articles adopted from
// an import, the lists written anew.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "config/config.hpp"
#include "core/feed.hpp"
#include "core/result.hpp"
#include "mirror/cycle.hpp"

namespace newsmirror::mirror {

// What `save` did with a page.
struct SavedPage {
  std::string file;      // relative to the mirror: articles/<site>/<name>.md
  bool is_new = false;   // a new article file
  bool changed = false;  // a known page with new content: a new version
};

// A mirror folder: its configuration and state. Not thread-safe.
class Mirror {
 public:
  // Loads newsmirror.toml and opens .newsmirror/state.db. A missing or
  // malformed config is ErrorKind::config naming the file.
  static core::Result<Mirror> open(const std::filesystem::path& dir);
  Mirror(Mirror&&) noexcept;
  Mirror& operator=(Mirror&&) noexcept;
  ~Mirror();

  const config::Config& config() const;
  const std::filesystem::path& dir() const;

  // Completes what an interrupted cycle left (see docs/ARCHITECTURE.md).
  // With `look_for_temp_files`, also walks the whole mirror for temp files
  // of dead writers (CycleOptions::look_for_temp_files says when that is
  // needed). run_cycle calls it first; exposed for tests.
  core::Status recover(bool look_for_temp_files = true);

  // Runs one cycle. Per-source failures are in the report; an error result
  // means the archive itself could not be written (disk full, database).
  core::Result<CycleReport> run_cycle(const CycleOptions& options);

  // Archives one page on demand (`newsmirror save`): fetch, decode,
  // extract, clean, localize images (per the mirror-wide settings), write
  // it under articles/<site>/ in the classic format. A page that cannot be
  // fetched or holds no article is an error, and nothing is written.
  core::Result<SavedPage> save(const std::string& url, const std::string& site);

  // When the next source falls due (for `run`), or nullopt without sources.
  std::optional<core::TimePoint> next_due(core::TimePoint now);

  // Makes the articles of `catalog` that came in without a cycle (init adopting a
  // classic mirror, `import`) known to the state, so that the next cycle
  // takes their links as known instead of saving them again; their hash is
  // the one a cycle would give the same file, so an unedited article is
  // not a new version either. Reads only the files the state does not
  // know; articles without a link are left out (no feed item could match
  // them), and so are files that cannot be read (logged). With ListPages::rewrite, the list pages of the sites that gained
  // articles and the README are written anew. Returns how many articles
  // were new to the state. Goes through the catalog a page at a time: the
  // rows of a million articles and their records took two gigabytes.
  enum class ListPages { keep, rewrite };
  core::Result<std::size_t> adopt(catalog::Catalog& catalog, ListPages lists);

  // What every list page and the README hold when they agree with the
  // state: relative path ("lists/法广.md", "README.md") -> bytes, for every
  // site the state has articles of.
  std::map<std::string, std::string> expected_lists();
  // Writes them all (`check --repair`).
  core::Status rewrite_lists();

  // The inside of a Mirror (mirror_impl.hpp). Named here for the files of
  // src/mirror that implement it; nothing outside them can use it.
  struct Impl;

 private:
  explicit Mirror(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsmirror::mirror
