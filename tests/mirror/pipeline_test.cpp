// The article pipeline inside a cycle: cleaning by default, site rules,
// full text for summary-only feeds, local images (and their retry), and
// saving one URL — against the loopback HTTP server.
#include <gtest/gtest.h>

#include "archive/article_file.hpp"
#include "assets/image_store.hpp"
#include "catalog/catalog.hpp"
#include "mirror/fixtures.hpp"
#include "mirror/mirror.hpp"
#include "state/state_db.hpp"
#include "support/database.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

namespace newsmirror::mirror {
namespace {

using namespace std::string_literals;
using namespace test::mirror_fixtures;
using test::HttpServer;
using test::read_file;

constexpr const char* kRss = "application/rss+xml";
const std::string kPng = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0"s;

archive::ArticleRecord only_article(const MirrorFolder& mirror, const std::string& site) {
  auto names = mirror.article_names(site);
  EXPECT_EQ(names.size(), 1u);
  if (names.empty()) return {};
  auto article = archive::read_article(read_file(mirror.site_dir(site) / names[0]));
  EXPECT_TRUE(article);
  return article ? *article : archive::ArticleRecord{};
}

TEST(Pipeline, ArticlesAreCleanedByDefaultWithTheSourcesRules) {
  HttpServer server;
  server.serve_file("/feed.xml",
                    rss({{"标题", "https://news.example/a", "a", "Mon, 01 Jan 2024 10:00:00 GMT",
                          "<p onclick=\"steal()\">正文<img src=\"/pic.jpg\"></p><script>track()</script>"
                          "<div class=\"share\">分享到微博</div>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  mirror.config().sources.back().rules.remove = {".share"};
  ASSERT_EQ(mirror.cycle().total_new(), 1u);

  auto html = only_article(mirror, "站").html;
  EXPECT_EQ(html.find("onclick"), std::string::npos) << html;
  EXPECT_EQ(html.find("script"), std::string::npos) << html;
  EXPECT_EQ(html.find("分享到微博"), std::string::npos) << html;
  EXPECT_NE(html.find("正文"), std::string::npos) << html;
  EXPECT_NE(html.find("src=\"https://news.example/pic.jpg\""), std::string::npos)
      << "relative URLs resolve against the article's page: " << html;
}

TEST(Pipeline, FullTextReplacesASummaryAndKeepsItWhenThePageFails) {
  HttpServer server;
  std::string paragraph = "<p>" + std::string(20, 'x') + "，这是文章的完整正文，比摘要长得多。</p>";
  std::string body;
  for (int i = 0; i < 8; ++i) body += paragraph;
  server.serve_file("/a.html",
                    "<html><head><title>全文</title></head><body><nav><a href=/>首页</a></nav>"
                    "<article>" + body + "</article><footer>版权</footer></body></html>",
                    "text/html; charset=utf-8");
  server.serve_file("/feed.xml",
                    rss({{"全文", server.url("/a.html"), "a", "Mon, 01 Jan 2024 10:00:00 GMT", "<p>摘要</p>"},
                         {"坏页", server.url("/missing.html"), "b", "Mon, 01 Jan 2024 09:00:00 GMT",
                          "<p>只有摘要</p>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  mirror.config().sources.back().full_text = true;
  mirror.config().sources.back().allow_private = true;  // its pages are on loopback
  ASSERT_EQ(mirror.cycle().total_new(), 2u);

  std::map<std::string, std::string> html_by_title;
  for (const auto& name : mirror.article_names("站")) {
    auto article = archive::read_article(read_file(mirror.site_dir("站") / name));
    ASSERT_TRUE(article);
    html_by_title[article->title] = article->html;
  }
  EXPECT_NE(html_by_title["全文"].find("这是文章的完整正文"), std::string::npos) << html_by_title["全文"];
  EXPECT_EQ(html_by_title["全文"].find("首页"), std::string::npos) << html_by_title["全文"];
  EXPECT_EQ(html_by_title["坏页"], "<p>只有摘要</p>");
}

TEST(Pipeline, LocalImagesAreStoredAndAFailedOneIsRetriedNextCycle) {
  HttpServer server;
  server.serve_file("/ok.png", kPng, "image/png");
  server.serve_file("/feed.xml",
                    rss({{"图", "https://news.example/a", "a", "Mon, 01 Jan 2024 10:00:00 GMT",
                          "<p><img src=\"" + server.url("/ok.png") + "\"><img src=\"" + server.url("/late.png") +
                              "\"></p>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.config().images = config::ImageMode::local;
  mirror.add_source("站", {server.url("/feed.xml")});
  mirror.config().sources.back().allow_private = true;  // its images are on loopback
  ASSERT_EQ(mirror.cycle().total_new(), 1u);

  auto stored = assets::asset_path(kPng, "png");
  EXPECT_TRUE(std::filesystem::exists(mirror.dir() / stored));
  auto html = only_article(mirror, "站").html;
  EXPECT_NE(html.find("src=\"../../" + stored + "\""), std::string::npos) << html;
  EXPECT_NE(html.find(server.url("/late.png")), std::string::npos) << "a failed image keeps its URL: " << html;

  // The missing picture appears; the next cycle (feed unchanged) fetches it.
  const std::string gif = "GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xFF\xFF\xFF!"s;
  server.serve_file("/late.png", gif, "image/gif");
  auto report = mirror.cycle();
  EXPECT_EQ(report.total_new(), 0u);
  html = only_article(mirror, "站").html;
  EXPECT_NE(html.find("src=\"../../" + assets::asset_path(gif, "gif") + "\""), std::string::npos) << html;
  EXPECT_EQ(html.find("http://"), std::string::npos) << html;
  auto db = test::opened(state::StateDb::open(mirror.dir()));
  ASSERT_TRUE(db);
  EXPECT_TRUE(db->images_pending(100).empty());
}

// The attack of a hostile feed: its links and images point at a server
// inside the operator's network (here: on loopback), directly, through the
// feed's own host redirecting, and spelled as a number. Without the
// source's opt-in, not one request reaches that server and the articles
// keep the feed's own text; with it (a source that really links into an
// intranet), the same cycle does fetch from it, which shows the test plays
// a working attack.
TEST(Pipeline, AHostileFeedCannotMakeTheMirrorReadAServerInsideItsNetwork) {
  for (bool allow_private : {false, true}) {
    SCOPED_TRACE(allow_private ? "allow_private = true" : "allow_private = false");
    HttpServer internal;
    std::string secret = "<html><body><article>";
    for (int i = 0; i < 8; ++i) secret += "<p>admin token 0xDEADBEEF, password hunter2, a long enough page.</p>";
    secret += "</article></body></html>";
    internal.serve_file("/admin", secret, "text/html");
    internal.serve_file("/router.png", kPng, "image/png");
    HttpServer feeds;
    feeds.redirect("/story", internal.url("/admin"));
    const std::string decimal = "http://2130706433:" + std::to_string(internal.port());
    feeds.serve_file("/feed.xml",
                     rss({{"直接", internal.url("/admin"), "a", "Mon, 01 Jan 2024 10:00:00 GMT",
                           "<p>摘要一<img src=\"" + internal.url("/router.png") + "\"></p>"},
                          {"跳转", feeds.url("/story"), "b", "Mon, 01 Jan 2024 09:00:00 GMT", "<p>摘要二</p>"},
                          {"数字", decimal + "/admin", "c", "Mon, 01 Jan 2024 08:00:00 GMT", "<p>摘要三</p>"},
                          {"图", feeds.url("/no-page"), "d", "Mon, 01 Jan 2024 07:00:00 GMT",
                           "<p>摘要四<img srcset=\"" + decimal + "/router.png 2x\"></p>"}}),
                     kRss);
    MirrorFolder mirror;
    mirror.config().images = config::ImageMode::local;
    mirror.add_source("站", {feeds.url("/feed.xml")});
    mirror.config().sources.back().full_text = true;
    mirror.config().sources.back().allow_private = allow_private;
    ASSERT_EQ(mirror.cycle().total_new(), 4u);
    mirror.cycle();  // the images' retry must not reach it either

    std::string archived;
    for (const auto& name : mirror.article_names("站")) archived += read_file(mirror.site_dir("站") / name);
    if (!allow_private) {
      EXPECT_EQ(internal.requests().size(), 0u);
      EXPECT_EQ(archived.find("hunter2"), std::string::npos) << archived;
      EXPECT_NE(archived.find("摘要一"), std::string::npos) << "the feed's text is kept: " << archived;
      EXPECT_NE(archived.find("摘要三"), std::string::npos) << archived;
      EXPECT_NE(archived.find(decimal + "/router.png"), std::string::npos) << "the image keeps its URL";
      EXPECT_FALSE(std::filesystem::exists(mirror.dir() / assets::asset_path(kPng, "png")));
    } else {
      EXPECT_GT(internal.hits("/admin"), 0);
      EXPECT_NE(archived.find("hunter2"), std::string::npos) << archived;
      EXPECT_TRUE(std::filesystem::exists(mirror.dir() / assets::asset_path(kPng, "png")));
    }
  }
}

TEST(Pipeline, SaveArchivesOnePageAndWritesNothingForAPageWithoutArticle) {
  HttpServer server;
  std::string body;
  for (int i = 0; i < 6; ++i) body += "<p>Saved article paragraph number " + std::to_string(i) +
                                      ", long enough, with commas, to be the article body.</p>";
  server.serve_file("/story.html",
                    "<html lang=en><head><title>A saved story</title></head><body><article>" + body +
                        "</article></body></html>",
                    "text/html");
  server.serve_file("/empty.html", "<html><body></body></html>", "text/html");
  MirrorFolder mirror;
  mirror.cycle();  // writes the config
  auto opened = Mirror::open(mirror.dir());
  ASSERT_TRUE(opened);

  auto saved = opened->save(server.url("/story.html"), "saved");
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_TRUE(saved->is_new);
  EXPECT_TRUE(saved->file.starts_with("articles/saved/")) << saved->file;
  auto article = archive::read_article(read_file(mirror.dir() / saved->file));
  ASSERT_TRUE(article);
  EXPECT_EQ(article->title, "A saved story");
  EXPECT_NE(article->html.find("paragraph number 5"), std::string::npos);
  EXPECT_NE(read_file(mirror.list_page("saved")).find("A saved story"), std::string::npos);

  auto before = mirror.snapshot();
  auto again = opened->save(server.url("/story.html"), "saved");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->is_new);
  EXPECT_EQ(again->file, saved->file);
  EXPECT_FALSE(opened->save(server.url("/empty.html"), "saved"));
  EXPECT_FALSE(opened->save(server.url("/missing.html"), "saved"));
  EXPECT_EQ(mirror.snapshot(), before) << "a failed save writes nothing";
}

}  // namespace
}  // namespace newsmirror::mirror
