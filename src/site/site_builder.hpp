// `newsmirror build`: the mirror as a static site (site_paths.hpp has the
// layout), written incrementally.
//
// Every output has a fingerprint computed from the catalog's rows, the
// templates and the options (site_pages.hpp). The build keeps them in
// `<out>/.newsmirror-build` and rewrites only the files whose fingerprint
// changed: after 100 new articles, those 100 pages and the list pages and
// feeds they appear on; with nothing new, nothing at all.
//
// It also keeps, in `<out>/.newsmirror-build-state` (build_state.hpp), the
// catalog's mark and the counts of the whole listing. When the templates,
// options and catalog are those of the last build, it reads only what
// changed since (the catalog's new articles and versions, the months they
// are listed in, each site's newest) and writes those pages: its cost
// follows the change, not the archive. Otherwise (a first build, --force,
// new templates or options, a catalog rebuilt by reindex) it reads every
// row, and files the previous build wrote that no longer belong to the
// site are removed; files the build never wrote (a CNAME, a robots.txt)
// are left alone. The catalog only ever gains articles and versions; a
// database edited by hand needs --force.
//
// Each file is written to a temp name and renamed into place, so a reader
// never sees half a page; the record of fingerprints is written last, so an
// interrupted build only costs the next one some rewriting. Nothing is
// fsynced: the site is made again from the mirror at will.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>

#include "core/result.hpp"
#include "site/site_renderer.hpp"

namespace newsmirror::site {

struct BuildOptions {
  std::filesystem::path out;
  RenderOptions render;
  bool force = false;  // rewrite every file
  int threads = 0;     // 0: one per core
  // Called from the building thread now and then (pages done, of total).
  std::function<void(std::size_t done, std::size_t total)> progress;
};

struct BuildSummary {
  std::size_t outputs = 0;    // files the site consists of (besides images)
  std::size_t written = 0;
  std::size_t unchanged = 0;
  std::size_t removed = 0;
  std::size_t images_copied = 0;
  std::size_t articles = 0;
  bool sitemap = false;       // written only with a base URL
  bool incremental = false;   // only what changed since the last build was read
  std::size_t articles_read = 0;  // catalog rows read
  double seconds = 0;
};

// The mirror's `.newsmirror/site`: a default out of git's way (the
// publisher never commits `.newsmirror/`).
std::filesystem::path default_site_dir(const std::filesystem::path& mirror_dir);

core::Result<BuildSummary> build_site(const std::filesystem::path& mirror_dir,
                                      const BuildOptions& options);

}  // namespace newsmirror::site
