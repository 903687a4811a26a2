// Long text and CDATA reach libxml2 as stand-ins that the parser restores
// (feed_parser.cpp, prepare_xml), and inline XHTML is serialized by hand:
// both must be invisible in what the parser returns.
#include <gtest/gtest.h>

#include <string>

#include "parse/feed_parser.hpp"

namespace newsmirror::parse {

namespace {

core::Feed parse_ok(std::string_view bytes) {
  auto feed = parse_feed(bytes, {});
  EXPECT_TRUE(feed.ok()) << (feed.ok() ? "" : feed.error().message);
  return feed.ok() ? *feed : core::Feed{};
}

std::string rss_items(const std::string& items) {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>" + items + "</channel></rss>";
}

std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST(FeedParserStandIn, LongEscapedHtmlIsUnescapedWithEveryKindOfReference) {
  std::string escaped = repeat("&lt;p class=&quot;x&quot;&gt;新闻 &amp; &#20013;&#x6587;&#146;&apos;&nbsp;&lt;/p&gt;", 20);
  std::string expected = repeat("<p class=\"x\">新闻 & 中文\u2019'\u00A0</p>", 20);
  core::Feed feed = parse_ok(rss_items("<item><title>a</title><description>" + escaped + "</description></item>"));
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].summary, expected);
}

TEST(FeedParserStandIn, TextHoldingTheStandInCharacterIsKeptAsItIs) {
  std::string text = repeat("\xEF\xB7\x90" "0\xEF\xB7\x91 plain words ", 8);
  core::Feed feed = parse_ok(rss_items("<item><description>" + text + "</description>"
                                       "<content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
                                       "<![CDATA[" + repeat("<b>bold</b> ", 10) + "]]></content:encoded></item>"));
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].summary, text.substr(0, text.size() - 1));  // trimmed
  EXPECT_EQ(feed.entries[0].content, repeat("<b>bold</b> ", 10).substr(0, 119));
}

TEST(FeedParserStandIn, DamagedDocumentStillGivesEveryLongText) {
  std::string long_text = repeat("long text of the second item; ", 5);
  core::Feed feed = parse_ok(rss_items("<item><title>first <b>unclosed</title></item>"
                                       "<item><title>second</title><description>" + long_text + "</description></item>"));
  ASSERT_FALSE(feed.entries.empty());
  EXPECT_EQ(feed.entries.back().summary, long_text.substr(0, long_text.size() - 1));
}

TEST(FeedParserStandIn, InlineXhtmlIsSerializedWithXmlEscapes) {
  std::string atom =
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><id>1</id><title>x</title>"
      "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
      "<p class=\"a&amp;b\" title='say \"hi\"'>x &lt; y &gt; z<br/><span></span>中文</p></div></content></entry></feed>";
  core::Feed feed = parse_ok(atom);
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].content,
            "<p class=\"a&amp;b\" title=\"say &quot;hi&quot;\">x &lt; y &gt; z<br/><span/>中文</p>");
}

}  // namespace newsmirror::parse
