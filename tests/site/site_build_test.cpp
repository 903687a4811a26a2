// The static site: every page kind written, every relative link resolving
// to a file of the site, valid markup and feeds, and incremental builds
// that rewrite exactly what changed and produce the same bytes as a full
// build.
#include "site/site_builder.hpp"
#include "site/site_paths.hpp"

#include <gtest/gtest.h>
#include <gumbo.h>
#include <libxml/parser.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "catalog/catalog.hpp"
#include "core/feed.hpp"
#include "core/hash.hpp"
#include "core/mirror_layout.hpp"
#include "parse/feed_parser.hpp"
#include "support/cli.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"
#include "support/test_mirror.hpp"

namespace newsmirror::site {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

using ::newsmirror::test::read_file;

// Every file of the site but the build's own record, by relative path.
std::map<std::string, std::string> read_tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    auto relative = fs::relative(entry.path(), root).string();
    if (relative == ".newsmirror-build" || relative == ".newsmirror-build-state") continue;
    files[relative] = read_file(entry.path());
  }
  return files;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

BuildSummary build(const fs::path& mirror, const fs::path& out, RenderOptions render = {},
                   bool force = false) {
  BuildOptions options;
  options.out = out;
  options.render = std::move(render);
  options.force = force;
  auto summary = build_site(mirror, options);
  EXPECT_TRUE(summary.ok()) << (summary.ok() ? "" : summary.error().message);
  return summary.ok() ? *summary : BuildSummary{};
}

RenderOptions with_base_url() {
  RenderOptions options;
  options.base_url = "https://example.org/news/";
  return options;
}

class SiteBuild : public ::testing::Test {
 protected:
  void SetUp() override { mirror_ = test::make_test_mirror(mirror_dir_.path()); }
  TempDir mirror_dir_;
  TempDir out_dir_;
  test::TestMirror mirror_;
};

TEST_F(SiteBuild, WritesHomeSitesMonthsArticlesVersionsFeedsOpmlAndSitemap) {
  auto summary = build(mirror_.dir, out_dir_.path(), with_base_url());
  EXPECT_EQ(summary.articles, 6u);
  auto files = read_tree(out_dir_.path());
  for (const char* expected :
       {"index.html", "style.css", "feed.atom", "feed.rss", "feed.json", "sources.opml",
        "sitemap.xml", "sitemap-lists.xml", "sitemap-articles-1.xml", "sites/法广/index.html",
        "sites/法广/2026-11.html", "sites/法广/2026-10.html", "sites/BBC/2026-10.html",
        "sites/法广/1001_米利访日：美国需要加快向台湾交付武器.html",
        "sites/法广/1001_米利访日：美国需要加快向台湾交付武器.v1.html",
        "sites/法广/1001_米利访日：美国需要加快向台湾交付武器.v2.html",
        "sites/法广/feed.atom", "sites/BBC/feed.json", "sites/美国之音/3001_标题里有#号和?问号 100%.html"}) {
    EXPECT_TRUE(files.count(expected)) << expected;
  }
  // The current version is the article's own page, not a third .v file.
  EXPECT_FALSE(files.count("sites/法广/1001_米利访日：美国需要加快向台湾交付武器.v3.html"));
  EXPECT_TRUE(files.count(mirror_.image_path)) << "images are copied with the site";
  EXPECT_EQ(summary.written, summary.outputs);
}

