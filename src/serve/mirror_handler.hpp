// What `newsmirror serve` answers for one mirror (an HttpServer handler):
//
//   /healthz          200 {"status": "ok", "articles": N}; 503 with the
//                     reason when the catalog cannot be read
//   /api/search?q=    {"total": N, "total_exact": B, "results": [...]}: the objects of
//                     `newsmirror search --json` (search_io.hpp); also
//                     site, since, until (YYYY-MM-DD), limit, offset
//   /api/articles     {"total": N, "articles": [...]} newest first: site,
//                     file, title, link, published, first_seen (ms since
//                     the epoch), versions, url of its page; site, limit,
//                     offset
//   /assets/...       the mirror's images (asset_files.hpp)
//   anything else     the site's page at that path, rendered on demand
//                     (site::SiteRenderer, the pages `newsmirror build`
//                     writes); "/" and ".../" mean index.html, and
//                     search.html?q=...&offset=... is the results page
//
// Every 200 but /healthz is kept in a ResponseCache under its target until
// the catalog changes (CatalogWatch), so a page is rendered, hashed and
// compressed once per change. Paths that could leave the site
// (request_target.hpp) are 404.
//
// Thread-safe: renderers and catalog connections (one thread each) are
// pooled and lent to one request at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "serve/http_server.hpp"
#include "site/site_renderer.hpp"

namespace newsmirror::serve {

struct MirrorHandlerOptions {
  std::filesystem::path mirror;
  site::RenderOptions render;                  // templates, variants, base URL
  std::size_t cache_bytes = 64 << 20;
  std::chrono::milliseconds catalog_check_interval{1000};
};

class MirrorHandler {
 public:
  explicit MirrorHandler(MirrorHandlerOptions options);
  ~MirrorHandler();
  MirrorHandler(const MirrorHandler&) = delete;
  MirrorHandler& operator=(const MirrorHandler&) = delete;

  std::shared_ptr<const Response> handle(const Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsmirror::serve
