// The routes of `newsmirror serve` over a small real catalog, through a real
// server on 127.0.0.1: search and article APIs, health, the site's pages,
// images, and every way of asking for a file outside the mirror.
#include "serve/mirror_handler.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "catalog/catalog.hpp"
#include "raw_http.hpp"
#include "serve/http_server.hpp"
#include "support/cli.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror::serve {
namespace {

namespace fs = std::filesystem;
using test::get;
using test::url_encode;

core::TimePoint at(std::int64_t ms) { return core::TimePoint(std::chrono::milliseconds(ms)); }

constexpr std::int64_t kDay = 24 * 3600 * 1000;
constexpr std::int64_t kStart = 1700000000000;  // 2023-11-14

class MirrorHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mirror_ = root_.path() / "mirror";
    fs::create_directories(mirror_);
    catalog_ = newsmirror::test::opened(catalog::Catalog::open(mirror_));
    add("BBC", 1, "台湾大选结果揭晓", "<p>台湾选民今天投票选出新的总统。</p>", kStart + 1 * kDay);
    add("BBC", 2, "Weather report", "<p>Rain in London.</p>", kStart + 2 * kDay);
    add("法广", 3, "米利访日：美国需要加快向台湾交付武器", "<p>米利说台湾需要更快的武器交付。</p>", kStart + 3 * kDay);
    add("法广", 4, "巴黎奥运", "<p>奥运会开幕。</p>", kStart + 4 * kDay);
  }

  void add(const std::string& site, std::uint64_t seq, const std::string& title, const std::string& html,
           std::int64_t published) {
    catalog::NewArticle a;
    a.site = site;
    a.number = 0xFFFFF ^ seq;
    a.file = "articles/" + site + "/" + std::to_string(*a.number) + "_" + title + ".md";
    a.identity = "link:" + site + "\x1fhttps://example.com/" + std::to_string(seq);
    a.title = title;
    a.link = "https://example.com/" + std::to_string(seq);
    a.published = at(published);
    a.html = html;
    a.fetched_at = at(published + 60000);
    auto id = catalog_->record_new_article(a);
    ASSERT_TRUE(id.ok()) << id.error().message;
  }

  void start() {
    MirrorHandlerOptions options;
    options.mirror = mirror_;
    options.catalog_check_interval = std::chrono::milliseconds(0);
    handler_ = std::make_unique<MirrorHandler>(options);
    ServerOptions server_options;
    server_options.listen = "127.0.0.1:0";
    server_options.threads = 2;
    auto server = HttpServer::start(server_options, [this](const Request& r) { return handler_->handle(r); });
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
  }

  std::uint16_t port() const { return server_->port(); }

  nlohmann::json get_json(const std::string& target, int expected_status = 200) {
    auto answer = get(port(), target);
    EXPECT_TRUE(answer) << target;
    if (!answer) return nullptr;
    EXPECT_EQ(answer->status, expected_status) << target << ": " << answer->body;
    EXPECT_EQ(answer->header("content-type"), "application/json") << target;
    return nlohmann::json::parse(answer->body, nullptr, false);
  }

  ::newsmirror::test::TempDir root_;
  fs::path mirror_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<MirrorHandler> handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(MirrorHandlerTest, SearchAnswersWithTheFieldsOfSearchJson) {
  start();
  auto found = get_json("/api/search?q=" + url_encode("台湾"));
  EXPECT_EQ(found["total"], 2);
  ASSERT_EQ(found["results"].size(), 2u);
  std::set<std::string> titles;
  for (const auto& hit : found["results"]) {
    std::set<std::string> keys;
    for (auto it = hit.begin(); it != hit.end(); ++it) keys.insert(it.key());
    EXPECT_EQ(keys, (std::set<std::string>{"site", "file", "title", "link", "published", "score", "snippet"}));
    titles.insert(hit["title"]);
    EXPECT_TRUE(hit["file"].get<std::string>().starts_with("articles/"));
    EXPECT_TRUE(hit["published"].is_number_integer());
  }
  EXPECT_EQ(titles, (std::set<std::string>{"台湾大选结果揭晓", "米利访日：美国需要加快向台湾交付武器"}));
  EXPECT_NE(found["results"][0]["snippet"].get<std::string>().find("**"), std::string::npos)
      << "matches are marked as newsmirror search --json marks them";
}

TEST_F(MirrorHandlerTest, SearchFindsSimplifiedTextFromATraditionalQuery) {
  start();
  auto traditional = get_json("/api/search?q=" + url_encode("臺灣"));
  EXPECT_EQ(traditional["total"], 2);
  auto exact = get_json("/api/search?q=" + url_encode("奧運"));
  ASSERT_EQ(exact["total"], 1);
  EXPECT_EQ(exact["results"][0]["title"], "巴黎奥运");
}

