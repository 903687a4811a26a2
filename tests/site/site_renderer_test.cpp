// Pages on demand for the server: the same paths as the static build, the
// server's search page, nothing outside the site, and new articles seen
// without a restart.
#include "site/site_renderer.hpp"

#include <gtest/gtest.h>

#include "catalog/catalog.hpp"
#include "site/site_inputs.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"
#include "support/test_mirror.hpp"

namespace newsmirror::site {
namespace {

using test::TempDir;

class SiteRendering : public ::testing::Test {
 protected:
  void SetUp() override {
    mirror_ = test::make_test_mirror(dir_.path());
    RenderOptions options;
    options.variants = {"hant"};
    auto renderer = SiteRenderer::open(dir_.path(), options);
    ASSERT_TRUE(renderer.ok()) << renderer.error().message;
    renderer_.emplace(std::move(*renderer));
  }
  std::optional<RenderedPage> page(std::string_view path, std::string_view query = {}) {
    auto rendered = renderer_->render(path, query);
    EXPECT_TRUE(rendered.ok()) << rendered.error().message;
    return rendered.ok() ? *rendered : std::nullopt;
  }
  TempDir dir_;
  test::TestMirror mirror_;
  std::optional<SiteRenderer> renderer_;
};

TEST_F(SiteRendering, AnswersThePathsOfTheStaticSiteWithTheirContentTypes) {
  auto home = page("index.html");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->content_type, "text/html; charset=utf-8");
  EXPECT_NE(home->body.find("米利访日"), std::string::npos);
  EXPECT_NE(home->body.find("action=\"search.html\""), std::string::npos) << "the server has a search box";

  auto article = page("sites/法广/1001_米利访日：美国需要加快向台湾交付武器.hant.html");
  ASSERT_TRUE(article);
  EXPECT_NE(article->body.find("米利訪日"), std::string::npos);
  ASSERT_TRUE(page("sites/法广/1001_米利访日：美国需要加快向台湾交付武器.v2.html"));
  ASSERT_TRUE(page("sites/BBC/2026-10.html"));
  auto feed = page("sites/BBC/feed.atom");
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->content_type, "application/atom+xml; charset=utf-8");
  auto css = page("style.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
}

TEST_F(SiteRendering, UnknownAndEscapingPathsAreNotPages) {
  for (const char* path : {"", "nothing.html", "../index.html", "sites/../index.html",
                           "sites/法广/../../newsmirror.toml", "sites/法广/", "sites/无此站/index.html",
                           "sites/法广/1001_米利访日：美国需要加快向台湾交付武器.v3.html",
                           "sites/法广/1001_米利访日：美国需要加快向台湾交付武器.v0.html",
                           "sites/法广/2026-12.html", "feed.hant.atom", "sitemap.xml",
                           "sites/法广/x/index.html", "style.hant.css"}) {
    EXPECT_FALSE(page(path)) << path;
  }
}

TEST_F(SiteRendering, SearchPageHighlightsMatchesAndFoldsTraditionalToSimplified) {
  auto results = page("search.html", "臺灣");
  ASSERT_TRUE(results);
  EXPECT_NE(results->body.find("米利访日"), std::string::npos) << "台湾 in Simplified matches 臺灣";
  EXPECT_NE(results->body.find("<mark>"), std::string::npos);
  EXPECT_NE(results->body.find("value=\"臺灣\""), std::string::npos) << "the query stays in the box";

  auto hostile = page("search.html", "<script>alert(1)</script>");
  ASSERT_TRUE(hostile);
  EXPECT_EQ(hostile->body.find("<script>"), std::string::npos) << "the query is escaped";

  auto empty = page("search.html", "");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->body.find("class=\"error\""), std::string::npos);
}

TEST_F(SiteRendering, SeesArticlesTheMirrorAddedSinceItOpened) {
  ASSERT_TRUE(page("index.html"));
  {
    auto catalog = test::opened(catalog::Catalog::open(dir_.path()));
    ASSERT_TRUE(catalog->record_new_article(test::extra_article(1200, 1795200000000)).ok());
  }
  auto home = page("index.html");
  ASSERT_TRUE(home);
  EXPECT_NE(home->body.find("新文章1200"), std::string::npos);
  EXPECT_TRUE(page("sites/法广/1200_新文章1200.html"));
}

// A server's renderers (one per thread) share one set of inputs, so that the
// model of the whole archive is held once; each follows the source when it
// hands out new inputs.
TEST_F(SiteRendering, RenderersOverOneSourceShareItsInputsAndFollowItsNewOnes) {
  RenderOptions options;
  options.search = true;
  std::shared_ptr<const SiteInputs> current;
  int loads = 0;
  const auto reload = [&] {
    auto loaded = SiteInputs::load(dir_.path(), options);
    ASSERT_TRUE(loaded) << loaded.error().message;
    current = std::make_shared<const SiteInputs>(std::move(*loaded));
    ++loads;
  };
  reload();
  const InputsSource source = [&]() -> core::Result<std::shared_ptr<const SiteInputs>> { return current; };
  auto first = SiteRenderer::open(dir_.path(), source);
  auto second = SiteRenderer::open(dir_.path(), source);
  ASSERT_TRUE(first && second);
  const auto has = [](SiteRenderer& renderer, std::string_view path, std::string_view text) {
    auto rendered = renderer.render(path);
    return rendered && *rendered && (*rendered)->body.find(text) != std::string::npos;
  };
  EXPECT_TRUE(has(*first, "index.html", "<html"));
  EXPECT_TRUE(has(*second, "index.html", "<html"));
  EXPECT_EQ(current.use_count(), 3) << "the source's and one per renderer: nobody loaded a copy";

  {
    auto catalog = test::opened(catalog::Catalog::open(dir_.path()));
    ASSERT_TRUE(catalog->record_new_article(test::extra_article(1200, 1795200000000)).ok());
  }
  EXPECT_FALSE(has(*first, "index.html", "新文章1200")) << "the model is the source's, not reloaded by itself";
  reload();
  EXPECT_TRUE(has(*first, "index.html", "新文章1200"));
  EXPECT_TRUE(has(*second, "sites/法广/1200_新文章1200.html", "新文章1200"));
  EXPECT_EQ(loads, 2);
}

}  // namespace
}  // namespace newsmirror::site
