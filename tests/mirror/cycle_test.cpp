// One mirror cycle end to end: a real loopback HTTP server, a real mirror
// folder, a real state database. Each test names one promise a cycle keeps
// (docs/ARCHITECTURE.md, "A cycle"): failures cost only their own source,
// novelty is decided by identity only, numbering and lists are newest first,
// and a second identical cycle changes nothing.
#include "mirror/mirror.hpp"

#include <gtest/gtest.h>
#include <iconv.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "catalog/catalog.hpp"
#include "mirror/fixtures.hpp"
#include "support/database.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

namespace newsmirror::mirror {
namespace {

namespace fs = std::filesystem;
using core::ErrorKind;
using test::HttpRequest;
using test::HttpResponder;
using test::HttpServer;
using test::mirror_fixtures::find_report;
using test::mirror_fixtures::Item;
using test::mirror_fixtures::list_links;
using test::mirror_fixtures::MirrorFolder;
using test::mirror_fixtures::rss;
using test::read_file;
using namespace std::chrono_literals;

constexpr const char* kRss = "application/rss+xml";

// Two dated items for a site, newest first, with titles unique to `tag`.
std::vector<Item> two_items(const std::string& tag) {
  return {{tag + "新闻二", "https://news.example/" + tag + "/2", tag + "-2",
           "Tue, 02 Jan 2024 10:00:00 GMT", "<p>" + tag + " 二</p>"},
          {tag + "新闻一", "https://news.example/" + tag + "/1", tag + "-1",
           "Mon, 01 Jan 2024 10:00:00 GMT", "<p>" + tag + " 一</p>"}};
}

// The titles of the article files of `site`, read back from line 2.
std::multiset<std::string> archived_titles(const MirrorFolder& mirror, std::string_view site) {
  std::multiset<std::string> titles;
  for (const auto& name : mirror.article_names(site)) {
    auto article = archive::read_article(read_file(mirror.site_dir(site) / name));
    EXPECT_TRUE(article) << name << ": " << article.error().message;
    if (article) titles.insert(article->title);
  }
  return titles;
}

// Checks that `site` is archived the way a reader sees it: one file per
// title, the list page linking every file, the README naming the site.
void expect_archived(const MirrorFolder& mirror, const std::string& site,
                     const std::multiset<std::string>& titles) {
  SCOPED_TRACE("site " + site);
  EXPECT_EQ(archived_titles(mirror, site), titles);
  auto names = mirror.article_names(site);
  auto links = list_links(read_file(mirror.list_page(site)));
  std::sort(links.begin(), links.end());
  EXPECT_EQ(links, names) << "lists/" << site << ".md must link every article file";
  EXPECT_NE(read_file(mirror.dir() / "README.md").find(site), std::string::npos)
      << "README.md must name " << site;
}

// --- one cycle over a server that misbehaves in every way at once ---

TEST(Cycle, EachSourceFailsAloneAndTheHealthyOnesAreArchived) {
  HttpServer server;
  MirrorFolder mirror;

  server.serve_file("/etag.xml", rss(two_items("etag")), kRss, {.etag = "\"v1\""});
  mirror.add_source("有ETag", {server.url("/etag.xml")});

  server.serve_file("/gzip.xml", rss(two_items("gzip")), kRss, {.gzip = true});
  mirror.add_source("gzip", {server.url("/gzip.xml")});

  server.redirect("/moved.xml", server.url("/new-home.xml"), 301);
  server.serve_file("/new-home.xml", rss(two_items("moved")), kRss);
  mirror.add_source("moved", {server.url("/moved.xml")});

  mirror.add_source("gone", {server.url("/gone.xml")});  // nothing routed: 404

  // A server error is worth a retry within the cycle.
  auto flaky_calls = std::make_shared<std::atomic<int>>(0);
  server.route("/flaky.xml", [flaky_calls, body = rss(two_items("flaky"))](const HttpRequest&,
                                                                           HttpResponder& res) {
    if (flaky_calls->fetch_add(1) == 0) res.send(500, {}, "try later");
    else res.send(200, {{"Content-Type", kRss}}, body);
  });
  mirror.add_source("flaky", {server.url("/flaky.xml")});

  auto limited_calls = std::make_shared<std::atomic<int>>(0);
  server.route("/limited.xml", [limited_calls, body = rss(two_items("limited"))](
                                   const HttpRequest&, HttpResponder& res) {
    if (limited_calls->fetch_add(1) == 0) res.send(429, {{"Retry-After", "1"}}, "slow down");
    else res.send(200, {{"Content-Type", kRss}}, body);
  });
  mirror.add_source("limited", {server.url("/limited.xml")});

  // A byte every 300 ms never finishes within the 2 s `timeout`.
  server.route("/trickle.xml", [](const HttpRequest&, HttpResponder& res) {
    if (!res.send_head(200, {{"Content-Type", kRss}})) return;
    res.send_chunk("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>");
    while (res.send_chunk(" ") && res.wait(300ms)) {
    }
  });
  mirror.add_source("trickle", {server.url("/trickle.xml")});

  // Chunked, no length announced, never ending: the 20 MiB cap must stop it.
  server.route("/endless.xml", [](const HttpRequest&, HttpResponder& res) {
    if (!res.send_head(200, {{"Content-Type", kRss}})) return;
    const std::string chunk(1 << 20, ' ');
    for (int sent = 0; sent < 200 && res.send_chunk(chunk); ++sent) {
    }
  });
  mirror.add_source("endless", {server.url("/endless.xml")});

  server.serve_file("/page.html", "<!DOCTYPE html><html><body><p>Hello</p></body></html>",
                    "text/html; charset=utf-8");
  mirror.add_source("not a feed", {server.url("/page.html")});

  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 9u);
  for (const auto* name : {"有ETag", "gzip", "moved", "flaky", "limited"}) {
    SCOPED_TRACE(name);
    auto* source = find_report(report, name);
    ASSERT_TRUE(source);
    EXPECT_FALSE(source->failed()) << source->error->message;
    EXPECT_EQ(source->new_articles, 2u);
    EXPECT_FALSE(source->not_modified);
  }
  EXPECT_EQ(flaky_calls->load(), 2) << "a 500 is retried once, then the 200 is used";
  EXPECT_EQ(limited_calls->load(), 2) << "a 429 with Retry-After is retried";