TEST_F(MirrorHandlerTest, SearchTakesSiteDatesLimitAndOffset) {
  start();
  auto site = get_json("/api/search?q=" + url_encode("台湾") + "&site=" + url_encode("法广"));
  ASSERT_EQ(site["total"], 1);
  EXPECT_EQ(site["results"][0]["site"], "法广");
  auto since = get_json("/api/search?q=" + url_encode("台湾") + "&since=2023-11-16");
  ASSERT_EQ(since["total"], 1);
  EXPECT_EQ(since["results"][0]["site"], "法广");
  auto until = get_json("/api/search?q=" + url_encode("台湾") + "&until=2023-11-15");
  ASSERT_EQ(until["total"], 1);
  EXPECT_EQ(until["results"][0]["site"], "BBC");
  auto first = get_json("/api/search?q=" + url_encode("台湾") + "&limit=1");
  auto second = get_json("/api/search?q=" + url_encode("台湾") + "&limit=1&offset=1");
  EXPECT_EQ(first["total"], 2);
  ASSERT_EQ(first["results"].size(), 1u);
  ASSERT_EQ(second["results"].size(), 1u);
  EXPECT_NE(first["results"][0]["file"], second["results"][0]["file"]);
}

TEST_F(MirrorHandlerTest, BadSearchParametersAre400WithAMessage) {
  start();
  for (const std::string& target : std::vector<std::string>{"/api/search", "/api/search?q=", "/api/search?q=x&limit=0",
                                   "/api/search?q=x&limit=abc", "/api/search?q=x&offset=-1",
                                   "/api/search?q=x&since=yesterday", "/api/search?q=!!!"}) {
    auto error = get_json(target, 400);
    EXPECT_TRUE(error.contains("error")) << target;
    EXPECT_FALSE(error["error"].get<std::string>().empty()) << target;
  }
}

TEST_F(MirrorHandlerTest, ArticlesAreListedNewestFirstWithTheirPages) {
  start();
  auto all = get_json("/api/articles");
  EXPECT_EQ(all["total"], 4);
  ASSERT_EQ(all["articles"].size(), 4u);
  std::int64_t previous = INT64_MAX;
  for (const auto& a : all["articles"]) {
    for (const char* key : {"site", "file", "title", "link", "published", "first_seen", "versions", "url"})
      EXPECT_TRUE(a.contains(key)) << key;
    EXPECT_LT(a["published"].get<std::int64_t>(), previous);
    previous = a["published"];
    EXPECT_EQ(a["versions"], 1);
    // Its page is there, and is about it.
    auto page = get(port(), a["url"].get<std::string>());
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200) << a["url"];
    EXPECT_NE(page->body.find(a["title"].get<std::string>()), std::string::npos) << a["url"];
  }
  EXPECT_EQ(all["articles"][0]["title"], "巴黎奥运");

  auto page = get_json("/api/articles?limit=2&offset=1");
  ASSERT_EQ(page["articles"].size(), 2u);
  EXPECT_EQ(page["articles"][0]["title"], all["articles"][1]["title"]);
  EXPECT_EQ(page["articles"][1]["title"], all["articles"][2]["title"]);

  auto bbc = get_json("/api/articles?site=BBC");
  EXPECT_EQ(bbc["total"], 2);
  for (const auto& a : bbc["articles"]) EXPECT_EQ(a["site"], "BBC");
  get_json("/api/articles?site=nowhere", 404);
  get_json("/api/articles?limit=0", 400);
}

TEST_F(MirrorHandlerTest, ANewArticleInTheCatalogShowsUpWithoutARestart) {
  start();
  auto before = get_json("/api/articles");
  auto home_before = get(port(), "/");
  ASSERT_TRUE(home_before);
  EXPECT_EQ(home_before->body.find("新加入的文章"), std::string::npos);
  add("BBC", 5, "新加入的文章", "<p>新的内容。</p>", kStart + 5 * kDay);
  auto after = get_json("/api/articles");
  EXPECT_EQ(after["total"], before["total"].get<int>() + 1);
  EXPECT_EQ(after["articles"][0]["title"], "新加入的文章");
  auto home_after = get(port(), "/");
  ASSERT_TRUE(home_after);
  EXPECT_NE(home_after->body.find("新加入的文章"), std::string::npos) << "the cached home page was made again";
  EXPECT_NE(home_after->header("etag"), home_before->header("etag"));
}

