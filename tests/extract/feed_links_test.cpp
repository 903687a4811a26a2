// The feeds a page links: what `sources add` and `fetch` name when given a
// site's home page instead of its feed.
#include "extract/feed_links.hpp"

#include <gtest/gtest.h>

namespace newsmirror::extract {
namespace {

std::vector<std::string> urls_of(std::string_view html, std::string_view page_url = "https://news.example/zh/") {
  std::vector<std::string> urls;
  for (const auto& link : find_feed_links(html, "text/html", page_url)) urls.push_back(link.url);
  return urls;
}

TEST(FeedLinks, RssAtomAndJsonFeedLinksAreFoundInDocumentOrderAndResolved) {
  auto links = find_feed_links(
      R"(<html><head>
         <link rel="alternate" type="application/rss+xml" title=" 全部
           新闻 " href="rss.xml">
         <link rel="alternate" type="application/atom+xml" href="/atom.xml">
         <link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json">
         </head><body></body></html>)",
      "text/html; charset=utf-8", "https://news.example/zh/index.html");
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].url, "https://news.example/zh/rss.xml");
  EXPECT_EQ(links[0].title, "全部 新闻");
  EXPECT_EQ(links[1].url, "https://news.example/atom.xml");
  EXPECT_EQ(links[2].url, "https://cdn.example/feed.json");
  EXPECT_EQ(describe_feed_links(links),
            "https://news.example/zh/rss.xml (全部 新闻), https://news.example/atom.xml, https://cdn.example/feed.json");
}

TEST(FeedLinks, RelAndTypeAreMatchedAsHtmlDoes) {
  // rel is a token list and case-insensitive; a type may carry parameters.
  EXPECT_EQ(urls_of(R"(<link rel="Alternate feed" type="Application/RSS+XML; charset=utf-8" href="a.xml">)"),
            std::vector<std::string>{"https://news.example/zh/a.xml"});
  // Other alternates (translations, print versions) and other types are not feeds.
  EXPECT_TRUE(urls_of(R"(<link rel="alternate" hreflang="en" href="/en/">)"
                      R"(<link rel="alternate" type="text/html" href="/print/">)"
                      R"(<link rel="stylesheet" type="application/rss+xml" href="/x.xml">)"
                      R"(<link rel="alternates" type="application/rss+xml" href="/y.xml">)")
                  .empty());
}

TEST(FeedLinks, ABaseHrefWinsAndEachFeedIsNamedOnce) {
  EXPECT_EQ(urls_of(R"(<head><base href="https://static.example/feeds/">)"
                    R"(<link rel="alternate" type="application/rss+xml" href="rss.xml">)"
                    R"(<link rel="alternate" type="application/rss+xml" href="https://static.example/feeds/rss.xml">)"),
            std::vector<std::string>{"https://static.example/feeds/rss.xml"});
}

TEST(FeedLinks, OnlyHttpLinksCountAndNothingIsFoundInAFeedOrText) {
  EXPECT_TRUE(urls_of(R"html(<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">)html"
                      R"(<link rel="alternate" type="application/rss+xml" href="feed://news.example/rss">)"
                      R"(<link rel="alternate" type="application/rss+xml" href="">)")
                  .empty());
  EXPECT_TRUE(urls_of("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>").empty());
  EXPECT_TRUE(urls_of("Service Unavailable").empty());
}

}  // namespace
}  // namespace newsmirror::extract
