// The extractor's heuristics on small hand-written pages: each test builds
// a page where one rule decides the outcome.
#include "extract/extractor.hpp"

#include <gtest/gtest.h>

#include <string>

#include "extract/html_bytes.hpp"

namespace newsmirror::extract {
namespace {

constexpr const char* kUrl = "https://news.example/world/2024/story.html";

// Prose that scores as article text: long, with commas.
std::string prose(const std::string& topic, int paragraphs = 4) {
  std::string out;
  for (int i = 0; i < paragraphs; ++i)
    out += "<p>The " + topic + " report, published on Tuesday, describes in detail how the river, the roads and the "
           "old town changed over the decade, and why residents, officials and engineers disagree about paragraph " +
           std::to_string(i) + ".</p>\n";
  return out;
}

std::string page(const std::string& head, const std::string& body, const std::string& html_attributes = "") {
  return "<!DOCTYPE html><html" + html_attributes + "><head>" + head + "</head><body>" + body + "</body></html>";
}

ExtractedArticle extract_ok(const std::string& html, const char* url = kUrl) {
  auto result = extract_article(html, url);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(result).value() : ExtractedArticle{};
}

TEST(Extractor, DropsALinkDenseBlockInsideTheArticle) {
  // "Read more" links between the paragraphs: same container, so only the
  // link density of the block can tell them apart from the story.
  std::string more = "<div>";
  for (int i = 0; i < 6; ++i)
    more += "<p><a href=\"/section/" + std::to_string(i) + "\">Read more: story number " + std::to_string(i) +
            " of the site, with a long link title</a> today</p>";
  more += "</div>";
  auto article = extract_ok(
      page("<title>Flood report</title>", "<div>" + prose("flood", 3) + more + prose("flood", 3) + "</div>"));
  EXPECT_NE(article.content_html.find("flood report, published"), std::string::npos);
  EXPECT_EQ(article.content_html.find("Read more"), std::string::npos) << article.content_html;
}

TEST(Extractor, DropsBlocksWhoseClassNamesPageFurniture) {
  std::string body = "<div id=\"main\">" + prose("harbour") +
                     "<div class=\"sidebar\"><p>Most read today, and other stories you might like, chosen for "
                     "you, every hour, by our editors and our algorithms, across the whole site.</p></div></div>";
  auto article = extract_ok(page("<title>Harbour</title>", body));
  EXPECT_NE(article.content_html.find("harbour report"), std::string::npos);
  EXPECT_EQ(article.content_html.find("Most read today"), std::string::npos) << article.content_html;
}

TEST(Extractor, KeepsFiguresWithTheirCaptions) {
  std::string body = "<article>" + prose("bridge", 2) +
                     "<figure><img src=\"/img/bridge.jpg\" alt=\"The bridge\"><figcaption>The new bridge at "
                     "dawn</figcaption></figure>" +
                     prose("bridge", 2) + "</article>";
  auto article = extract_ok(page("<title>Bridge</title>", body));
  EXPECT_NE(article.content_html.find("<figure>"), std::string::npos) << article.content_html;
  EXPECT_NE(article.content_html.find("The new bridge at dawn"), std::string::npos);
  EXPECT_NE(article.content_html.find("src=\"https://news.example/img/bridge.jpg\""), std::string::npos)
      << "relative image URLs become absolute against the page URL";
}

TEST(Extractor, MakesLinksAbsoluteAgainstTheBaseElementWhenThereIsOne) {
  std::string body = "<article>" + prose("canal") + "<p>See <a href=\"more.html\">the earlier report</a>, which, "
                     "for all its length, says less than this one does about the canal.</p></article>";
  auto with_base = extract_ok(page("<base href=\"https://archive.example/2019/\"><title>Canal</title>", body));
  EXPECT_NE(with_base.content_html.find("href=\"https://archive.example/2019/more.html\""), std::string::npos)
      << with_base.content_html;
  auto without_base = extract_ok(page("<title>Canal</title>", body));
  EXPECT_NE(without_base.content_html.find("href=\"https://news.example/world/2024/more.html\""), std::string::npos)
      << without_base.content_html;
}

TEST(Extractor, PrefersJsonLdMetadataToOpenGraphAndTheTitleElement) {
  std::string head =
      "<title>Site name | Something else entirely</title>"
      "<meta property=\"og:title\" content=\"The OpenGraph title\">"
      "<meta name=\"author\" content=\"Meta Author\">"
      "<meta property=\"article:published_time\" content=\"2020-01-01T00:00:00Z\">"
      "<script type=\"application/ld+json\">{\"@context\": \"https://schema.org\", \"@type\": \"NewsArticle\","
      " \"headline\": \"The JSON-LD headline\", \"author\": [{\"@type\": \"Person\", \"name\": \"Ana Lima\"},"
      " {\"@type\": \"Person\", \"name\": \"Bo Chen\"}], \"datePublished\": \"2024-05-01T10:30:00+02:00\","
      " \"description\": \"What happened, briefly.\"}</script>";
  auto article = extract_ok(page(head, "<article>" + prose("market") + "</article>", " lang=\"pt-BR\""));
  EXPECT_EQ(article.title, "The JSON-LD headline");
  EXPECT_EQ(article.byline, "Ana Lima, Bo Chen");
  EXPECT_EQ(article.published, "2024-05-01T08:30:00Z");
  EXPECT_EQ(article.excerpt, "What happened, briefly.");
  EXPECT_EQ(article.lang, "pt-BR");
}

TEST(Extractor, ReadsOpenGraphWhenThereIsNoJsonLd) {
  std::string head =
      "<title>Whatever</title><meta property=\"og:title\" content=\"Storm &amp;amp; flood\">"
      "<meta property=\"og:description\" content=\"Rain for days.\">";
  auto article = extract_ok(page(head, "<article>" + prose("storm") + "</article>"));
  EXPECT_EQ(article.title, "Storm & flood") << "double-encoded entities in meta content are decoded";
  EXPECT_EQ(article.excerpt, "Rain for days.");
  EXPECT_FALSE(article.published);
}

TEST(Extractor, CutsTheSiteNameFromTheTitleElement) {
  auto dash = extract_ok(page("<title>Council approves the new tram line – City Herald</title>",
                              "<article>" + prose("tram") + "</article>"));
  EXPECT_EQ(dash.title, "Council approves the new tram line");
  auto leading = extract_ok(page("<title>Herald | Council approves the new tram line</title>",
                                 "<article>" + prose("tram") + "</article>"));
  EXPECT_EQ(leading.title, "Council approves the new tram line");
}

TEST(Extractor, TakesTheBylineFromTheBodyAndLeavesItOutOfTheText) {
  std::string body = "<article><div class=\"byline\">By Jo Park</div>" + prose("election") + "</article>";
  auto article = extract_ok(page("<title>Election</title>", body));
  EXPECT_EQ(article.byline, "By Jo Park");
  EXPECT_EQ(article.content_html.find("Jo Park"), std::string::npos) << article.content_html;
}

TEST(Extractor, DropsHiddenBlocks) {
  std::string body = "<article>" + prose("airport") +
                     "<div style=\"display: none\"><p>Secret tracking text, which, hidden from readers, "
                     "should never reach the archive at all, whatever its length.</p></div></article>";
  auto article = extract_ok(page("<title>Airport</title>", body));
  EXPECT_EQ(article.content_html.find("Secret tracking text"), std::string::npos) << article.content_html;
}

TEST(Extractor, TurnsBrRunsIntoParagraphs) {
  std::string text = "Old blogs separate paragraphs with two line breaks, so the text, which is long enough, "
                     "still scores as prose, with commas, like this one";
  std::string body = "<div>" + text + " one.<br><br>" + text + " two.<br><br>" + text + " three.<br><br>" + text +
                     " four.<br><br>" + text + " five.</div>";
  auto article = extract_ok(page("<title>Blog</title>", body));
  EXPECT_NE(article.content_html.find("<p>Old blogs"), std::string::npos) << article.content_html;
  EXPECT_EQ(article.content_html.find("<br><br>"), std::string::npos);
}

TEST(Extractor, PageWithoutReadableTextIsAnError) {
  auto result = extract_article(page("<title>Login</title>", "<form><input name=\"user\"><button>Go</button></form>"),
                                "https://news.example/login");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "no article found in https://news.example/login");
}

TEST(HtmlBytes, DecodesWithTheCharsetThePageDeclares) {
  std::string latin1 = "<html><head><meta charset=\"iso-8859-1\"></head><body><p>Caf\xe9 cr\xe8me</p></body></html>";
  EXPECT_NE(decode_html_bytes(latin1, "").find("Café crème"), std::string::npos);
  std::string gbk = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head>"
                    "<body><p>\xd6\xd0\xce\xc4</p></body></html>";
  EXPECT_NE(decode_html_bytes(gbk, "").find("中文"), std::string::npos);
}

TEST(HtmlBytes, TheHttpCharsetWinsOverTheMetaTag) {
  std::string bytes = "<meta charset=\"windows-1252\"><p>\xd6\xd0\xce\xc4</p>";
  EXPECT_NE(decode_html_bytes(bytes, "text/html; charset=GBK").find("中文"), std::string::npos);
}

TEST(HtmlBytes, ValidUtf8StaysAsItIsWhateverTheMetaTagSays) {
  std::string bytes = "<meta charset=\"iso-8859-1\"><p>Café</p>";
  EXPECT_NE(decode_html_bytes(bytes, "").find("Café"), std::string::npos);
}

}  // namespace
}  // namespace newsmirror::extract
