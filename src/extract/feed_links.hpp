// The feeds a web page announces for itself: <link rel="alternate"
// type="application/rss+xml" href="..."> and its Atom and JSON Feed
// siblings, the links feed readers follow when they are given a site's
// address instead of its feed. newsmirror does not follow them on its own
// (a page may link several feeds, or a comments feed first); it names them,
// so a person can pick the one to put in newsmirror.toml.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace newsmirror::extract {

struct FeedLink {
  std::string url;    // absolute, serialized (core::url)
  std::string title;  // the link's title attribute, white space collapsed; may be ""
};

// The page's feed links in document order, each URL once. `bytes` is the
// page as fetched (decoded by its charset, see html_bytes.hpp), `page_url`
// the address it came from: relative hrefs resolve against it (or the
// page's <base href>). Only http and https links are kept. Anything that is
// not an HTML page simply has none.
std::vector<FeedLink> find_feed_links(std::string_view bytes, std::string_view content_type,
                                      std::string_view page_url);

// "https://a.example/rss.xml (全部新闻), https://a.example/atom.xml" for messages.
std::string describe_feed_links(const std::vector<FeedLink>& links);

}  // namespace newsmirror::extract
