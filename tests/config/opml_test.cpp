#include "config/opml.hpp"

#include <gtest/gtest.h>

namespace newsmirror::config {
namespace {

std::vector<std::string> names(const std::vector<Source>& sources) {
  std::vector<std::string> out;
  for (auto& s : sources) out.push_back(s.name);
  return out;
}

TEST(Opml, ReadsNestedOutlinesWithTitleOrText) {
  auto sources = parse_opml(R"(<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>x</title></head>
  <body>
    <outline text="新闻">
      <outline type="rss" text="法广" xmlUrl="https://feedx.net/rss/rfi.xml"/>
      <outline text="深一层">
        <outline type="rss" text="ignored" title="BBC" xmlUrl="https://feedx.net/rss/bbc.xml"/>
      </outline>
    </outline>
    <outline type="rss" xmlurl="http://no-name.example/feed"/>
    <outline text="no feed here"/>
  </body>
</opml>)");
  ASSERT_TRUE(sources) << sources.error().message;
  EXPECT_EQ(names(*sources), (std::vector<std::string>{"法广", "BBC", "http://no-name.example/feed"}));
  EXPECT_EQ((*sources)[1].urls, std::vector<std::string>{"https://feedx.net/rss/bbc.xml"});
}

TEST(Opml, SkipsNonHttpFeeds) {
  auto sources = parse_opml(R"(<opml version="1.0"><body>
    <outline text="a" xmlUrl="file:///etc/passwd"/>
    <outline text="b" xmlUrl="https://b.example/"/>
  </body></opml>)");
  ASSERT_TRUE(sources);
  EXPECT_EQ(names(*sources), std::vector<std::string>{"b"});
}

TEST(Opml, RejectsMalformedAndNonOpml) {
  auto broken = parse_opml("<opml><body><outline text='a'></body></opml>");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().kind, core::ErrorKind::parse);
  EXPECT_NE(broken.error().message.find("line 1"), std::string::npos) << broken.error().message;

  auto rss = parse_opml("<rss version='2.0'><channel/></rss>");
  ASSERT_FALSE(rss);
  EXPECT_NE(rss.error().message.find("<rss>"), std::string::npos) << rss.error().message;

  EXPECT_FALSE(parse_opml(""));
}

// External entities must never be loaded (XXE): the entity stays unexpanded.
TEST(Opml, DoesNotLoadExternalEntities) {
  auto sources = parse_opml(R"(<?xml version="1.0"?>
<!DOCTYPE opml [ <!ENTITY secret SYSTEM "file:///etc/hostname"> ]>
<opml version="2.0"><body>
  <outline text="x&secret;" xmlUrl="https://a.example/"/>
</body></opml>)");
  if (sources) {
    ASSERT_EQ(sources->size(), 1u);
    EXPECT_EQ((*sources)[0].name.find('\n'), std::string::npos);
    EXPECT_LE((*sources)[0].name.size(), 2u) << (*sources)[0].name;
  }
}

// 35 KB whose attribute would expand to 100 MB: libxml2 catches reference
// loops, not this.
TEST(Opml, AnEntityExpansionBombIsRefusedAsTooLarge) {
  std::string refs;
  for (int i = 0; i < 5000; ++i) refs += "&a;";
  auto sources = parse_opml("<?xml version=\"1.0\"?><!DOCTYPE opml [<!ENTITY a \"" + std::string(20000, 'y') +
                            "\">]><opml version=\"2.0\"><body><outline text=\"" + refs +
                            "\" xmlUrl=\"https://a.example/\"/></body></opml>");
  ASSERT_FALSE(sources);
  EXPECT_EQ(sources.error().kind, core::ErrorKind::too_large);
  EXPECT_NE(sources.error().message.find("entity-expansion"), std::string::npos) << sources.error().message;
}

TEST(Opml, SmallInternalEntitiesStillExpand) {
  auto sources = parse_opml(R"(<?xml version="1.0"?>
<!DOCTYPE opml [ <!ENTITY site "法广"> ]>
<opml version="2.0"><body><outline text="&site;" xmlUrl="https://a.example/"/></body></opml>)");
  ASSERT_TRUE(sources) << sources.error().message;
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].name, "法广");
}

TEST(Opml, ExportHasHeadAndRoundTripsSources) {
  auto config = default_config();
  Source multi;
  multi.name = "镜像 & <mirror> \"q\"";
  multi.urls = {"https://a.example/feed?x=1&y=2", "http://b.example/feed"};
  config.sources.push_back(multi);
  auto text = render_opml(config);
  EXPECT_NE(text.find("<opml version=\"2.0\">"), std::string::npos);
  EXPECT_NE(text.find("<title>"), std::string::npos);
  EXPECT_NE(text.find("<dateCreated>"), std::string::npos);
  EXPECT_NE(text.find(" GMT</dateCreated>"), std::string::npos);
  auto back = parse_opml(text);
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  ASSERT_EQ(back->size(), config.sources.size());
  for (std::size_t i = 0; i < back->size(); ++i) {
    EXPECT_EQ((*back)[i].name, config.sources[i].name);
    EXPECT_EQ((*back)[i].urls, config.sources[i].urls);
  }
}

}  // namespace
}  // namespace newsmirror::config
