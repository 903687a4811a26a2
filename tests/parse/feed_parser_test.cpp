#include "parse/feed_parser.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "parse/feed_schema_json.hpp"
#include "support/paths.hpp"

namespace newsmirror::parse {

namespace {

core::Feed parse_ok(std::string_view bytes, ParseOptions options = {}) {
  auto feed = parse_feed(bytes, options);
  EXPECT_TRUE(feed.ok()) << (feed.ok() ? "" : feed.error().message);
  return feed.ok() ? *feed : core::Feed{};
}

std::string rss_with_item(std::string_view item_body) {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
         "<channel><title>t</title><item>" + std::string(item_body) + "</item></channel></rss>";
}

}  // namespace

TEST(FeedParser, GoldenRfiFeed) {
  SKIP_WITHOUT_SHARED();
  std::ifstream in(test::shared_dir() / "golden" / "rfi-feed.xml", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  core::Feed feed = parse_ok(bytes);
  EXPECT_EQ(feed.format, core::FeedFormat::rss);
  EXPECT_EQ(feed.version, "2.0");
  EXPECT_EQ(feed.title, "法广");
  EXPECT_EQ(feed.language, "zh-cn");
  ASSERT_EQ(feed.entries.size(), 1u);
  const auto& entry = feed.entries[0];
  EXPECT_EQ(entry.title, "米利访日：美国需要加快向台湾交付武器的速度");
  EXPECT_EQ(entry.link, "https://www.rfi.fr/cn/亚洲/20230714-米利访日-美国需要加快向台湾交付武器的速度");
  EXPECT_EQ(entry.id, "rfi-20230714-milley");
  ASSERT_TRUE(entry.published);
  EXPECT_EQ(entry.published->time_since_epoch().count(), 1689335102000);
  ASSERT_TRUE(entry.content);
  EXPECT_TRUE(entry.content->starts_with("<div>14/07/2023 - 12:28</div><img src="));
}

TEST(FeedParser, Gb2312FeedIsDecodedAsGb18030) {
  // "中文" in GB2312 is D6 D0 CE C4; "𠀀" (U+20000) exists only in GB18030
  // (95 32 82 36), as real "gb2312" feeds contain.
  std::string bytes =
      "<?xml version=\"1.0\" encoding=\"gb2312\"?><rss version=\"2.0\"><channel><title>\xD6\xD0\xCE\xC4</title>"
      "<item><title>\x95\x32\x82\x36</title></item></channel></rss>";
  core::Feed feed = parse_ok(bytes);
  EXPECT_EQ(feed.encoding, "gb2312");
  EXPECT_EQ(feed.title, "中文");
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].title, "\xF0\xA0\x80\x80");
}

TEST(FeedParser, HttpCharsetWinsOverXmlDeclaration) {
  std::string bytes = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>\xA4\xA4\xA4\xE5</title></channel></rss>";
  ParseOptions options;
  options.content_type = "application/rss+xml; charset=\"Big5\"";
  core::Feed feed = parse_ok(bytes, options);
  EXPECT_EQ(feed.encoding, "big5");
  EXPECT_EQ(feed.title, "中文");
}

TEST(FeedParser, Utf16WithByteOrderMark) {
  std::string utf8 = "<rss><channel><title>中</title></channel></rss>";
  std::string bytes = "\xFF\xFE";
  // Plain ASCII widened, and U+4E2D as 2D 4E.
  for (char c : std::string("<rss><channel><title>")) { bytes.push_back(c); bytes.push_back('\0'); }
  bytes += "\x2D\x4E";
  for (char c : std::string("</title></channel></rss>")) { bytes.push_back(c); bytes.push_back('\0'); }
  core::Feed feed = parse_ok(bytes);
  EXPECT_EQ(feed.encoding, "utf-16le");
  EXPECT_EQ(feed.title, "中");
}

TEST(FeedParser, CdataEscapedAndXhtmlContentGiveTheSameMarkup) {
  core::Feed cdata = parse_ok(rss_with_item("<description><![CDATA[<p>a &amp; <b>b</b></p>]]></description>"));
  core::Feed escaped = parse_ok(rss_with_item("<description>&lt;p&gt;a &amp;amp; &lt;b&gt;b&lt;/b&gt;&lt;/p&gt;</description>"));
  core::Feed xhtml = parse_ok(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><summary type=\"xhtml\">"
      "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a &amp; <b>b</b></p></div></summary></entry></feed>");
  ASSERT_EQ(cdata.entries.size(), 1u);
  ASSERT_EQ(escaped.entries.size(), 1u);
  ASSERT_EQ(xhtml.entries.size(), 1u);
  EXPECT_EQ(cdata.entries[0].summary, "<p>a &amp; <b>b</b></p>");
  EXPECT_EQ(escaped.entries[0].summary, cdata.entries[0].summary);
  EXPECT_EQ(xhtml.entries[0].summary, cdata.entries[0].summary);
}