  // The gzip path really ran: the client offered gzip and the server used it.
  bool offered_gzip = false;
  for (const auto& request : server.requests())
    if (request.path == "/gzip.xml")
      offered_gzip |= request.header("accept-encoding").find("gzip") != std::string::npos;
  EXPECT_TRUE(offered_gzip);

  auto* gone = find_report(report, "gone");
  ASSERT_TRUE(gone && gone->error);
  EXPECT_EQ(gone->error->kind, ErrorKind::http_status);
  EXPECT_NE(gone->error->message.find("404"), std::string::npos) << gone->error->message;

  auto* trickle = find_report(report, "trickle");
  ASSERT_TRUE(trickle && trickle->error);
  EXPECT_EQ(trickle->error->kind, ErrorKind::timeout) << trickle->error->message;
  EXPECT_NE(trickle->error->message.find("timed out"), std::string::npos) << trickle->error->message;

  auto* endless = find_report(report, "endless");
  ASSERT_TRUE(endless && endless->error);
  EXPECT_EQ(endless->error->kind, ErrorKind::too_large) << endless->error->message;
  EXPECT_NE(endless->error->message.find("larger than"), std::string::npos) << endless->error->message;

  auto* page = find_report(report, "not a feed");
  ASSERT_TRUE(page && page->error);
  EXPECT_EQ(page->error->kind, ErrorKind::not_feed) << page->error->message;

  EXPECT_EQ(report.total_new(), 10u);
  EXPECT_TRUE(report.any_failed());

  for (const auto& tag : {"etag", "gzip", "moved", "flaky", "limited"}) {
    std::string site = std::string(tag) == "etag" ? "有ETag" : tag;
    expect_archived(mirror, site, {std::string(tag) + "新闻一", std::string(tag) + "新闻二"});
  }
  for (const auto* failed : {"gone", "trickle", "endless", "not a feed"}) {
    EXPECT_TRUE(mirror.article_names(failed).empty()) << failed;
    EXPECT_FALSE(fs::exists(mirror.list_page(failed))) << failed;
  }