// SQLite makes the WAL file when a first connection opens the catalog and
// removes it when the last one closes. Neither is a change: the server
// must not read the whole archive again (at a million articles, holding
// two models of it for a while) because a command came and went.
TEST_F(MirrorHandlerTest, AConnectionThatComesAndGoesIsNotAChange) {
  catalog_.reset();  // nothing holds the catalog open but the server
  MirrorHandlerOptions options;
  options.mirror = mirror_;
  options.catalog_check_interval = std::chrono::milliseconds(0);
  MirrorHandler handler(options);
  const Request home{.target = "/", .path = "/", .query = ""};
  auto first = handler.handle(home);
  ASSERT_EQ(first->code(), 200);
  newsmirror::test::opened(catalog::Catalog::open(mirror_));  // opened and closed, as `newsmirror search` does
  EXPECT_EQ(handler.handle(home), first) << "the cached page stands: nothing changed";

  catalog_ = newsmirror::test::opened(catalog::Catalog::open(mirror_));
  add("BBC", 6, "后来的文章", "<p>后来。</p>", kStart + 6 * kDay);
  auto after = handler.handle(home);
  EXPECT_NE(after, first);
  EXPECT_NE(after->body().find("后来的文章"), std::string::npos) << "a real change still shows";
}

TEST_F(MirrorHandlerTest, HealthzCountsTheArticles) {
  start();
  auto health = get_json("/healthz");
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["articles"], 4);
  auto answer = get(port(), "/healthz");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->header("cache-control"), "no-store");
}