TEST(FeedParser, CdataIsKeptExactlyApartFromTheOuterTrim) {
  core::Feed feed = parse_ok(rss_with_item("<content:encoded><![CDATA[\n  <div>x</div>\n    <p> y </p>\n]]></content:encoded>"));
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].content, "<div>x</div>\n    <p> y </p>");
}

// Long CDATA reaches libxml2 as a stand-in (U+FDD0 index U+FDD1) that is
// put back afterwards; none of that may show.
TEST(FeedParser, LongCdataComesBackExactly) {
  std::string long_text = "<p>\xE4\xB8\xAD\xE6\x96\x87 " + std::string(100, 'x') + "</p>";
  core::Feed feed = parse_ok(rss_with_item("<description><![CDATA[" + long_text + "]]><![CDATA[" + long_text +
                                           "]]></description><content:encoded><![CDATA[" + long_text +
                                           "\r\n]]></content:encoded>"));
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].summary, long_text + long_text);  // adjacent sections make one node
  EXPECT_EQ(feed.entries[0].content, long_text);
}

TEST(FeedParser, CdataThatLooksLikeAStandInIsKept) {
  std::string fake = "\xEF\xB7\x90" "0" "\xEF\xB7\x91";
  std::string long_text = std::string(100, 'y');
  core::Feed feed = parse_ok(rss_with_item("<description><![CDATA[" + long_text + "]]></description>"
                                           "<content:encoded><![CDATA[" + fake + "]]></content:encoded>"));
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].summary, long_text);
  EXPECT_EQ(feed.entries[0].content, fake);
}

TEST(FeedParser, LongCdataInADamagedFeed) {
  std::string long_text = std::string(100, 'z');
  core::Feed feed = parse_ok("<rss><channel><item><title>a <b>b</title><description><![CDATA[" + long_text +
                             "]]></description></item><item><title>c</title><description><![CDATA[" + long_text +
                             "]]></description></item></channel></rss>");
  ASSERT_GE(feed.entries.size(), 1u);
  for (const auto& entry : feed.entries)
    if (entry.summary) EXPECT_EQ(entry.summary->find("\xEF\xB7\x90"), std::string::npos);
}

TEST(FeedParser, HtmlEntitiesAndBareAmpersandsAreUnderstood) {
  core::Feed feed = parse_ok(rss_with_item("<title>A&nbsp;B &mdash; C & D &copy; &unknown;</title>"));
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].title, "A\xC2\xA0" "B \xE2\x80\x94 C & D \xC2\xA9 &unknown;");
}

TEST(FeedParser, XmlBaseThenBaseUrlResolveRelativeLinks) {
  std::string bytes =
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"/blog/\">"
      "<link href=\"index.html\"/>"
      "<entry xml:base=\"2023/\"><link href=\"post.html\"/></entry>"
      "<entry><link href=\"http://other.example/abs\"/></entry></feed>";
  ParseOptions options;
  options.base_url = "http://example.com/feeds/atom.xml";
  core::Feed feed = parse_ok(bytes, options);
  EXPECT_EQ(feed.link, "http://example.com/blog/index.html");
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[0].link, "http://example.com/blog/2023/post.html");
  EXPECT_EQ(feed.entries[1].link, "http://other.example/abs");
}

TEST(FeedParser, DamagedFeedYieldsEveryReadableEntry) {
  // A control character, a bare '&', a mismatched end tag, an unclosed <p>
  // and a download cut short.
  std::string bytes =
      "<rss version=\"2.0\"><channel><title>t</title>"
      "<item><title>one</title><link>http://a.example/1</link></item>"
      "<item><title>two\x01 & </titel></item>"
      "<item><title>three</title><description><p>para</description></item>"
      "<item><title>four";
  core::Feed feed = parse_ok(bytes);
  ASSERT_GE(feed.entries.size(), 3u);
  EXPECT_EQ(feed.entries[0].title, "one");
  EXPECT_EQ(feed.entries[0].link, "http://a.example/1");
  EXPECT_EQ(feed.entries[1].title, "two");
  EXPECT_EQ(feed.entries[2].title, "three");
}