  // The second cycle of the ETag source costs a 304 and no parsing: nothing
  // is counted as unchanged, because nothing was read.
  auto before = mirror.snapshot();
  CycleOptions only_etag;
  only_etag.only_source = "有ETag";
  auto second = mirror.cycle(only_etag);
  ASSERT_EQ(second.sources.size(), 1u);
  const auto& etag = second.sources[0];
  EXPECT_FALSE(etag.failed());
  EXPECT_TRUE(etag.not_modified);
  EXPECT_EQ(etag.new_articles + etag.changed + etag.unchanged, 0u);
  bool sent_validator = false;
  for (const auto& request : server.requests())
    sent_validator |= request.path == "/etag.xml" && request.header("if-none-match") == "\"v1\"";
  EXPECT_TRUE(sent_validator) << "the stored ETag goes back as If-None-Match";
  EXPECT_EQ(mirror.snapshot(), before);
}

// --- golden ---

TEST(Cycle, GoldenRfiFeedIsArchivedByteForByte) {
  SKIP_WITHOUT_SHARED();
  auto golden = test::shared_dir() / "golden";
  HttpServer server;
  server.serve_file("/rfi.xml", read_file(golden / "rfi-feed.xml"), kRss);
  MirrorFolder mirror;
  // clean = false archives the feed's HTML untouched, as the old mirrors did.
  mirror.config().clean = false;
  mirror.add_source("法广", {server.url("/rfi.xml")});

  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  ASSERT_FALSE(report.sources[0].failed()) << report.sources[0].error->message;
  auto names = mirror.article_names("法广");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(read_file(mirror.site_dir("法广") / names[0]), read_file(golden / "rfi-article.md"));
  // The first article of a new site is 0xFFFFF - 1, as the old script numbered it.
  EXPECT_EQ(names[0], "1048574_米利访日：美国需要加快向台湾交付武器的速度.md");
}

// --- titles that are hostile as file names ---

TEST(Cycle, OddTitlesStayInsideTheSiteFolderAndReadBackFromLineTwo) {
  std::string long_title;
  while (long_title.size() < 300) long_title += "很长的标题";  // 3 bytes a character
  const std::vector<std::string> titles = {
      "斜杠/与反斜杠\\标题",
      "冒号:问号?竖线|标题",
      "双引号\"单引号'与“中文引号”",
      "全角标点：？｜＊",
      "全角空格\u3000在中间",
      "../../etc/passwd",
      "..",
      "<b>标签</b> & 实体",
      long_title,
  };
  std::vector<Item> items;
  for (std::size_t i = 0; i < titles.size(); ++i)
    items.push_back({titles[i], "https://news.example/odd/" + std::to_string(i),
                     "odd-" + std::to_string(i), "Mon, 01 Jan 2024 10:00:00 GMT", "<p>正文</p>"});
  HttpServer server;
  server.serve_file("/odd.xml", rss(items), kRss);
  MirrorFolder mirror;
  mirror.add_source("怪/站:名", {server.url("/odd.xml")});

  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  ASSERT_FALSE(report.sources[0].failed()) << report.sources[0].error->message;
  EXPECT_EQ(report.sources[0].new_articles, titles.size());

  // Every file the cycle wrote is an article directly inside the site's
  // folder, a list page, the README or state: nothing escaped upwards.
  auto site_dir = mirror.site_dir("怪/站:名");
  EXPECT_EQ(site_dir.parent_path(), mirror.dir() / "articles");
  for (const auto& entry : fs::recursive_directory_iterator(mirror.dir())) {
    if (!entry.is_regular_file()) continue;
    auto relative = fs::relative(entry.path(), mirror.dir());
    auto top = relative.begin()->string();
    if (top == ".newsmirror" || top == "lists" || relative == "README.md" ||
        relative == config::kConfigFileName)
      continue;
    EXPECT_EQ(entry.path().parent_path(), site_dir) << relative;
    EXPECT_LE(entry.path().filename().string().size(), archive::kMaxFileNameBytes) << relative;
  }
  EXPECT_FALSE(fs::exists(mirror.dir() / "etc"));
  EXPECT_FALSE(fs::exists(mirror.dir().parent_path() / "etc" / "passwd.md"));

  std::multiset<std::string> expected(titles.begin(), titles.end());
  EXPECT_EQ(archived_titles(mirror, "怪/站:名"), expected);
  expect_archived(mirror, "怪/站:名", expected);
}

// --- encodings ---

// `utf8` converted to `charset` with iconv(3), as a GB2312 publisher's
// server would send it.
std::string convert(const std::string& utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return {};
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  std::size_t converted = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (converted == static_cast<std::size_t>(-1)) return {};
  out.resize(out.size() - out_left);
  return out;
}

TEST(Cycle, Gb2312FeedIsArchivedAsUtf8) {
  const std::string title = "中国经济：简体中文标题";
  const std::string html = "<p>这是用国标编码的正文。</p>";
  auto bytes = convert(rss({{title, "https://news.example/gb/1", "gb-1",
                             "Mon, 01 Jan 2024 10:00:00 GMT", html}},
                           "gb2312"),
                       "GB2312");
  ASSERT_FALSE(bytes.empty()) << "iconv cannot convert to GB2312 here";
  ASSERT_EQ(bytes.find(title), std::string::npos) << "the served bytes must not be UTF-8";

  HttpServer server;
  // No charset in Content-Type: the XML declaration is what tells.
  server.serve_file("/gb.xml", bytes, "application/xml");
  MirrorFolder mirror;
  mirror.add_source("国标", {server.url("/gb.xml")});
  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  ASSERT_FALSE(report.sources[0].failed()) << report.sources[0].error->message;

  auto names = mirror.article_names("国标");
  ASSERT_EQ(names.size(), 1u);
  auto article = archive::read_article(read_file(mirror.site_dir("国标") / names[0]));
  ASSERT_TRUE(article) << article.error().message;
  EXPECT_EQ(article->title, title);
  EXPECT_EQ(article->html, html);
  EXPECT_NE(names[0].find(title), std::string::npos) << names[0];
}

// Archives one item served as `bytes` with `content_type` and returns what
// line 2 and line 5 of its file hold.
std::optional<archive::ArticleRecord> archive_one(const std::string& bytes,
                                                  const std::string& content_type) {
  HttpServer server;
  server.serve_file("/feed.xml", bytes, content_type);
  MirrorFolder mirror;
  mirror.add_source("编码", {server.url("/feed.xml")});
  auto report = mirror.cycle();
  EXPECT_EQ(report.sources.size(), 1u);
  if (report.sources.size() != 1) return std::nullopt;
  EXPECT_FALSE(report.sources[0].failed()) << report.sources[0].error->message;
  auto names = mirror.article_names("编码");
  EXPECT_EQ(names.size(), 1u);
  if (names.size() != 1) return std::nullopt;
  auto article = archive::read_article(read_file(mirror.site_dir("编码") / names[0]));
  EXPECT_TRUE(article);
  if (!article) return std::nullopt;
  return *article;
}

TEST(Cycle, Big5FeedIsArchivedAsUtf8) {
  const std::string title = "臺灣新聞：繁體標題";
  const std::string html = "<p>這是大五碼的內文。</p>";
  auto bytes = convert(rss({{title, "https://news.example/b5/1", "b5-1",
                             "Mon, 01 Jan 2024 10:00:00 GMT", html}},
                           "big5"),
                       "BIG5");
  ASSERT_FALSE(bytes.empty());
  auto article = archive_one(bytes, "text/xml");
  ASSERT_TRUE(article);
  EXPECT_EQ(article->title, title);
  EXPECT_EQ(article->html, html);
}

TEST(Cycle, GbkFeedDeclaredOnlyInContentTypeIsArchivedAsUtf8) {
  const std::string title = "只在HTTP头里声明的编码";
  const std::string html = "<p>正文</p>";
  // The XML has no declaration at all; only the HTTP header names GBK.
  auto xml = rss({{title, "https://news.example/gbk/1", "gbk-1", "Mon, 01 Jan 2024 10:00:00 GMT", html}});
  xml = xml.substr(xml.find("?>\n") + 3);
  auto bytes = convert(xml, "GBK");
  ASSERT_FALSE(bytes.empty());
  auto article = archive_one(bytes, "application/rss+xml; charset=GBK");
  ASSERT_TRUE(article);
  EXPECT_EQ(article->title, title);
  EXPECT_EQ(article->html, html);
}

TEST(Cycle, Utf8FeedWithAByteOrderMarkIsArchived) {
  const std::string title = "带BOM的订阅";
  auto article = archive_one(
      "\xEF\xBB\xBF" + rss({{title, "https://news.example/bom", "bom-1", "Mon, 01 Jan 2024 10:00:00 GMT",
                             "<p>x</p>"}}),
      kRss);
  ASSERT_TRUE(article);
  EXPECT_EQ(article->title, title);
}

// --- idempotence ---

void expect_second_cycle_changes_nothing(const test::FileOptions& options, bool expect_304) {
  HttpServer server;
  server.serve_file("/feed.xml", rss(two_items("same")), kRss, options);
  MirrorFolder mirror;
  mirror.add_source("同一", {server.url("/feed.xml")});

  auto first = mirror.cycle();
  ASSERT_EQ(first.sources.size(), 1u);
  ASSERT_EQ(first.sources[0].new_articles, 2u);
  auto after_first = mirror.snapshot();

  auto second = mirror.cycle();
  ASSERT_EQ(second.sources.size(), 1u);
  const auto& source = second.sources[0];
  EXPECT_FALSE(source.failed());
  EXPECT_EQ(source.not_modified, expect_304);
  EXPECT_EQ(source.new_articles, 0u);
  EXPECT_EQ(source.changed, 0u);
  // Without a 304 the feed is parsed again and each item recognized.
  EXPECT_EQ(source.unchanged, expect_304 ? 0u : 2u);
  EXPECT_EQ(mirror.snapshot(), after_first);
  EXPECT_EQ(server.hits("/feed.xml"), 2);
}

TEST(Cycle, SecondIdenticalCycleArchivesNothingWithoutConditionalGet) {
  expect_second_cycle_changes_nothing({}, /*expect_304=*/false);
}

TEST(Cycle, SecondIdenticalCycleArchivesNothingWithLastModified) {
  expect_second_cycle_changes_nothing({.last_modified = "Mon, 01 Jan 2024 10:00:00 GMT"},
                                      /*expect_304=*/true);
}

// --- novelty by identity only ---

TEST(Cycle, BackdatedItemAddedLaterIsStillNew) {
  HttpServer server;
  auto items = two_items("news");
  server.serve_file("/feed.xml", rss(items), kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 2u);

  // Published years before everything archived so far, appearing only now.
  items.push_back({"旧闻重发", "https://news.example/old", "old-1", "Wed, 03 Jan 2001 08:00:00 GMT",
                   "<p>old</p>"});
  server.serve_file("/feed.xml", rss(items), kRss);
  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_EQ(report.sources[0].new_articles, 1u);
  EXPECT_EQ(report.sources[0].unchanged, 2u);
  EXPECT_EQ(archived_titles(mirror, "站"),
            (std::multiset<std::string>{"news新闻一", "news新闻二", "旧闻重发"}));
}

TEST(Cycle, UndatedItemIsArchivedWithTheCycleTime) {
  HttpServer server;
  server.serve_file("/feed.xml", rss({{"没有日期", "https://news.example/undated", "", "", "<p>x</p>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  const core::TimePoint clock{std::chrono::milliseconds(1'700'000'000'000)};
  CycleOptions options;
  options.now = [clock] { return clock; };
  auto report = mirror.cycle(options);
  ASSERT_EQ(report.total_new(), 1u);

  auto names = mirror.article_names("站");
  ASSERT_EQ(names.size(), 1u);
  auto article = archive::read_article(read_file(mirror.site_dir("站") / names[0]));
  ASSERT_TRUE(article);
  EXPECT_EQ(article->title, "没有日期");
  EXPECT_EQ(article->published, clock) << "an undated item is dated when first seen";

  // Its identity is its link: later cycles (at other times) do not repeat it.
  options.now = [clock] { return clock + std::chrono::hours(1); };
  EXPECT_EQ(mirror.cycle(options).total_new(), 0u);
  EXPECT_EQ(mirror.article_names("站").size(), 1u);
}

TEST(Cycle, SameGuidWithNewContentBecomesANewVersionInTheFileAndTheCatalog) {
  HttpServer server;
  std::vector<Item> items = {{"原标题", "https://news.example/a", "guid-a",
                              "Mon, 01 Jan 2024 10:00:00 GMT", "<p>第一版</p>"}};
  server.serve_file("/feed.xml", rss(items), kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  auto first = mirror.snapshot();

  items[0].title = "改过的标题";
  items[0].html = "<p>第二版</p>";
  server.serve_file("/feed.xml", rss(items), kRss);
  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_EQ(report.sources[0].new_articles, 0u);
  EXPECT_EQ(report.sources[0].changed, 1u);
  EXPECT_EQ(report.sources[0].unchanged, 0u);

  // The file takes the new version under its first name; the catalog keeps both.
  auto names = mirror.article_names("站");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(first.count("articles/站/" + names[0])) << "the file keeps its name";
  auto article = archive::read_article(read_file(mirror.site_dir("站") / names[0]));
  ASSERT_TRUE(article);
  EXPECT_EQ(article->html, "<p>第二版</p>");
  EXPECT_EQ(article->title, "改过的标题");
  auto catalog = test::opened(catalog::Catalog::open(mirror.dir()));
  auto cataloged = catalog->find_by_file("articles/站/" + names[0]);
  ASSERT_TRUE(cataloged);
  auto versions = catalog->versions(cataloged->id);
  ASSERT_EQ(versions.size(), 2u);
  auto oldest = catalog->version_html(versions[0].id);
  ASSERT_TRUE(oldest);
  EXPECT_EQ(*oldest, "<p>第一版</p>");

  // The same content again is no edit.
  auto again = mirror.cycle();
  EXPECT_EQ(again.sources[0].changed, 0u);
  EXPECT_EQ(again.sources[0].unchanged, 1u);
  EXPECT_EQ(catalog->versions(cataloged->id).size(), 2u);
}

// --- sources with several URLs ---

TEST(Cycle, SecondUrlIsUsedWhenTheFirstAnswers404) {
  HttpServer server;
  server.serve_file("/mirror.xml", rss(two_items("备用")), kRss);
  MirrorFolder mirror;
  mirror.add_source("两址", {server.url("/missing.xml"), server.url("/mirror.xml")});
  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_FALSE(report.sources[0].failed()) << report.sources[0].error->message;
  EXPECT_EQ(report.sources[0].url, server.url("/mirror.xml"));
  EXPECT_EQ(report.sources[0].new_articles, 2u);
  EXPECT_EQ(server.hits("/missing.xml"), 1) << "a 404 is not retried";
  expect_archived(mirror, "两址", {"备用新闻一", "备用新闻二"});
}

TEST(Cycle, SecondUrlIsUsedWhenTheFirstAnswersWithABlockPage) {
  // Censors and captive portals answer 200 with HTML: not an answer.
  HttpServer server;
  server.serve_file("/blocked.xml", "<html><body>访问受限</body></html>", "text/html");
  server.serve_file("/mirror.xml", rss(two_items("备用")), kRss);
  MirrorFolder mirror;
  mirror.add_source("两址", {server.url("/blocked.xml"), server.url("/mirror.xml")});
  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_FALSE(report.sources[0].failed()) << report.sources[0].error->message;
  EXPECT_EQ(report.sources[0].url, server.url("/mirror.xml"));
  expect_archived(mirror, "两址", {"备用新闻一", "备用新闻二"});
}

TEST(Cycle, SecondUrlIsUsedWhenTheFirstRefusesConnections) {
  // A port that was free a moment ago: nothing listens there any more.
  std::string refused;
  {
    HttpServer gone;
    refused = gone.url("/feed.xml");
  }
  HttpServer server;
  server.serve_file("/mirror.xml", rss(two_items("备用")), kRss);
  MirrorFolder mirror;
  mirror.add_source("两址", {refused, server.url("/mirror.xml")});
  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_FALSE(report.sources[0].failed()) << report.sources[0].error->message;
  EXPECT_EQ(report.sources[0].url, server.url("/mirror.xml"));
  EXPECT_EQ(report.sources[0].new_articles, 2u);
}

TEST(Cycle, ArticleArrivingThroughTwoUrlsOfOneSourceIsArchivedOnce) {
  // Cycle 1: the official feed is down, the full-text mirror answers with its
  // own GUIDs. Cycle 2: the official feed is back, same story, its GUID.
  HttpServer server;
  Item story{"同一篇报道", "https://news.example/story", "mirror-guid-1",
             "Mon, 01 Jan 2024 10:00:00 GMT", "<p>全文</p>"};
  server.serve_file("/mirror.xml", rss({story}), kRss);
  MirrorFolder mirror;
  mirror.add_source("两址", {server.url("/official.xml"), server.url("/mirror.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 1u);

  story.guid = "official-guid-1";
  story.html = "<p>摘要</p>";
  server.serve_file("/official.xml", rss({story}), kRss);
  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_EQ(report.sources[0].url, server.url("/official.xml"));
  EXPECT_EQ(report.sources[0].new_articles, 0u) << "the link identifies it as already archived";
  EXPECT_EQ(mirror.article_names("两址").size(), 1u);
}

// --- numbering and lists ---

// The sequence number a file name carries (N = 0xFFFFF XOR seq).
std::uint64_t seq_of(const std::string& file_name) {
  auto number = archive::parse_article_number(file_name);
  EXPECT_TRUE(number) << file_name;
  return number ? (*number ^ 0xFFFFF) : 0;
}

std::string file_with_title(const MirrorFolder& mirror, const std::string& site,
                            const std::string& title) {
  for (const auto& name : mirror.article_names(site))
    if (name.find("_" + title + ".md") != std::string::npos) return name;
  ADD_FAILURE() << "no file titled " << title;
  return {};
}

TEST(Cycle, NewArticlesAreNumberedConsecutivelyNewestHighestAndListedNewestFirst) {
  // Feed order is newest first: 甲 is the newest.
  std::vector<Item> items = {
      {"甲", "https://news.example/a", "a", "Wed, 03 Jan 2024 10:00:00 GMT", "<p>a</p>"},
      {"乙", "https://news.example/b", "b", "Tue, 02 Jan 2024 10:00:00 GMT", "<p>b</p>"},
      {"丙", "https://news.example/c", "c", "Mon, 01 Jan 2024 10:00:00 GMT", "<p>c</p>"},
  };
  HttpServer server;
  server.serve_file("/feed.xml", rss(items), kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 3u);

  auto a = file_with_title(mirror, "站", "甲");
  auto b = file_with_title(mirror, "站", "乙");
  auto c = file_with_title(mirror, "站", "丙");
  EXPECT_EQ(seq_of(b), seq_of(c) + 1);
  EXPECT_EQ(seq_of(a), seq_of(b) + 1);
  EXPECT_LT(*archive::parse_article_number(a), *archive::parse_article_number(b))
      << "newer articles get smaller N so that they sort first";
  EXPECT_EQ(list_links(read_file(mirror.list_page("站"))), (std::vector<std::string>{a, b, c}));

  // A later cycle continues the count and puts the newcomer on top.
  items.insert(items.begin(),
               {"丁", "https://news.example/d", "d", "Thu, 04 Jan 2024 10:00:00 GMT", "<p>d</p>"});
  server.serve_file("/feed.xml", rss(items), kRss);
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  auto d = file_with_title(mirror, "站", "丁");
  EXPECT_EQ(seq_of(d), seq_of(a) + 1);
  EXPECT_EQ(list_links(read_file(mirror.list_page("站"))), (std::vector<std::string>{d, a, b, c}));
}

TEST(Cycle, EachSiteNumbersItsOwnArticlesFrom1048574Down) {
  // The old script's rule: a site's first article is 0xFFFFF - 1, each new
  // one the site's smallest number minus one; sites count apart.
  HttpServer server;
  server.serve_file("/one.xml", rss(two_items("one")), kRss);
  server.serve_file("/two.xml", rss(two_items("two")), kRss);
  MirrorFolder mirror;
  mirror.add_source("一", {server.url("/one.xml")});
  mirror.add_source("二", {server.url("/two.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 4u);
  for (const auto* site : {"一", "二"}) {
    std::set<std::uint64_t> numbers;
    for (const auto& name : mirror.article_names(site)) numbers.insert(*archive::parse_article_number(name));
    EXPECT_EQ(numbers, (std::set<std::uint64_t>{1048573, 1048574})) << site;
  }
  auto three = two_items("one");
  three.insert(three.begin(), {"one新闻三", "https://news.example/one/3", "one-3", "Wed, 03 Jan 2024 10:00:00 GMT",
                               "<p>one 三</p>"});
  server.serve_file("/one.xml", rss(three), kRss);
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  std::set<std::uint64_t> numbers;
  for (const auto& name : mirror.article_names("一")) numbers.insert(*archive::parse_article_number(name));
  EXPECT_EQ(*numbers.begin(), 1048572u) << "the next one goes below the site's smallest number";
}

TEST(Cycle, ANumberAFileOfAnotherTitleBearsIsPassedOver) {
  // The state never learned of 1048573_别的.md (copied in by hand, then
  // cataloged); the site's next article must not take its number.
  HttpServer server;
  auto items = two_items("one");
  server.serve_file("/one.xml", rss({items[1]}), kRss);
  MirrorFolder mirror;
  mirror.add_source("一", {server.url("/one.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  archive::ArticleRecord other{core::TimePoint(std::chrono::milliseconds(1704100000000)), "别的",
                               "https://elsewhere.example/x", "<p>别的</p>"};
  const auto stranger = mirror.site_dir("一") / archive::article_file_name(1048573, "别的");
  std::ofstream(stranger, std::ios::binary) << archive::render_article(other);
  {
    auto catalog = test::opened(catalog::Catalog::open(mirror.dir()));
    catalog::NewArticle entry;
    entry.site = "一";
    entry.file = "articles/一/" + stranger.filename().string();
    entry.number = 1048573;
    entry.identity = "link:一\x1f" "elsewhere.example/x";
    entry.title = other.title;
    entry.link = other.link;
    entry.html = other.html;
    ASSERT_TRUE(catalog->record_new_article(entry));
  }
  server.serve_file("/one.xml", rss(items), kRss);
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  std::set<std::uint64_t> numbers;
  for (const auto& name : mirror.article_names("一")) numbers.insert(*archive::parse_article_number(name));
  EXPECT_EQ(numbers, (std::set<std::uint64_t>{1048572, 1048573, 1048574}));
  EXPECT_EQ(read_file(stranger), archive::render_article(other)) << "untouched";
}

// --- more of what a cycle promises ---

TEST(Cycle, UntitledItemIsArchivedUnderItsNumberAlone) {
  HttpServer server;
  server.serve_file("/feed.xml",
                    rss({{"", "https://news.example/untitled", "u-1", "Mon, 01 Jan 2024 10:00:00 GMT",
                          "<p>无题</p>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  auto names = mirror.article_names("站");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0], std::to_string(*archive::parse_article_number(names[0])) + ".md");
  auto article = archive::read_article(read_file(mirror.site_dir("站") / names[0]));
  ASSERT_TRUE(article) << article.error().message;
  EXPECT_EQ(article->title, "");
  EXPECT_EQ(article->html, "<p>无题</p>");
}

TEST(Cycle, TitleWithLineBreaksIsOneLine) {
  HttpServer server;
  server.serve_file("/feed.xml",
                    rss({{"第一行\n   第二行\r\n\t第三行", "https://news.example/lines", "l-1",
                          "Mon, 01 Jan 2024 10:00:00 GMT", "<p>x</p>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  EXPECT_EQ(archived_titles(mirror, "站"), (std::multiset<std::string>{"第一行 第二行 第三行"}));
}

TEST(Cycle, RunsOfSpacesInATitleStayAsTheOldMirrorsKeptThem) {
  HttpServer server;
  server.serve_file("/feed.xml",
                    rss({{"  因应中国崛起  北约提议重拟战略  ", "https://news.example/nato", "n-1",
                          "Mon, 01 Jan 2024 10:00:00 GMT", "<p>x</p>"}}),
                    kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  EXPECT_EQ(archived_titles(mirror, "站"), (std::multiset<std::string>{"因应中国崛起  北约提议重拟战略"}));
}

TEST(Cycle, SameGuidTwiceInOneFeedIsArchivedOnce) {
  HttpServer server;
  Item item{"重复", "https://news.example/dup", "dup-1", "Mon, 01 Jan 2024 10:00:00 GMT", "<p>x</p>"};
  server.serve_file("/feed.xml", rss({item, item}), kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/feed.xml")});
  auto report = mirror.cycle();
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_EQ(report.sources[0].new_articles, 1u);
  EXPECT_EQ(mirror.article_names("站").size(), 1u);
}

TEST(Cycle, DisabledSourceIsSkippedUnlessAskedForByName) {
  HttpServer server;
  server.serve_file("/feed.xml", rss(two_items("off")), kRss);
  MirrorFolder mirror;
  mirror.add_source("停用", {server.url("/feed.xml")});
  mirror.config().sources.back().enabled = false;
  EXPECT_TRUE(mirror.cycle().sources.empty());
  EXPECT_EQ(server.hits("/feed.xml"), 0);

  CycleOptions by_name;
  by_name.only_source = "停用";
  EXPECT_EQ(mirror.cycle(by_name).total_new(), 2u);
}

TEST(Cycle, UnknownSourceNameIsAUsageError) {
  MirrorFolder mirror;
  mirror.add_source("站", {"http://127.0.0.1:1/feed.xml"});
  ASSERT_TRUE(config::save_config(config::config_path(mirror.dir()), mirror.config()));
  auto opened = Mirror::open(mirror.dir());
  ASSERT_TRUE(opened);
  CycleOptions options;
  options.only_source = "没有";
  auto report = opened->run_cycle(options);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, ErrorKind::usage);
}

TEST(Cycle, OnlyDueSkipsASourceFetchedWithinItsInterval) {
  HttpServer server;
  server.serve_file("/fast.xml", rss(two_items("fast")), kRss);
  server.serve_file("/slow.xml", rss(two_items("slow")), kRss);
  MirrorFolder mirror;
  mirror.add_source("常更", {server.url("/fast.xml")});
  mirror.config().sources.back().interval = std::chrono::minutes(5);
  mirror.add_source("少更", {server.url("/slow.xml")});
  mirror.config().sources.back().interval = std::chrono::hours(1);
  core::TimePoint t0{std::chrono::milliseconds(1'700'000'000'000)};
  CycleOptions options;
  options.only_due = true;
  options.now = [t0] { return t0; };
  EXPECT_EQ(mirror.cycle(options).sources.size(), 2u);

  options.now = [t0] { return t0 + std::chrono::minutes(10); };
  auto report = mirror.cycle(options);
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_EQ(report.sources[0].name, "常更");
  EXPECT_EQ(server.hits("/slow.xml"), 1);

  auto opened = Mirror::open(mirror.dir());
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->next_due(t0 + std::chrono::minutes(10)),
            t0 + std::chrono::minutes(15)) << "the 5-minute source, last tried at +10 min";
}

TEST(Cycle, ListPageHoldsOnlyTheNewestConfiguredNumberOfEntries) {
  std::vector<Item> items;
  for (int i = 5; i >= 1; --i)
    items.push_back({"第" + std::to_string(i) + "条", "https://news.example/n/" + std::to_string(i),
                     "n-" + std::to_string(i), "Mon, 01 Jan 2024 10:00:00 GMT", "<p>x</p>"});
  HttpServer server;
  server.serve_file("/feed.xml", rss(items), kRss);
  MirrorFolder mirror;
  mirror.config().list_entries = 3;
  mirror.add_source("站", {server.url("/feed.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 5u);
  EXPECT_EQ(mirror.article_names("站").size(), 5u);
  EXPECT_EQ(list_links(read_file(mirror.list_page("站"))),
            (std::vector<std::string>{file_with_title(mirror, "站", "第5条"),
                                      file_with_title(mirror, "站", "第4条"),
                                      file_with_title(mirror, "站", "第3条")}));
}

TEST(Cycle, RelativeLinksResolveAgainstTheUrlAfterRedirects) {
  HttpServer server;
  server.redirect("/old/feed.xml", server.url("/new/feed.xml"));
  std::string feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>"
                     "<item><title>相对</title><link>story/1.html</link><guid>r-1</guid>"
                     "<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><description>x</description>"
                     "</item></channel></rss>";
  server.serve_file("/new/feed.xml", feed, kRss);
  MirrorFolder mirror;
  mirror.add_source("站", {server.url("/old/feed.xml")});
  ASSERT_EQ(mirror.cycle().total_new(), 1u);
  auto names = mirror.article_names("站");
  ASSERT_EQ(names.size(), 1u);
  auto article = archive::read_article(read_file(mirror.site_dir("站") / names[0]));
  ASSERT_TRUE(article);
  EXPECT_EQ(article->link, server.url("/new/story/1.html"));
}

TEST(Cycle, SourcesWhoseFolderNamesCollideAreAConfigError) {
  // Regression: "a/b" and "a／b" both clean to the folder a／b, and the
  // second source's list page silently replaced the first one's.
  MirrorFolder mirror;
  mirror.add_source("a/b", {"http://127.0.0.1:1/one.xml"});
  mirror.add_source("a／b", {"http://127.0.0.1:1/two.xml"});
  ASSERT_TRUE(config::save_config(config::config_path(mirror.dir()), mirror.config()));
  auto opened = Mirror::open(mirror.dir());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, ErrorKind::config);
  EXPECT_NE(opened.error().message.find("\"a/b\""), std::string::npos) << opened.error().message;
  EXPECT_NE(opened.error().message.find("\"a／b\""), std::string::npos) << opened.error().message;
  EXPECT_FALSE(fs::exists(mirror.dir() / "articles"));
}

}  // namespace
}  // namespace newsmirror::mirror