TEST_F(SiteBuild, EveryRelativeLinkAndImageResolvesToAFileOfTheSite) {
  RenderOptions options = with_base_url();
  options.variants = {"hant", "hans"};
  build(mirror_.dir, out_dir_.path(), options);
  std::regex link(R"re((?:href|src)="([^"]*)")re");
  int checked = 0;
  for (const auto& [path, bytes] : read_tree(out_dir_.path())) {
    if (!path.ends_with(".html")) continue;
    for (std::sregex_iterator it(bytes.begin(), bytes.end(), link), end; it != end; ++it) {
      std::string target = (*it)[1];
      if (target.find(':') != std::string::npos || target.starts_with("#")) continue;  // absolute
      target = target.substr(0, target.find_first_of("?#"));
      auto resolved = (out_dir_.path() / path).parent_path() / percent_decode(target);
      EXPECT_TRUE(fs::exists(resolved)) << path << " links to " << (*it)[1];
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

TEST_F(SiteBuild, PagesAreHtml5WithoutParseErrorsScriptsOrExternalResources) {
  build(mirror_.dir, out_dir_.path());
  int pages = 0;
  for (const auto& [path, bytes] : read_tree(out_dir_.path())) {
    if (!path.ends_with(".html")) continue;
    ++pages;
    EXPECT_TRUE(bytes.starts_with("<!DOCTYPE html>")) << path;
    GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, bytes.data(), bytes.size());
    EXPECT_EQ(output->errors.length, 0u) << path;
    gumbo_destroy_output(&kGumboDefaultOptions, output);
    EXPECT_EQ(bytes.find("<script"), std::string::npos) << path;
    EXPECT_EQ(bytes.find("@import"), std::string::npos) << path;
    EXPECT_NE(bytes.find("name=\"viewport\""), std::string::npos) << path;
  }
  EXPECT_GT(pages, 10);
  auto css = read_file(out_dir_.path() / "style.css");
  EXPECT_NE(css.find("prefers-color-scheme: dark"), std::string::npos);
  EXPECT_EQ(css.find("url("), std::string::npos) << "no fonts or images fetched by the style sheet";
}

TEST_F(SiteBuild, ArticlePageShowsTitleSourceTimeContentAndLinksEveryVersion) {
  build(mirror_.dir, out_dir_.path());
  auto page = read_file(out_dir_.path() / "sites/法广/1001_米利访日：美国需要加快向台湾交付武器.html");
  EXPECT_NE(page.find("<h1>米利访日：美国需要加快向台湾交付武器</h1>"), std::string::npos);
  EXPECT_NE(page.find("href=\"https://example.com/1001\""), std::string::npos);
  EXPECT_NE(page.find("datetime=\"2026-11-18T19:06:40+08:00\""), std::string::npos)
      << "times are shown in the mirror's zone (Asia/Shanghai)";
  EXPECT_NE(page.find("更新2：补充了细节。"), std::string::npos) << "the current version";
  EXPECT_NE(page.find("<img src=\"../../" + mirror_.image_path + "\""), std::string::npos);
  EXPECT_NE(page.find("1001_%E7%B1%B3"), std::string::npos);
  EXPECT_NE(page.find(".v1.html\">第 1 版</a>"), std::string::npos);
  EXPECT_NE(page.find(".v2.html\">第 2 版</a>"), std::string::npos);
  EXPECT_NE(page.find("<strong>第 3 版</strong>"), std::string::npos);

  auto first = read_file(out_dir_.path() / "sites/法广/1001_米利访日：美国需要加快向台湾交付武器.v1.html");
  EXPECT_EQ(first.find("更新1"), std::string::npos) << "version 1 predates the edits";
  EXPECT_NE(first.find("这是本文的第 1 个版本（共 3 个）"), std::string::npos);
}

TEST_F(SiteBuild, FeedsParseAsAtomRssAndJsonFeedWithTheNewestArticles) {
  build(mirror_.dir, out_dir_.path(), with_base_url());
  for (const char* name : {"feed.atom", "feed.rss"}) {
    auto bytes = read_file(out_dir_.path() / name);
    auto feed = parse::parse_feed(bytes, {});
    ASSERT_TRUE(feed.ok()) << name;
    ASSERT_EQ(feed->entries.size(), 6u) << name;
    EXPECT_EQ(feed->entries[0].title.value_or(""), "米利访日：美国需要加快向台湾交付武器") << name;
    EXPECT_TRUE(feed->entries[0].link.value_or("").starts_with("https://example.org/news/sites/")) << name;
    EXPECT_NE(feed->entries[0].html().value_or("").find("https://example.org/news/" + mirror_.image_path),
              std::string::npos)
        << name << ": images are linked from the site, absolutely";
  }
  auto site_feed = parse::parse_feed(read_file(out_dir_.path() / "sites/BBC/feed.atom"), {});
  ASSERT_TRUE(site_feed.ok());
  EXPECT_EQ(site_feed->entries.size(), 2u);

  auto json = nlohmann::json::parse(read_file(out_dir_.path() / "feed.json"));
  EXPECT_EQ(json["version"], "https://jsonfeed.org/version/1.1");
  ASSERT_EQ(json["items"].size(), 6u);
  EXPECT_EQ(json["items"][0]["external_url"], "https://example.com/1001");
  EXPECT_TRUE(json["items"][0]["content_html"].get<std::string>().find("更新2") != std::string::npos);
  // An entry's id comes from the article's identity, which the site model's
  // rows leave out: it is read from the catalog, and stays what it was.
  auto catalog = test::opened(catalog::Catalog::open(mirror_.dir));
  std::string identity;
  for (const auto& article : catalog->all_articles())
    if (article.link == "https://example.com/1001") identity = article.identity;
  ASSERT_FALSE(identity.empty());
  EXPECT_EQ(json["items"][0]["id"], "urn:newsmirror:article:" + core::sha256_hex(identity).substr(0, 32));

  auto sitemap = read_file(out_dir_.path() / "sitemap-articles-1.xml");
  EXPECT_EQ(std::count(sitemap.begin(), sitemap.end(), '\n') >= 6, true);
  EXPECT_NE(sitemap.find("<loc>https://example.org/news/sites/%E6%B3%95%E5%B9%BF/1001_"), std::string::npos);
  auto opml = read_file(out_dir_.path() / "sources.opml");
  EXPECT_NE(opml.find("xmlUrl="), std::string::npos);
}

TEST_F(SiteBuild, WithoutABaseUrlFeedsLinkRelativelyAndNoSitemapIsWritten) {
  auto summary = build(mirror_.dir, out_dir_.path());
  EXPECT_FALSE(summary.sitemap);
  EXPECT_FALSE(fs::exists(out_dir_.path() / "sitemap.xml"));
  auto feed = parse::parse_feed(read_file(out_dir_.path() / "sites/法广/feed.atom"), {});
  ASSERT_TRUE(feed.ok());
  EXPECT_TRUE(feed->entries[0].link.value_or("").starts_with("../../sites/")) << feed->entries[0].link.value_or("");
}

TEST_F(SiteBuild, VariantsConvertTheTextButNotTheSwitchOrTheLinks) {
  RenderOptions options;
  options.variants = {"hant", "hans"};
  build(mirror_.dir, out_dir_.path(), options);
  auto hant = read_file(out_dir_.path() / "sites/法广/1001_米利访日：美国需要加快向台湾交付武器.hant.html");
  EXPECT_NE(hant.find("<h1>米利訪日：美國需要加快向臺灣交付武器</h1>"), std::string::npos)
      << hant.substr(0, 2000);
  EXPECT_NE(hant.find("lang=\"zh-Hant\""), std::string::npos);
  EXPECT_NE(hant.find(">简体</a>"), std::string::npos) << "the switch keeps each label's own script";
  EXPECT_NE(hant.find(".hans.html\" hreflang=\"zh-Hans\""), std::string::npos);
  EXPECT_NE(hant.find("../../sites/%E6%B3%95%E5%B9%BF/index.hant.html"), std::string::npos)
      << "links stay in the variant";
  auto hans = read_file(out_dir_.path() / "sites/BBC/2001_臺灣選舉觀察.hans.html");
  EXPECT_NE(hans.find("<h1>台湾选举观察</h1>"), std::string::npos);
}

TEST_F(SiteBuild, ASecondBuildWithNothingNewWritesNothing) {
  RenderOptions options = with_base_url();
  options.variants = {"hant"};
  build(mirror_.dir, out_dir_.path(), options);
  auto before = fs::last_write_time(out_dir_.path() / "index.html");
  auto again = build(mirror_.dir, out_dir_.path(), options);
  EXPECT_EQ(again.written, 0u);
  EXPECT_EQ(again.unchanged, again.outputs);
  EXPECT_EQ(again.images_copied, 0u);
  EXPECT_EQ(fs::last_write_time(out_dir_.path() / "index.html"), before);
}

TEST_F(SiteBuild, AfterNewArticlesOnlyTheirPagesAndTheListsTheyJoinAreRewrittenAndMatchAFullBuild) {
  RenderOptions options = with_base_url();
  build(mirror_.dir, out_dir_.path(), options);
  auto before = read_tree(out_dir_.path());
  {
    auto catalog = test::opened(catalog::Catalog::open(mirror_.dir));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(catalog->record_new_article(test::extra_article(1100 + i, 1795100000000 + i)).ok());
  }
  auto incremental = build(mirror_.dir, out_dir_.path(), options);
  auto after = read_tree(out_dir_.path());

  std::size_t changed_or_new = 0;
  for (const auto& [path, bytes] : after) {
    auto old = before.find(path);
    if (old == before.end() || old->second != bytes) ++changed_or_new;
  }
  // 3 articles; home, the site's page and its November; 3 + 3 feeds; the
  // sitemap chunk of articles. Nothing else, and nothing written in vain.
  EXPECT_EQ(incremental.written, 3u + 3u + 6u + 1u);
  EXPECT_EQ(changed_or_new, incremental.written);

  TempDir fresh;
  build(mirror_.dir, fresh.path(), options, /*force=*/true);
  auto full = read_tree(fresh.path());
  EXPECT_EQ(after, full) << "an incremental build leaves what a full build makes";
}

// An edit is a new version of the article, with a new id: its page, which
// shows the current version, and the page of the version it replaced are
// written again, and the result is what a full build makes.
TEST_F(SiteBuild, AnEditRewritesTheArticlesPageAndAddsThePageOfItsOldVersion) {
  RenderOptions options = with_base_url();
  build(mirror_.dir, out_dir_.path(), options);
  std::optional<catalog::Article> edited;  // the first BBC article, never edited before
  {
    auto catalog = test::opened(catalog::Catalog::open(mirror_.dir));
    for (const auto& article : catalog->all_articles())
      if (article.site == "BBC" && !edited) edited = article;
    ASSERT_TRUE(edited);
    ASSERT_EQ(catalog->versions(edited->id).size(), 1u);
    auto changed = catalog->record_version(edited->id, "<p>改写后的全文。</p>", core::TimePoint(std::chrono::hours(500000)));
    ASSERT_TRUE(changed.ok() && *changed);
  }
  auto incremental = build(mirror_.dir, out_dir_.path(), options);
  EXPECT_GT(incremental.written, 0u);
  EXPECT_NE(read_file(out_dir_.path() / site::article_path(*edited)).find("改写后的全文。"), std::string::npos);
  EXPECT_TRUE(fs::exists(out_dir_.path() / site::version_path(*edited, 1)));

  TempDir fresh;
  build(mirror_.dir, fresh.path(), options, /*force=*/true);
  EXPECT_EQ(read_tree(out_dir_.path()), read_tree(fresh.path())) << "an incremental build leaves what a full build makes";
}

// The site model keeps only what lists show; an article's link lives in
// the catalog row its page is made from. The catalog never changes a link;
// a catalog rebuilt from corrected files (reindex: another catalog id) can.
// The build then reads everything, and the corrected link still rewrites
// that page (the same version) and the feeds that carry it.
TEST_F(SiteBuild, ACorrectedLinkInARebuiltCatalogRewritesTheArticlesPageThoughTheModelDoesNotKeepLinks) {
  RenderOptions options = with_base_url();
  build(mirror_.dir, out_dir_.path(), options);
  std::optional<catalog::Article> article;
  {
    auto catalog = test::opened(catalog::Catalog::open(mirror_.dir));
    article = catalog->all_articles().front();
  }
  const std::string corrected = "https://news.example/corrected-" + std::to_string(article->id);
  test::run_sql(core::layout::catalog_db(mirror_.dir),
                "UPDATE articles SET link = '" + corrected + "' WHERE id = " + std::to_string(article->id) +
                    "; UPDATE catalog_info SET id = 'rebuilt'");
  auto rebuilt = build(mirror_.dir, out_dir_.path(), options);
  EXPECT_FALSE(rebuilt.incremental) << "another catalog: its ids mean nothing to the last build's mark";
  EXPECT_EQ(rebuilt.written, 3u + 6u) << "the article's page, those of its two earlier versions, and the feeds";
  EXPECT_NE(read_file(out_dir_.path() / site::article_path(*article)).find(corrected), std::string::npos);

  TempDir fresh;
  build(mirror_.dir, fresh.path(), options, /*force=*/true);
  EXPECT_EQ(read_tree(out_dir_.path()), read_tree(fresh.path())) << "an incremental build leaves what a full build makes";
}

// After a cycle a build reads the new and edited articles, the months they
// are listed in (and the neighbours of a new month, which link to it) and
// each site's newest: not the archive. What it leaves is what a full build
// makes. (With a base URL it also reads the sitemap chunk of the new
// articles, ids in blocks of 50,000: here that would be all of them.)
TEST_F(SiteBuild, AfterACycleItReadsWhatChangedNotTheArchiveAndLeavesWhatAFullBuildMakes) {
  constexpr std::int64_t kHour = 3600000;
  constexpr std::int64_t kJan2026 = 1767225600000;  // 2026-01-01T00:00Z
  {
    auto catalog = test::opened(catalog::Catalog::open(mirror_.dir));
    // 1,200 articles, one every two hours, January to April 2026.
    ASSERT_TRUE(catalog->transaction([&]() -> core::Status {
      for (int i = 0; i < 1200; ++i)
        if (auto id = catalog->record_new_article(test::extra_article(5000 + i, kJan2026 + i * 2 * kHour)); !id)
          return id.error();
      return core::ok_status();
    }).ok());
  }
  RenderOptions options;
  options.variants = {"hant"};
  build(mirror_.dir, out_dir_.path(), options);
  // Gone from the site folder (a reader deleted it): an article that shows
  // the image brings it back.
  fs::remove(out_dir_.path() / mirror_.image_path);

  {
    auto catalog = test::opened(catalog::Catalog::open(mirror_.dir));
    const std::int64_t april = kJan2026 + 1150 * 2 * kHour;
    auto late = test::extra_article(7001, april + 1000);
    late.html += "<figure><img src=\"../../" + mirror_.image_path + "\" alt=\"图\"></figure>";
    ASSERT_TRUE(catalog->record_new_article(late).ok());
    ASSERT_TRUE(catalog->record_new_article(test::extra_article(7002, april + 2000)).ok());
    // June is a new month, between April and the October already listed.
    ASSERT_TRUE(catalog->record_new_article(test::extra_article(7003, kJan2026 + 160 * 24 * kHour)).ok());
    auto april_article = catalog->find_by_number("法广", 5000 + 1100);
    ASSERT_EQ(april_article.size(), 1u);
    auto edited = catalog->record_version(april_article[0].id, "<p>四月的更正。</p>",
                                          core::TimePoint(std::chrono::milliseconds(april + 5000)));
    ASSERT_TRUE(edited.ok() && *edited);
  }
  auto incremental = build(mirror_.dir, out_dir_.path(), options);
  EXPECT_TRUE(incremental.incremental);
  EXPECT_EQ(incremental.articles, 1209u);
  EXPECT_LT(incremental.articles_read, 450u)
      << "April's articles (some 300), June's, October's, each site's newest: not all 1,209";
  EXPECT_EQ(incremental.images_copied, 1u);

  TempDir fresh;
  auto full = build(mirror_.dir, fresh.path(), options, /*force=*/true);
  EXPECT_FALSE(full.incremental);
  EXPECT_EQ(incremental.outputs, full.outputs);
  EXPECT_EQ(read_tree(out_dir_.path()), read_tree(fresh.path())) << "an incremental build leaves what a full build makes";
}

// Incremental builds append their fingerprints to the manifest; once the
// appended lines outnumber the rest it is written anew, one line a page.
TEST_F(SiteBuild, TheManifestIsCompactedOnceIncrementalBuildsHaveDoubledIt) {
  build(mirror_.dir, out_dir_.path());
  auto lines = [&] {
    auto text = read_file(out_dir_.path() / ".newsmirror-build");
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 1;  // less the header
  };
  std::size_t grew = 0;
  BuildSummary last;
  for (int round = 0; round < 6; ++round) {
    {
      auto catalog = test::opened(catalog::Catalog::open(mirror_.dir));
      ASSERT_TRUE(catalog->record_new_article(test::extra_article(1100 + round, 1795100000000 + round)).ok());
    }
    last = build(mirror_.dir, out_dir_.path());
    ASSERT_TRUE(last.incremental);
    if (lines() > last.outputs) ++grew;
    EXPECT_LE(lines(), 2 * last.outputs + 1);
  }
  EXPECT_GT(grew, 0u) << "builds append";
  EXPECT_LT(grew, 6u) << "and the manifest was compacted";
  // Without its state, the next build reads everything, and finds every
  // page as the manifest says it is.
  fs::remove(out_dir_.path() / ".newsmirror-build-state");
  auto full = build(mirror_.dir, out_dir_.path());
  EXPECT_FALSE(full.incremental);
  EXPECT_EQ(full.written, 0u);
  EXPECT_EQ(full.removed, 0u);
}

TEST_F(SiteBuild, ANewTemplateRebuildsEveryPage) {
  build(mirror_.dir, out_dir_.path());
  TempDir templates;
  std::ofstream(templates.path() / "style.css") << "body { color: green; }\n";
  RenderOptions options;
  options.templates_dir = templates.path();
  auto summary = build(mirror_.dir, out_dir_.path(), options);
  EXPECT_EQ(summary.written, summary.outputs);
  EXPECT_EQ(read_file(out_dir_.path() / "style.css"), "body { color: green; }\n");
}

TEST_F(SiteBuild, ABrokenTemplateIsAnErrorNamingItAndWritesNothing) {
  TempDir templates;
  std::ofstream(templates.path() / "article.mustache") << "<h1>{{#title}}</h1>\n";
  BuildOptions options;
  options.out = out_dir_.path();
  options.render.templates_dir = templates.path();
  auto summary = build_site(mirror_.dir, options);
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.error().message.find("article.mustache"), std::string::npos) << summary.error().message;
  EXPECT_FALSE(fs::exists(out_dir_.path() / ".newsmirror-build"));
}

TEST_F(SiteBuild, PagesOfDeletedArticlesGoButFilesTheBuildDidNotWriteStay) {
  build(mirror_.dir, out_dir_.path());
  std::ofstream(out_dir_.path() / "CNAME") << "news.example.org\n";
  auto page = out_dir_.path() / "sites/BBC/2002_Storm hits the coast.html";
  ASSERT_TRUE(fs::exists(page));
  // Articles leave the catalog only when it is rebuilt (reindex), with
  // another id.
  test::run_sql(core::layout::catalog_db(mirror_.dir),
                "DELETE FROM articles WHERE number = 2002; UPDATE catalog_info SET id = 'rebuilt'");
  auto summary = build(mirror_.dir, out_dir_.path());
  EXPECT_EQ(summary.removed, 2u) << "its page, and the BBC's October it was alone in";
  EXPECT_FALSE(fs::exists(page));
  EXPECT_FALSE(fs::exists(out_dir_.path() / "sites/BBC/2026-10.html"));
  EXPECT_TRUE(fs::exists(out_dir_.path() / "CNAME"));
}

TEST(SiteBuildCommand, BuildsIntoTheDefaultFolderAndReportsJson) {
  TempDir dir;
  auto mirror = test::make_test_mirror(dir.path());
  auto run = test::run_newsmirror(dir.path(), {"--mirror", dir.path().string(), "--json", "build"});
  ASSERT_EQ(run.status, 0) << run.err;
  auto report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["articles"], 6);
  EXPECT_EQ(report["written"], report["outputs"]);
  EXPECT_TRUE(fs::exists(dir.path() / ".newsmirror/site/index.html"));
}

TEST(SiteBuildCommand, RejectsARelativeBaseUrlAnUnknownVariantAndTheMirrorAsOutput) {
  TempDir dir;
  auto mirror = test::make_test_mirror(dir.path());
  auto relative = test::run_newsmirror(dir.path(), {"--mirror", dir.path().string(), "build", "--base-url", "example.org"});
  EXPECT_EQ(relative.status, 2);
  EXPECT_NE(relative.err.find("--base-url"), std::string::npos) << relative.err;
  auto variant = test::run_newsmirror(dir.path(), {"--mirror", dir.path().string(), "build", "--variants", "klingon"});
  EXPECT_EQ(variant.status, 2);
  EXPECT_NE(variant.err.find("klingon"), std::string::npos) << variant.err;
  auto into_mirror = test::run_newsmirror(dir.path(), {"--mirror", dir.path().string(), "build", "--out", dir.path().string()});
  EXPECT_EQ(into_mirror.status, 2);
  EXPECT_NE(into_mirror.err.find("--out"), std::string::npos) << into_mirror.err;
}

TEST(SiteBuildCommand, OutsideAMirrorSaysToRunInit) {
  TempDir dir;
  auto run = test::run_newsmirror(dir.path(), {"--mirror", dir.path().string(), "build"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("newsmirror init"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace newsmirror::site
