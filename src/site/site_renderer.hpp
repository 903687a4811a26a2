// Pages of the mirror's site rendered on demand, for `newsmirror serve`:
// the same pages, at the same paths, as `newsmirror build` writes (see
// site_paths.hpp for the layout), read from the catalog at request time.
//
// Thread-safety: one SiteRenderer per thread (it owns a catalog
// connection); render() notices articles the mirror added since the last
// call and lists them.
//
// The site model holds a row for every article of the archive (hundreds of
// megabytes at a million): a server with a renderer per thread shares one
// set of inputs among them (open with an InputsSource) instead of each
// loading its own.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include <functional>

namespace newsmirror::site {

struct RenderOptions {
  // The site's name, in the header of every page and in feed titles.
  std::string title = "newsmirror";
  // Absolute URL the site is published under, for feeds, the sitemap and
  // canonical links ("https://example.org/news/"); empty: links in feeds
  // and the sitemap stay relative.
  std::string base_url;
  // OpenCC variants written beside each page ("hant", "hans"), each with a
  // link to switch.
  std::vector<std::string> variants;
  // A folder whose files override the embedded templates (templates.hpp).
  std::optional<std::filesystem::path> templates_dir;
  // Whether pages carry a search box that submits to `search.html?q=`
  // (the server answers it; a static site has no search).
  bool search = false;
};

struct RenderedPage {
  std::string content_type;  // "text/html; charset=utf-8", "application/atom+xml", ...
  std::string body;
};

class SiteInputs;

// The site's inputs as they are now (SiteInputs::load with search on),
// asked for at every render; the renderer makes its pages anew whenever the
// pointer changes.
using InputsSource = std::function<core::Result<std::shared_ptr<const SiteInputs>>()>;

class SiteRenderer {
 public:
  // A renderer that loads its own inputs, again whenever the catalog changed.
  static core::Result<SiteRenderer> open(const std::filesystem::path& mirror_dir,
                                         RenderOptions options);
  // A renderer over inputs that `source` shares with others.
  static core::Result<SiteRenderer> open(const std::filesystem::path& mirror_dir, InputsSource source);
  SiteRenderer(SiteRenderer&&) noexcept;
  SiteRenderer& operator=(SiteRenderer&&) noexcept;
  ~SiteRenderer();

  // The page at `path`, relative to the site's root and already
  // percent-decoded ("index.html", "sites/法广/index.html", "feed.atom",
  // "style.css"); nullopt when the site has no such page. `query` is the
  // decoded value of `q` for "search.html" and `offset` the first result
  // shown (both ignored elsewhere). Errors are database failures.
  core::Result<std::optional<RenderedPage>> render(std::string_view path,
                                                   std::string_view query = {}, int offset = 0);

 private:
  struct Impl;
  explicit SiteRenderer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsmirror::site
