// Hostile input against a whole cycle: each test plays one attack a feed
// (or a page it links to) can make, on loopback, beside a healthy source,
// and checks that the attack costs at most itself.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "archive/article_file.hpp"
#include "catalog/catalog.hpp"
#include "mirror/fixtures.hpp"
#include "mirror/mirror.hpp"
#include "support/database.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

namespace newsmirror::mirror {
namespace {

using test::HttpServer;
using test::mirror_fixtures::find_report;
using test::mirror_fixtures::MirrorFolder;
using test::mirror_fixtures::rss;
using test::read_file;

constexpr const char* kRss = "application/rss+xml";

std::string nested(int levels, std::string_view inside) {
  std::string html;
  for (int i = 0; i < levels; ++i) html += "<div>";
  html += inside;
  for (int i = 0; i < levels; ++i) html += "</div>";
  return html;
}

std::string all_articles(const MirrorFolder& mirror, const std::string& site) {
  std::string text;
  for (const auto& name : mirror.article_names(site)) text += read_file(mirror.site_dir(site) / name);
  return text;
}

// 100,000 nested <div>s once ended the whole fetch with SIGSEGV (a
// recursive copy of gumbo's tree), every cycle, archiving nothing.
TEST(HostileFeed, AHundredThousandNestedElementsInAnRssItemAJsonFeedAndAFullTextPageAreArchived) {
  HttpServer server;
  const std::string deep = nested(100000, "深处的正文 deep text");
  server.serve_file("/rss.xml",
                    rss({{"深 RSS", "https://news.example/rss-1", "rss-1", "Mon, 01 Jan 2024 10:00:00 GMT", deep}}),
                    kRss);
  nlohmann::json json_feed = {{"version", "https://jsonfeed.org/version/1.1"},
                              {"title", "json"},
                              {"items", {{{"id", "json-1"}, {"url", "https://news.example/json-1"},
                                          {"title", "深 JSON"}, {"content_html", deep}}}}};
  server.serve_file("/feed.json", json_feed.dump(), "application/feed+json");
  server.serve_file("/page.html", "<html><head><title>深页</title></head><body><article>" + deep +
                                      "</article></body></html>", "text/html");
  server.serve_file("/full.xml",
                    rss({{"深页", server.url("/page.html"), "page-1", "Mon, 01 Jan 2024 10:00:00 GMT", "<p>摘要</p>"}}),
                    kRss);
  server.serve_file("/healthy.xml",
                    rss({{"健康", "https://news.example/ok", "ok-1", "Mon, 01 Jan 2024 10:00:00 GMT", "<p>平常</p>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.add_source("RSS站", {server.url("/rss.xml")});
  mirror.add_source("JSON站", {server.url("/feed.json")});
  mirror.add_source("全文站", {server.url("/full.xml")});
  mirror.config().sources.back().full_text = true;
  mirror.config().sources.back().allow_private = true;  // its page is on loopback
  mirror.add_source("健康站", {server.url("/healthy.xml")});

  auto report = mirror.cycle();
  for (const auto& source : report.sources) {
    EXPECT_FALSE(source.failed()) << source.name << ": " << source.error->message;
    EXPECT_EQ(source.new_articles, 1u) << source.name;
  }
  EXPECT_NE(all_articles(mirror, "RSS站").find("深处的正文"), std::string::npos);
  EXPECT_NE(all_articles(mirror, "JSON站").find("深处的正文"), std::string::npos);
  EXPECT_NE(all_articles(mirror, "全文站").find("深处的正文"), std::string::npos)
      << "the page's text replaced the summary: " << all_articles(mirror, "全文站").substr(0, 300);
  EXPECT_EQ(mirror.cycle().total_new(), 0u) << "and the next cycle sees the same articles";

  auto catalog = test::opened(catalog::Catalog::open(mirror.dir()));
  EXPECT_EQ(catalog->article_count(), 4u);
}

// An entity-expansion bomb is an error of its own source; the healthy one
// beside it is archived in the same cycle.
TEST(HostileFeed, AnEntityExpansionBombCostsOnlyItsOwnSource) {
  HttpServer server;
  std::string refs;
  for (int i = 0; i < 5000; ++i) refs += "&a;";
  server.serve_file("/bomb.xml",
                    "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"" + std::string(10000, 'x') +
                        "\">]><rss version=\"2.0\"><channel><title>t</title><item><title>i</title><link>"
                        "https://news.example/i</link><description>" + refs + "</description></item></channel></rss>",
                    kRss);
  server.serve_file("/healthy.xml",
                    rss({{"健康", "https://news.example/ok", "ok-1", "Mon, 01 Jan 2024 10:00:00 GMT", "<p>平常</p>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.add_source("炸弹", {server.url("/bomb.xml")});
  mirror.add_source("健康站", {server.url("/healthy.xml")});
  auto report = mirror.cycle();
  const auto* bomb = find_report(report, "炸弹");
  ASSERT_TRUE(bomb && bomb->failed());
  EXPECT_EQ(bomb->error->kind, core::ErrorKind::too_large) << bomb->error->message;
  EXPECT_EQ(find_report(report, "健康站")->new_articles, 1u);
}

// A mirror cloned from someone else may hold a site folder that is a link
// out of it: the cycle refuses to write there, saying which link.
TEST(HostileFeed, ASymbolicallyLinkedSiteFolderIsNeverWrittenThrough) {
  HttpServer server;
  server.serve_file("/feed.xml",
                    rss({{"标题", "https://news.example/a", "a", "Mon, 01 Jan 2024 10:00:00 GMT", "<p>正文</p>"}}),
                    kRss);
  test::TempDir elsewhere;
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  std::filesystem::create_directories(mirror.dir() / "articles");
  std::filesystem::create_directory_symlink(elsewhere.path(), mirror.site_dir("站"));
  ASSERT_TRUE(config::save_config(config::config_path(mirror.dir()), mirror.config()));
  auto opened = Mirror::open(mirror.dir());
  ASSERT_TRUE(opened) << opened.error().message;
  auto report = opened->run_cycle({});
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("is a symbolic link"), std::string::npos) << report.error().message;
  EXPECT_TRUE(std::filesystem::is_empty(elsewhere.path()));
}

// A feed of many thousand items would be written in one cycle: a source
// adds at most max_new_per_cycle, the oldest first, and the next cycles
// (which get the feed again, not a 304) add the rest in order.
TEST(HostileFeed, AFeedOfThousandsOfItemsIsArchivedAFewHundredACycleOldestFirst) {
  HttpServer server;
  std::vector<test::mirror_fixtures::Item> items;
  for (int i = 0; i < 25; ++i) {
    std::string n = std::to_string(24 - i);  // newest first, as feeds list them
    items.push_back({"条目 " + n, "https://news.example/" + n, "g" + n, "", "<p>" + n + "</p>"});
  }
  server.serve_file("/many.xml", rss(items), kRss, {.etag = "\"v1\""});
  MirrorFolder mirror;
  mirror.config().max_new_per_cycle = 10;
  mirror.add_source("多", {server.url("/many.xml")});
  std::vector<std::size_t> added;
  for (int cycle = 0; cycle < 4; ++cycle) added.push_back(find_report(mirror.cycle(), "多")->new_articles);
  EXPECT_EQ(added, (std::vector<std::size_t>{10, 10, 5, 0}));
  auto links = test::mirror_fixtures::list_links(read_file(mirror.list_page("多")));
  ASSERT_EQ(links.size(), 25u);
  auto newest = archive::read_article(read_file(mirror.site_dir("多") / links.front()));
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->title, "条目 24") << "numbered in the feed's order across the cycles";
}

// A proxy's password reaches neither a message nor the state database.
TEST(HostileFeed, AProxyPasswordIsNeverPrintedOrStored) {
  const std::string proxy = "http://operator:hunter2@127.0.0.1:" + std::to_string(test::closed_port());
  MirrorFolder mirror;
  mirror.add_source("代理站", {"http://news.example/feed.xml"});
  mirror.config().sources.back().proxy = proxy;
  auto report = mirror.cycle();
  const auto* source = find_report(report, "代理站");
  ASSERT_TRUE(source && source->failed());
  EXPECT_EQ(source->error->message.find("hunter2"), std::string::npos) << source->error->message;
  EXPECT_NE(source->error->message.find("operator:***@127.0.0.1"), std::string::npos) << source->error->message;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(mirror.dir() / ".newsmirror")) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(read_file(entry.path()).find("hunter2"), std::string::npos) << entry.path();
    }
  }
}

}  // namespace
}  // namespace newsmirror::mirror
