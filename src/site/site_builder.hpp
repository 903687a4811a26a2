// `newsmirror build`: the mirror as a static site (site_paths.hpp has the
// layout), written incrementally.
//
// Every output has a fingerprint computed from the catalog's rows, the
// templates and the options (site_pages.hpp). The build keeps them in
// `<out>/.newsmirror-build` and rewrites only the files whose fingerprint
// changed: after 100 new articles, those 100 pages and the list pages and
// feeds they appear on; with nothing new, nothing at all. Files the
// previous build wrote that no longer belong to the site are removed;
// files the build never wrote (a CNAME, a robots.txt) are left alone.
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
  double seconds = 0;
};

// The mirror's `.newsmirror/site`: a default out of git's way (the
// publisher never commits `.newsmirror/`).
std::filesystem::path default_site_dir(const std::filesystem::path& mirror_dir);

core::Result<BuildSummary> build_site(const std::filesystem::path& mirror_dir,
                                      const BuildOptions& options);

}  // namespace newsmirror::site