TEST(MirrorHandlerBroken, HealthzIs503WhenTheCatalogCannotBeRead) {
  ::newsmirror::test::TempDir root;
  fs::create_directories(root.path() / ".newsmirror");
  std::ofstream(root.path() / ".newsmirror" / "catalog.db") << std::string(8192, 'x');
  MirrorHandlerOptions options;
  options.mirror = root.path();
  MirrorHandler handler(options);
  ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  auto server = HttpServer::start(server_options, [&](const Request& r) { return handler.handle(r); });
  ASSERT_TRUE(server.ok());
  auto health = get((*server)->port(), "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  auto body = nlohmann::json::parse(health->body, nullptr, false);
  EXPECT_EQ(body["status"], "unavailable");
  EXPECT_FALSE(body["error"].get<std::string>().empty());
  auto page = get((*server)->port(), "/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 503);
}

// `newsmirror reindex` renames a whole new catalog.db into place: the
// server's open connections still read the old file, so it must open new
// ones rather than go on answering from it.
TEST(MirrorHandlerReindex, ACatalogReplacedByReindexIsReadAfresh) {
  ::newsmirror::test::TempDir root, scratch;
  const fs::path mirror = root.path() / "mirror";
  auto write_article = [&](std::uint64_t seq, const std::string& title) {
    archive::ArticleRecord r;
    r.published = at(kStart + static_cast<std::int64_t>(seq) * kDay);
    r.title = title;
    r.link = "https://example.com/" + std::to_string(seq);
    r.html = "<p>" + title + "的内容。</p>";
    const fs::path path = mirror / "articles" / "BBC" / archive::article_file_name(archive::article_number(seq), title);
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << archive::render_article(r);
  };
  write_article(1, "第一篇");
  write_article(2, "第二篇");
  auto init = ::newsmirror::test::run_newsmirror(scratch.path(), {"--quiet", "init", mirror.string()});
  ASSERT_EQ(init.status, 0) << init.err;

  MirrorHandlerOptions options;
  options.mirror = mirror;
  options.catalog_check_interval = std::chrono::milliseconds(0);
  MirrorHandler handler(options);
  ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.threads = 1;  // one pooled connection, reused by every request
  auto server = HttpServer::start(server_options, [&](const Request& r) { return handler.handle(r); });
  ASSERT_TRUE(server.ok());
  const std::uint16_t port = (*server)->port();
  auto count = [&] {
    auto health = get(port, "/healthz");
    return health ? nlohmann::json::parse(health->body, nullptr, false).value("articles", -1) : -1;
  };
  ASSERT_EQ(count(), 2);

  write_article(3, "第三篇");
  auto reindex = ::newsmirror::test::run_newsmirror(scratch.path(), {"--quiet", "--mirror", mirror.string(), "reindex"});
  ASSERT_EQ(reindex.status, 0) << reindex.err;
  EXPECT_EQ(count(), 3);
  auto search = get(port, "/api/search?q=" + url_encode("第三篇"));
  ASSERT_TRUE(search);
  EXPECT_EQ(nlohmann::json::parse(search->body, nullptr, false)["total"], 1);
}

TEST_F(MirrorHandlerTest, TheSitesPagesAreServedWithPageHeaders) {
  start();
  auto home = get(port(), "/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200);
  EXPECT_EQ(home->header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(home->header("cache-control"), "public, max-age=60");
  EXPECT_NE(home->header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_NE(home->body.find("巴黎奥运"), std::string::npos);
  auto index = get(port(), "/index.html");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->body, home->body);
  auto style = get(port(), "/style.css");
  ASSERT_TRUE(style);
  EXPECT_EQ(style->status, 200);
  EXPECT_TRUE(style->header("content-type").starts_with("text/css"));
  auto site = get(port(), "/sites/" + url_encode("法广") + "/");
  ASSERT_TRUE(site);
  EXPECT_EQ(site->status, 200);
  EXPECT_NE(site->body.find("巴黎奥运"), std::string::npos);
  auto feed = get(port(), "/feed.atom");
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->status, 200);
  auto missing = get(port(), "/no/such/page.html");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(MirrorHandlerTest, TheSearchPageFindsTraditionalAndSimplified) {
  start();
  for (const char* q : {"台湾", "臺灣"}) {
    auto results = get(port(), std::string("/search.html?q=") + url_encode(q));
    ASSERT_TRUE(results) << q;
    EXPECT_EQ(results->status, 200) << q;
    EXPECT_NE(results->body.find("米利访日"), std::string::npos) << q;
    EXPECT_EQ(results->body.find("Weather report"), std::string::npos) << q;
  }
}

TEST_F(MirrorHandlerTest, ImagesAreServedFromAssetsForAYear) {
  fs::create_directories(mirror_ / "assets" / "ab");
  const std::string png = "\x89PNG\r\n\x1A\n fake image bytes";
  std::ofstream(mirror_ / "assets" / "ab" / "ab12.png", std::ios::binary) << png;
  start();
  auto image = get(port(), "/assets/ab/ab12.png");
  ASSERT_TRUE(image);
  EXPECT_EQ(image->status, 200);
  EXPECT_EQ(image->body, png);
  EXPECT_EQ(image->header("content-type"), "image/png");
  EXPECT_EQ(image->header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_FALSE(image->header("etag").empty());
  auto missing = get(port(), "/assets/ab/none.png");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(MirrorHandlerTest, NothingOutsideTheSiteIsEverServed) {
  const std::string secret = "SECRET-OUTSIDE-THE-MIRROR";
  std::ofstream(root_.path() / "secret.png") << secret;
  std::ofstream(root_.path() / "passwd") << secret;
  fs::create_directories(mirror_ / "assets" / "ab");
  fs::create_directories(root_.path() / "outside");
  std::ofstream(root_.path() / "outside" / "x.png") << secret;
  fs::create_symlink(root_.path() / "secret.png", mirror_ / "assets" / "ab" / "link.png");
  fs::create_symlink("../../../secret.png", mirror_ / "assets" / "ab" / "relative.png");
  fs::create_directory_symlink(root_.path() / "outside", mirror_ / "assets" / "out");
  std::ofstream(mirror_ / "newsmirror.toml") << "# " << secret << "\n";
  start();
  const std::string abs = (root_.path() / "secret.png").string();
  const std::vector<std::string> targets = {
       "/../secret.png", "/assets/../../secret.png", "/assets/%2e%2e/%2e%2e/secret.png",
        "/assets/%2E%2E%2F%2E%2E%2Fsecret.png", "/assets/ab%2f..%2f..%2f..%2fsecret.png",
        "/assets/ab/..%5c..%5c..%5csecret.png", "/assets/ab\\..\\..\\..\\secret.png", "/assets/ab/link.png",
        "/assets/ab/relative.png", "/assets/out/x.png", "/assets/ab/link.png%00.png", "/assets/" + abs,
        "/assets/%2f" + abs.substr(1), "//" + abs.substr(1), "/%2e%2e/passwd", "/..%2fpasswd",
        "/newsmirror.toml", "/.newsmirror/catalog.db", "/articles/BBC/", "/%c0%ae%c0%ae/secret.png"};
  for (const std::string& target : targets) {
    auto answer = get(port(), target);
    ASSERT_TRUE(answer) << target;
    EXPECT_TRUE(answer->status == 404 || answer->status == 400) << target << ": " << answer->status;
    EXPECT_EQ(answer->body.find(secret), std::string::npos) << target;
    EXPECT_EQ(answer->body.find("SQLite format"), std::string::npos) << target;
  }
}

}  // namespace
}  // namespace newsmirror::serve