TEST(FeedParser, UnclosedElementDoesNotSwallowLaterEntries) {
  // libxml2's recovery closes only the innermost element at a mismatched end
  // tag, so an unclosed <b> leaves the item open and every later item ends
  // up nested in it; those are entries all the same.
  core::Feed feed = parse_ok(
      "<rss version=\"2.0\"><channel><title>t</title>"
      "<item><title>one</title><link>http://a.example/1</link></item>"
      "<item><title>two <b>unclosed</title></item>"
      "<item><title>three</title></item>"
      "<item><title>four");
  ASSERT_GE(feed.entries.size(), 3u);
  EXPECT_EQ(feed.entries[0].title, "one");
  EXPECT_EQ(feed.entries[1].title, "two <b>unclosed</b>");
  EXPECT_EQ(feed.entries[2].title, "three");

  // The same in a channel-level field: the items are not lost to it.
  feed = parse_ok(
      "<rss version=\"2.0\"><channel><title>t</title><description>about <b>us</description>"
      "<item><title>one</title></item><item><title>two</title></item></channel></rss>");
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[0].title, "one");
  EXPECT_EQ(feed.entries[1].title, "two");

  // And in Atom, where the unclosed element sits in inline XHTML.
  feed = parse_ok(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>"
      "<entry><id>1</id><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">a <b>b</div></title></entry>"
      "<entry><id>2</id><title>second</title></entry></feed>");
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[0].id, "1");
  EXPECT_EQ(feed.entries[1].id, "2");
  EXPECT_EQ(feed.entries[1].title, "second");
}

TEST(FeedParser, AtomFeed) {
  core::Feed feed = parse_ok(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">"
      "<title>T</title><subtitle>S</subtitle><link rel=\"self\" href=\"http://x.example/atom\"/>"
      "<link rel=\"alternate\" type=\"text/html\" href=\"http://x.example/\"/><updated>2023-07-14T11:45:02Z</updated>"
      "<author><name>A</name><email>a@x.example</email></author>"
      "<entry><id>tag:x,2023:1</id><title type=\"html\">&lt;b&gt;E&lt;/b&gt;</title>"
      "<link href=\"http://x.example/1\"/><link rel=\"enclosure\" type=\"audio/mpeg\" length=\"12\" href=\"http://x.example/1.mp3\"/>"
      "<published>2023-07-14T19:45:02+08:00</published><updated>2023-07-15T00:00:00Z</updated>"
      "<category term=\"c1\"/><summary>sum</summary><content type=\"html\">&lt;p&gt;body&lt;/p&gt;</content></entry></feed>");
  EXPECT_EQ(feed.format, core::FeedFormat::atom);
  EXPECT_EQ(feed.version, "1.0");
  EXPECT_EQ(feed.language, "zh-CN");
  EXPECT_EQ(feed.title, "T");
  EXPECT_EQ(feed.description, "S");
  EXPECT_EQ(feed.link, "http://x.example/");
  EXPECT_EQ(feed.self_link, "http://x.example/atom");
  ASSERT_EQ(feed.authors.size(), 1u);
  EXPECT_EQ(feed.authors[0].email, "a@x.example");
  ASSERT_EQ(feed.entries.size(), 1u);
  const auto& e = feed.entries[0];
  EXPECT_EQ(e.id, "tag:x,2023:1");
  EXPECT_EQ(e.title, "<b>E</b>");
  EXPECT_EQ(e.link, "http://x.example/1");
  EXPECT_EQ(e.summary, "sum");
  EXPECT_EQ(e.content, "<p>body</p>");
  ASSERT_TRUE(e.published);
  EXPECT_EQ(format_time(*e.published), "2023-07-14T11:45:02Z");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].length, 12);
  EXPECT_EQ(e.categories, std::vector<std::string>{"c1"});
}

TEST(FeedParser, RdfFeed) {
  core::Feed feed = parse_ok(
      "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel rdf:about=\"http://x.example/\"><title>R</title>"
      "<link>http://x.example/</link></channel>"
      "<item rdf:about=\"http://x.example/1\"><title>one</title><link>http://x.example/1</link>"
      "<dc:date>2023-07-14T11:45:02Z</dc:date><dc:creator>Someone</dc:creator></item></rdf:RDF>");
  EXPECT_EQ(feed.format, core::FeedFormat::rdf);
  EXPECT_EQ(feed.title, "R");
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].link, "http://x.example/1");
  ASSERT_EQ(feed.entries[0].authors.size(), 1u);
  EXPECT_EQ(feed.entries[0].authors[0].name, "Someone");
  EXPECT_TRUE(feed.entries[0].published);
}

