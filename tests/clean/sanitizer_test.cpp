#include "clean/sanitizer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "clean/style_filter.hpp"
#include "clean/url_policy.hpp"
#include "parse/feed_parser.hpp"
#include "support/paths.hpp"

namespace newsmirror::clean {
namespace {

constexpr const char* kBase = "https://news.example/world/story.html";

std::string clean(std::string_view html, std::string base = kBase) {
  return sanitize_html(html, SanitizeOptions{std::move(base)});
}

// No markup that can run script, whatever the input: the properties every
// XSS test below checks on top of its exact expectation.
void expect_inert(const std::string& out) {
  const auto tree = parse_fragment(out);
  for_each_descendant(*tree, [&](const Node& node) {
    if (node.kind != Node::Kind::element) return;
    EXPECT_FALSE(node.tag == "script" || node.tag == "style" || node.tag == "iframe" ||
                 node.tag == "object" || node.tag == "embed" || node.tag == "noscript" ||
                 node.tag == "template" || node.tag.find(':') != std::string::npos)
        << node.tag << " in " << out;
    for (const auto& attribute : node.attributes) {
      EXPECT_FALSE(attribute.name.starts_with("on")) << attribute.name << " in " << out;
      // A URL a browser would read as javascript: (leading ASCII white
      // space and controls are ignored; other spaces make it relative).
      if (attribute.name == "href" || attribute.name == "src" || attribute.name == "srcset") {
        std::string url;
        for (char c : attribute.value) {
          if (static_cast<unsigned char>(c) > 0x20 || !url.empty()) url += static_cast<char>(std::tolower(c));
        }
        EXPECT_FALSE(url.starts_with("javascript:")) << out;
      }
    }
  });
}

// ------------------------------------------------------- event handlers ---

TEST(Sanitizer, AHundredThousandNestedElementsComeOutInertAndStable) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<div><b onclick=x()>";
  deep += "<script>alert(1)</script>deep";
  auto out = clean(deep);
  expect_inert(out);
  EXPECT_NE(out.find("deep"), std::string::npos);
  EXPECT_EQ(clean(out), out) << "sanitizing its own output changes nothing";
}

TEST(Sanitizer, DropsEventHandlerAttributes) {
  EXPECT_EQ(clean("<img src=/a.jpg onerror=alert(1) OnLoad='x'>"),
            "<img src=\"https://news.example/a.jpg\">");
  EXPECT_EQ(clean("<p onclick=\"alert(1)\" onmouseover=x>t</p>"), "<p>t</p>");
  EXPECT_EQ(clean("<details open ontoggle=alert(1)><summary>s</summary></details>"),
            "<details open=\"\"><summary>s</summary></details>");
  EXPECT_EQ(clean("<body onload=alert(1)>text"), "text");
}

// ----------------------------------------------------- javascript: URLs ---

TEST(Sanitizer, DropsScriptUrlsHoweverTheyAreSpelled) {
  for (const char* href : {
           "javascript:alert(1)",
           "JaVaScRiPt:alert(1)",
           "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
           "&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)",
           "java&#x09;script:alert(1)",
           "java\tscr\nipt:alert(1)",
           " &#14;  javascript:alert(1)",
           "javascript&colon;alert(1)",
           "vbscript:msgbox(1)",
           "livescript:x",
       }) {
    const std::string html = std::string("<a href=\"") + href + "\">x</a>";
    EXPECT_EQ(clean(html), "<a>x</a>") << href;
    EXPECT_EQ(clean(html, ""), "<a>x</a>") << href;
  }
}

TEST(Sanitizer, AllowsOnlyWebAndMailLinks) {
  EXPECT_EQ(clean("<a href='mailto:desk@news.example'>m</a>"),
            "<a href=\"mailto:desk@news.example\" rel=\"noopener noreferrer\">m</a>");
  EXPECT_EQ(clean("<a href='ftp://x.example/'>f</a><a href='tel:1'>t</a>"), "<a>f</a><a>t</a>");
  EXPECT_EQ(clean("<img src='mailto:x'>"), "<img>");
  EXPECT_EQ(clean("<blockquote cite='javascript:x'>q</blockquote>"), "<blockquote>q</blockquote>");
}

// ------------------------------------------------------------ data: URLs ---

TEST(Sanitizer, KeepsOnlySmallRasterDataImages) {
  const std::string png = "data:image/png;base64,iVBORw0KGgo=";
  EXPECT_EQ(clean("<img src='" + png + "'>"), "<img src=\"" + png + "\">");
  EXPECT_EQ(clean("<img src='data:image/svg+xml;base64,PHN2Zz4='>"), "<img>");
  EXPECT_EQ(clean("<a href='data:text/html,<script>alert(1)</script>'>x</a>"), "<a>x</a>");
  EXPECT_EQ(clean("<a href='" + png + "'>x</a>"), "<a>x</a>");
  const std::string big = "data:image/png;base64," + std::string(kMaxDataImageUrl, 'A');
  EXPECT_EQ(clean("<img src='" + big + "'>"), "<img>");
}

// ------------------------------------------------- elements and content ---

TEST(Sanitizer, DropsActiveElementsWithTheirContent) {
  EXPECT_EQ(clean("a<script>alert(1)</script>b<style>p{}</style>c"), "abc");
  EXPECT_EQ(clean("a<iframe src='https://x.example/' srcdoc='<script>alert(1)</script>'>t</iframe>b"),
            "ab");
  EXPECT_EQ(clean("a<embed src=x.swf>b<template><img src=x onerror=alert(1)></template>c"), "abc");
  EXPECT_EQ(clean("<base href='javascript:/'><meta http-equiv=refresh content='0;url=javascript:x'>"
                  "<link rel=stylesheet href=x.css>t"),
            "t");
}

TEST(Sanitizer, ObjectLeavesOnlyItsFallbackContent) {
  EXPECT_EQ(clean("<object data='x.swf'><param name=movie value=x.swf>fallback <b>text</b></object>"),
            "fallback <b>text</b>");
}

TEST(Sanitizer, FormsGoAndTheirControlsWithThem) {
  const std::string out = clean(
      "<form action='javascript:alert(1)'><label>Name <input name=n value=v></label>"
      "<button formaction='javascript:alert(2)'>Send</button><select><option>o</select>"
      "<textarea>t</textarea></form>");
  EXPECT_EQ(out, "Name ");
}

TEST(Sanitizer, UnwrapsUnknownElements) {
  EXPECT_EQ(clean("<my-widget data-x=1><p>kept</p></my-widget><blink>b</blink>"),
            "<p>kept</p>b");
}

TEST(Sanitizer, DropsSrcdocEverywhere) {
  EXPECT_EQ(clean("<div srcdoc='<script>alert(1)</script>'>d</div>"), "<div>d</div>");
}

TEST(Sanitizer, RawTextElementsBecomeTextInPre) {
  EXPECT_EQ(clean("<xmp><img src=x onerror=alert(1)></xmp>"),
            "<pre>&lt;img src=x onerror=alert(1)&gt;</pre>");
}

// ----------------------------------------------------- SVG and MathML ---

TEST(Sanitizer, DropsSvgAndKeepsMathAsText) {
  EXPECT_EQ(clean("a<svg onload=alert(1)><script>alert(2)</script><a xlink:href='javascript:x'>"
                  "<text>t</text></a></svg>b"),
            "ab");
  EXPECT_EQ(clean("<math><mi>a</mi><mo>+</mo><mi>b</mi></math>"), "a+b");
  EXPECT_EQ(clean("<math href='javascript:alert(1)'><mtext>x</mtext></math>"), "x");
}

// --------------------------------------------------------- mutation XSS ---

TEST(Sanitizer, NamespaceConfusionPayloadsComeOutInert) {
  for (const char* payload : {
           "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
           "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
           "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;/mglyph&gt;"
           "&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;\">",
           "<svg></p><title><template><style></title><img src=x onerror=alert(1)>",
           "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
       }) {
    const std::string out = clean(payload, "");
    expect_inert(out);
    EXPECT_EQ(clean(out, ""), out) << payload;
  }
}

TEST(Sanitizer, NoscriptTextareaAndStyleReparsingCannotRevive) {
  for (const char* payload : {
           "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
           "<textarea><p title=\"</textarea><img src=x onerror=alert(1)>\"></textarea>",
           "<style><img src=x onerror=alert(1)></style>",
           "<template><noscript><img src=x onerror=alert(1)></noscript></template>",
           "<xmp></xmp><img src=x onerror=alert(1)>",
       }) {
    const std::string out = clean(payload, "");
    expect_inert(out);
    EXPECT_EQ(clean(out, ""), out) << payload;
  }
  // The attribute stays an attribute: its markup-like value is escaped.
  EXPECT_EQ(clean("<p title=\"</p><img src=x onerror=alert(1)>\">t</p>", ""),
            "<p title=\"&lt;/p&gt;&lt;img src=x onerror=alert(1)&gt;\">t</p>");
}

TEST(Sanitizer, CommentsAreDroppedIncludingBangClosedOnes) {
  EXPECT_EQ(clean("a<!-- x -->b<!--x--!><img src=x onerror=alert(1)>", ""), "ab<img src=\"x\">");
  EXPECT_EQ(clean("a<!--><img src=x>-->b", ""), "a<img src=\"x\">--&gt;b");
  EXPECT_EQ(clean("a<?xml x?>b<!x>c", ""), "abc");
}

// --------------------------------------------------------- clobbering ---

TEST(Sanitizer, PrefixesIdsAndNamesSoTheyCannotClobberTheDocument) {
  EXPECT_EQ(clean("<img name=cookie id=location><a name=top></a><p id=''>e</p>", ""),
            "<img name=\"user-content-cookie\" id=\"user-content-location\">"
            "<a name=\"user-content-top\"></a><p id=\"\">e</p>");
  EXPECT_EQ(clean("<a href='#notes'>1</a><ol id=notes></ol>"),
            "<a href=\"#user-content-notes\" rel=\"noopener noreferrer\">1</a>"
            "<ol id=\"user-content-notes\"></ol>");
  EXPECT_EQ(clean("<img usemap='#m'><map name=m><area href='/x' coords='0,0,1,1'></map>"),
            "<img usemap=\"#user-content-m\"><map name=\"user-content-m\">"
            "<area href=\"https://news.example/x\" coords=\"0,0,1,1\" rel=\"noopener noreferrer\"></map>");
}

// ---------------------------------------------------------------- links ---

TEST(Sanitizer, LinksGetNoopenerNoreferrerAndLoseTarget) {
  EXPECT_EQ(clean("<a href='https://x.example/' target=_blank rel=opener ping='https://t.example/'>x</a>"),
            "<a href=\"https://x.example/\" rel=\"noopener noreferrer\">x</a>");
  EXPECT_EQ(clean("<a name=n>anchor</a>"), "<a name=\"user-content-n\">anchor</a>");
}

TEST(Sanitizer, ResolvesRelativeUrlsAgainstTheArticle) {
  EXPECT_EQ(clean("<a href='../about'>a</a>"),
            "<a href=\"https://news.example/about\" rel=\"noopener noreferrer\">a</a>");
  EXPECT_EQ(clean("<img src='//cdn.example/p.jpg'>"), "<img src=\"https://cdn.example/p.jpg\">");
  EXPECT_EQ(clean("<video poster=p.jpg src=v.mp4 controls></video>"),
            "<video poster=\"https://news.example/world/p.jpg\" "
            "src=\"https://news.example/world/v.mp4\" controls=\"\"></video>");
  EXPECT_EQ(clean("<img src=' pic.jpg '>", ""), "<img src=\"pic.jpg\">");
}

// --------------------------------------------------------------- images ---

TEST(Sanitizer, KeepsSrcsetWithAbsoluteUrls) {
  EXPECT_EQ(clean("<img srcset='a.jpg 1x, /b.jpg 2x,javascript:x 3x' src=a.jpg>"),
            "<img srcset=\"https://news.example/world/a.jpg 1x, https://news.example/b.jpg 2x\" "
            "src=\"https://news.example/world/a.jpg\">");
  EXPECT_EQ(clean("<picture><source srcset='w.webp 640w' type=image/webp><img src=a.jpg></picture>"),
            "<picture><source srcset=\"https://news.example/world/w.webp 640w\" type=\"image/webp\">"
            "<img src=\"https://news.example/world/a.jpg\"></picture>");
  EXPECT_EQ(clean("<img srcset='javascript:x 1x'>"), "<img>");
}

TEST(Sanitizer, LazyLoadedImagesGetTheirRealSource) {
  EXPECT_EQ(clean("<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' data-src='/real.jpg'>"),
            "<img src=\"https://news.example/real.jpg\">");
  EXPECT_EQ(clean("<img data-original=o.jpg>"), "<img src=\"https://news.example/world/o.jpg\">");
  EXPECT_EQ(clean("<img data-lazy-src=l.jpg data-srcset='l2.jpg 2x'>"),
            "<img src=\"https://news.example/world/l.jpg\" "
            "srcset=\"https://news.example/world/l2.jpg 2x\">");
  EXPECT_EQ(clean("<img src=keep.jpg data-src='javascript:alert(1)'>"),
            "<img src=\"https://news.example/world/keep.jpg\">");
}

TEST(Sanitizer, NoscriptFallbackImageReplacesItsPlaceholder) {
  EXPECT_EQ(clean("<img class=lazy src=blank.gif>\n<noscript><img src=real.jpg alt=A></noscript>"),
            "\n<img src=\"https://news.example/world/real.jpg\" alt=\"A\">");
  EXPECT_EQ(clean("<p>x<noscript><img src=only.jpg></noscript></p>"),
            "<p>x<img src=\"https://news.example/world/only.jpg\"></p>");
  EXPECT_EQ(clean("a<noscript>Please enable JavaScript</noscript>b"), "ab");
}

TEST(Sanitizer, RemovesTrackingPixels) {
  EXPECT_EQ(clean("a<img src='https://t.example/p.gif' width=1 height=1>b"), "ab");
  EXPECT_EQ(clean("a<img src=p.gif width='0' height='0'>b<img src=q.gif height=1>c"), "abc");
  EXPECT_EQ(clean("<img src=w.jpg width=1 height=300>"),
            "<img src=\"https://news.example/world/w.jpg\" width=\"1\" height=\"300\">");
  EXPECT_EQ(clean("<img src=w.jpg width=640>"),
            "<img src=\"https://news.example/world/w.jpg\" width=\"640\">");
}

// ---------------------------------------------------------------- style ---

TEST(StyleFilter, KeepsPlainFormattingAndDropsTheRest) {
  EXPECT_EQ(clean_style("color: red; position: absolute; background: url(x); z-index: 9"),
            "color: red;");
  EXPECT_EQ(clean_style("font-family: 'Lucida Console', serif;TEXT-ALIGN:center"),
            "font-family: 'Lucida Console', serif; text-align: center;");
  EXPECT_EQ(clean_style("border: 1px solid rgb(0, 0, 0); margin: 0 !important"),
            "border: 1px solid rgb(0, 0, 0); margin: 0 !important;");
  EXPECT_EQ(clean_style("width: expression(alert(1)); color: red\\;"), "");
  EXPECT_EQ(clean_style("margin: 99999em; background-repeat: repeat-x; -moz-binding: x"), "");
  EXPECT_EQ(clean_style("color: red /* ; */; behavior: url(x.htc)"), "");
  EXPECT_EQ(clean_style("background-image: image-set('a.png' 1x)"), "");
}

TEST(StyleFilter, IsIdempotent) {
  for (const char* style : {"color:red;;font-size : 10pt", "font-family: a ,b", "border:0 none"}) {
    const std::string once = clean_style(style);
    EXPECT_EQ(clean_style(once), once) << style;
  }
}

TEST(Sanitizer, StyleAttributesAreFilteredNotKept) {
  EXPECT_EQ(clean("<span style='color: #008; position: fixed'>t</span>"),
            "<span style=\"color: #008;\">t</span>");
  EXPECT_EQ(clean("<span style='position: fixed; top: 0'>t</span>"), "<span>t</span>");
}

// ---------------------------------------------------------- idempotence ---

void expect_idempotent(const std::string& html, const std::string& base, const std::string& what) {
  const std::string once = clean(html, base);
  EXPECT_EQ(clean(once, base), once) << what;
}

TEST(SanitizerIdempotence, HoldsOverTheWholeXssCorpus) {
  SKIP_WITHOUT_SHARED();
  int payloads = 0;
  for (const char* file : {"dompurify.jsonl", "h5sc.jsonl", "owasp.jsonl"}) {
    std::ifstream in(test::shared_dir() / "corpus" / "xss" / file);
    ASSERT_TRUE(in) << file;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const auto record = nlohmann::json::parse(line);
      const std::string payload = record.at("payload");
      expect_idempotent(payload, "", record.at("id"));
      expect_idempotent(payload, "http://newsmirror.test/article.html", record.at("id"));
      expect_inert(clean(payload, ""));
      ++payloads;
    }
  }
  EXPECT_GT(payloads, 300);
}

TEST(SanitizerIdempotence, HoldsOverTheFeedCorpusContent) {
  SKIP_WITHOUT_SHARED();
  int documents = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::shared_dir() / "corpus" / "feeds" / "cases")) {
    const auto path = entry.path();
    if (path.string().ends_with(".expect.json")) continue;
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto feed = parse::parse_feed(bytes.str(), parse::ParseOptions{});
    if (!feed) continue;
    for (const auto& item : feed->entries) {
      const std::string base = item.link.value_or("");
      for (const auto* markup : {&item.summary, &item.content, &item.title}) {
        if (markup->has_value()) expect_idempotent(**markup, base, path.filename().string());
      }
    }
    ++documents;
  }
  EXPECT_GT(documents, 500);
}

}  // namespace
}  // namespace newsmirror::clean
