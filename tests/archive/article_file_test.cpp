#include "archive/article_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "corpus.hpp"

namespace newsmirror::archive {
namespace {

using test::read_bytes;

std::string between(const std::string& text, std::string_view open, std::string_view close,
                     std::size_t from = 0) {
  const std::size_t start = text.find(open, from);
  if (start == std::string::npos) return {};
  const std::size_t end = text.find(close, start + open.size());
  return text.substr(start + open.size(), end - start - open.size());
}

TEST(ArticleFile, RendersTheGoldenRfiArticleByteForByte) {
  SKIP_WITHOUT_SHARED();
  const auto golden = ::newsmirror::test::shared_dir() / "golden";
  const std::string feed = read_bytes(golden / "rfi-feed.xml");
  const std::size_t item = feed.find("<item>");
  ASSERT_NE(item, std::string::npos);

  ArticleRecord article;
  article.published = core::TimePoint(std::chrono::milliseconds(1689335102000));
  article.title = "米利访日：美国需要加快向台湾交付武器的速度";
  article.link = between(feed, "<link>", "</link>", item);
  article.html = between(feed, "<![CDATA[", "]]>", item);
  ASSERT_FALSE(article.link.empty());
  ASSERT_FALSE(article.html.empty());

  EXPECT_EQ(render_article(article), read_bytes(golden / "rfi-article.md"));
}

TEST(ArticleFile, EveryCorpusArticleRoundTripsByteForByte) {
  SKIP_WITHOUT_SHARED();
  const auto files = test::corpus_articles();
  ASSERT_EQ(files.size(), 69u);
  for (const auto& path : files) {
    const std::string bytes = read_bytes(path);
    const auto article = read_article(bytes);
    ASSERT_TRUE(article.ok()) << path << ": " << article.error().message;
    EXPECT_EQ(render_article(*article), bytes) << path;
  }
}

TEST(ArticleFile, AHostileTitleIsEscapedInTheHeadAndReadBackAsItCame) {
  ArticleRecord article;
  article.title = "[Breaking](https://phish.example/login) <img src=x> 结尾\\";
  article.link = "https://news.example/a";
  article.html = "<p>x</p>";
  auto bytes = render_article(article);
  EXPECT_NE(bytes.find("\n[\\[Breaking\\](https://phish.example/login) \\<img src=x> 结尾\\\\](https://news.example/a)\n"),
            std::string::npos)
      << bytes;
  auto back = read_article(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->title, article.title);
  EXPECT_EQ(back->link, article.link);
}

TEST(ArticleFile, ReadsTheFieldsOfAnArticle) {
  const auto article = read_article(
      "<!--1602561600000-->\n[中国品牌\\“囚爱\\“男性](https://www.bbc.com/zhongwen/simp/a)\n"
      "------\n\n<main role=\"main\"><p>x</p></main>\n");
  ASSERT_TRUE(article.ok()) << article.error().message;
  EXPECT_EQ(article->published.time_since_epoch().count(), 1602561600000);
  EXPECT_EQ(article->title, "中国品牌\\“囚爱\\“男性");
  EXPECT_EQ(article->link, "https://www.bbc.com/zhongwen/simp/a");
  EXPECT_EQ(article->html, "<main role=\"main\"><p>x</p></main>");
}

TEST(ArticleFile, TitleMayHoldBracketsAndParentheses) {
  const auto article =
      read_article("<!--0-->\n[[视频] 标题](甲)](https://example.com/a_(b))\n------\n\n<p></p>\n");
  ASSERT_TRUE(article.ok()) << article.error().message;
  EXPECT_EQ(article->title, "[视频] 标题](甲)");
  EXPECT_EQ(article->link, "https://example.com/a_(b)");
}

TEST(ArticleFile, ReadsCrlfLineEnds) {
  const std::string bytes =
      "<!--1000-->\r\n[标题](https://example.com/a)\r\n------\r\n\r\n<p>a</p>\r\n";
  const auto article = read_article(bytes);
  ASSERT_TRUE(article.ok()) << article.error().message;
  EXPECT_EQ(article->published.time_since_epoch().count(), 1000);
  EXPECT_EQ(article->title, "标题");
  EXPECT_EQ(article->link, "https://example.com/a");
  EXPECT_EQ(article->html, "<p>a</p>");
  EXPECT_EQ(render_article(*article),
            "<!--1000-->\n[标题](https://example.com/a)\n------\n\n<p>a</p>\n");
}

TEST(ArticleFile, ReadsHtmlSpanningSeveralLinesAndRewritesItAsOne) {
  const auto article = read_article(
      "<!--1000-->\n[t](https://example.com/)\n------\n\n<div>\n  <p>a b</p>\n</div>\n");
  ASSERT_TRUE(article.ok()) << article.error().message;
  EXPECT_EQ(article->html, "<div>\n  <p>a b</p>\n</div>");
  EXPECT_EQ(render_article(*article),
            "<!--1000-->\n[t](https://example.com/)\n------\n\n<div><p>a b</p></div>\n");
}

TEST(ArticleFile, ReadsAFileWithoutTheTimeLine) {
  const auto article = read_article("[t](https://example.com/)\n------\n\n<p>x</p>\n");
  ASSERT_TRUE(article.ok()) << article.error().message;
  EXPECT_EQ(article->published, core::TimePoint{});
  EXPECT_EQ(article->title, "t");
  EXPECT_EQ(article->html, "<p>x</p>");
}

TEST(ArticleFile, RejectsAFileWithoutTheTitleLine) {
  for (const std::string_view bytes :
       {std::string_view(""), std::string_view("<!--1-->\n"),
        std::string_view("<!--1-->\nno title here\n------\n\n<p></p>\n"),
        std::string_view("<!--1-->\n[only a title]\n")}) {
    const auto article = read_article(bytes);
    ASSERT_FALSE(article.ok()) << bytes;
    EXPECT_EQ(article.error().kind, core::ErrorKind::parse);
  }
}

TEST(ArticleFile, ReadsATitleBrokenOverSeveralLinesAsOneLine) {
  const auto article = read_article(
      "<!--1000-->\r\n[德国之声：\r\n  北约提议重拟战略](https://www.dw.com/zh/a-1)\r\n------\r\n\r\n<p>x</p>\r\n");
  ASSERT_TRUE(article.ok()) << article.error().message;
  EXPECT_EQ(article->title, "德国之声： 北约提议重拟战略");
  EXPECT_EQ(article->link, "https://www.dw.com/zh/a-1");
  EXPECT_EQ(article->html, "<p>x</p>");
}

TEST(ArticleFile, AnUnclosedTitleDoesNotSwallowTheArticle) {
  const auto article = read_article("<!--1-->\n[never closed\n------\n\n<p>[a](b)</p>\n");
  ASSERT_FALSE(article.ok());
  EXPECT_NE(article.error().message.find("line 2"), std::string::npos) << article.error().message;
}

TEST(ArticleFile, TheErrorNamesTheLineThatShouldHoldTheTitle) {
  const auto article = read_article("\nno title here\n------\n\n<p></p>\n");
  ASSERT_FALSE(article.ok());
  EXPECT_NE(article.error().message.find("line 2"), std::string::npos) << article.error().message;
  const auto without_time = read_article("no title here\n");
  ASSERT_FALSE(without_time.ok());
  EXPECT_NE(without_time.error().message.find("line 1"), std::string::npos) << without_time.error().message;
}

TEST(ArticleFile, FlatteningTrimsOnlyAsciiWhiteSpace) {
  // U+00A0 and U+3000 at a line's end are content; tabs, CR and spaces go.
  EXPECT_EQ(flatten_html("  <p>a  b</p>\t\r\n\t<p>c\xC2\xA0</p>\n\xE3\x80\x80<p>d</p>  "),
            "<p>a  b</p><p>c\xC2\xA0</p>\xE3\x80\x80<p>d</p>");
  EXPECT_EQ(flatten_html(""), "");
  EXPECT_EQ(flatten_html("\n\n"), "");
}

TEST(ArticleFile, RenderKeepsTitleOnOneLine) {
  ArticleRecord article;
  article.title = "  第一行\n第二行 ";
  article.link = "https://example.com/";
  article.html = "<p>x</p>";
  EXPECT_EQ(render_article(article),
            "<!--0-->\n[第一行 第二行](https://example.com/)\n------\n\n<p>x</p>\n");
}

TEST(ArticleFile, RenderSerializesTheLinkAndKeepsARelativeOneRaw) {
  ArticleRecord article;
  article.link = "HTTPS://Example.COM/新闻 1";
  EXPECT_NE(render_article(article).find("[](https://example.com/%E6%96%B0%E9%97%BB%201)"),
            std::string::npos)
      << render_article(article);
  article.link = "/relative/path";
  EXPECT_NE(render_article(article).find("[](/relative/path)"), std::string::npos);
}

}  // namespace
}  // namespace newsmirror::archive
