// Article pages, fetched and extracted: the full text of entries whose feed
// carries only a summary (`full_text = true`), and the page of `newsmirror
// save URL`. Fetching uses the feeds' limits; decoding follows the page's
// charset (HTTP header, then <meta>, then detection); extraction is the
// extract module's reader.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "extract/extractor.hpp"
#include "fetch/http_client.hpp"

namespace newsmirror::mirror {

struct PageRequest {
  std::string url;
  std::string proxy;  // the source's, as for its feed
  std::string user_agent;
  // An item's link comes from the feed: public addresses only, unless its
  // source allows private ones. `save URL` is the operator's own request.
  bool public_only = true;
};

struct FetchedPage {
  std::string url;  // after redirects: the base for the page's relative links
  extract::ExtractedArticle article;
};

// results[i] answers requests[i]. A page that cannot be fetched, is not
// HTML, or holds no article is an error naming its URL; it costs only
// itself.
std::vector<core::Result<FetchedPage>> fetch_pages(const std::vector<PageRequest>& requests,
                                                   const fetch::Options& options);

}  // namespace newsmirror::mirror