TEST(FeedParser, JsonFeed) {
  core::Feed feed = parse_ok(R"({"version": "https://jsonfeed.org/version/1.1", "title": "J",
    "home_page_url": "https://j.example/", "feed_url": "https://j.example/feed.json",
    "authors": [{"name": "A"}],
    "items": [{"id": 7, "url": "/p/1", "title": "one", "content_html": "<p>x</p>", "summary": "s",
               "date_published": "2023-07-14T11:45:02Z", "tags": ["t"],
               "attachments": [{"url": "https://j.example/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 5}]},
              {"id": "2", "content_text": "plain"}]})",
                             ParseOptions{"", "https://j.example/feed.json", {}, {}});
  EXPECT_EQ(feed.format, core::FeedFormat::json);
  EXPECT_EQ(feed.version, "1.1");
  EXPECT_EQ(feed.self_link, "https://j.example/feed.json");
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[0].id, "7");
  EXPECT_EQ(feed.entries[0].link, "https://j.example/p/1");
  EXPECT_EQ(feed.entries[0].content, "<p>x</p>");
  EXPECT_EQ(feed.entries[0].summary, "s");
  ASSERT_EQ(feed.entries[0].enclosures.size(), 1u);
  EXPECT_EQ(feed.entries[1].content, "plain");
}

TEST(FeedParser, NotAFeedIsRejected) {
  for (std::string_view doc : {std::string_view("<html><body><p>hello</p></body></html>"),
                               std::string_view(""), std::string_view("just text"),
                               std::string_view("{\"hello\": 1}"), std::string_view("\x00\x01\x02\xff", 4)}) {
    auto feed = parse_feed(doc, {});
    ASSERT_FALSE(feed.ok()) << doc;
    EXPECT_EQ(feed.error().kind, core::ErrorKind::not_feed) << doc;
  }
}

TEST(FeedParser, ExternalEntitiesAreNeverLoaded) {
  std::string bytes =
      "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>"
      "<rss><channel><title>&secret;x</title></channel></rss>";
  core::Feed feed = parse_ok(bytes);
  ASSERT_TRUE(feed.title);
  EXPECT_EQ(feed.title->find("root:"), std::string::npos);
}

std::string entity_feed(std::size_t value_bytes, int references) {
  std::string refs;
  for (int i = 0; i < references; ++i) refs += "&a;";
  return "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"" + std::string(value_bytes, 'x') +
         "\">]><rss version=\"2.0\"><channel><title>t &a;</title><item><title>i</title><description>" + refs +
         "</description></item></channel></rss>";
}

TEST(FeedParser, InternalEntitiesAreExpandedWithinAMultipleOfTheInput) {
  core::Feed feed = parse_ok(entity_feed(300, 20));
  ASSERT_TRUE(feed.title);
  EXPECT_EQ(*feed.title, "t " + std::string(300, 'x'));
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].summary.value_or("").size(), 300u * 20);
}

// 25 KB that would expand to 50 MB (and a 40 KB one took 15 s and 416 MB).
TEST(FeedParser, AnEntityExpansionBombIsRefusedAsTooLarge) {
  auto feed = parse_feed(entity_feed(10000, 5000), {});
  ASSERT_FALSE(feed.ok());
  EXPECT_EQ(feed.error().kind, core::ErrorKind::too_large);
  EXPECT_NE(feed.error().message.find("entity-expansion"), std::string::npos) << feed.error().message;
}

TEST(FeedParser, FeedJsonHasEveryKey) {
  core::Feed feed = parse_ok(rss_with_item("<title>x</title>"));
  auto json = feed_to_json(feed);
  for (const char* key : {"format", "version", "encoding", "title", "link", "self_link", "description", "language",
                          "rights", "generator", "published", "updated", "image", "authors", "categories", "entries"})
    EXPECT_TRUE(json.contains(key)) << key;
  ASSERT_EQ(json["entries"].size(), 1u);
  for (const char* key : {"id", "title", "link", "summary", "content", "published", "updated", "authors",
                          "categories", "enclosures"})
    EXPECT_TRUE(json["entries"][0].contains(key)) << key;
  EXPECT_TRUE(json["entries"][0]["summary"].is_null());
  EXPECT_TRUE(json["entries"][0]["enclosures"].is_array());
}

}  // namespace newsmirror::parse
