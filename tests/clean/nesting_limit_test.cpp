#include "clean/nesting_limit.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/paths.hpp"

namespace newsmirror::clean {
namespace {

std::string repeat(std::string_view part, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += part;
  return out;
}

TEST(NestingLimit, LeavesEveryRealPageOfTheCorpusAlone) {
  SKIP_WITHOUT_SHARED();
  int pages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::shared_dir() / "corpus/extract/cases")) {
    std::ifstream in(entry.path() / "source.html", std::ios::binary);
    if (!in) continue;
    std::ostringstream html;
    html << in.rdbuf();
    EXPECT_EQ(limit_nesting(html.str()), std::nullopt) << entry.path();
    ++pages;
  }
  EXPECT_GT(pages, 100);
}

TEST(NestingLimit, DropsStartTagsBeyondTheLimitWithTheEndTagsThatCloseThem) {
  auto limited = limit_nesting(repeat("<div>", 5) + "text" + repeat("</div>", 5) + "<p>after</p>", 3);
  ASSERT_TRUE(limited);
  EXPECT_EQ(*limited, "<div><div><div>text</div></div></div><p>after</p>");
}

TEST(NestingLimit, CountsOnlyElementsThatCanPileUp) {
  // <p>, <li> and <td> close themselves; <br> and <img> hold nothing.
  EXPECT_EQ(limit_nesting(repeat("<p>a<li>b<br><img src=x>", 1000), 3), std::nullopt);
  // "<div/>" opens a <div> in HTML; inside <svg> the slash closes it.
  EXPECT_TRUE(limit_nesting(repeat("<div/>", 10), 3));
  EXPECT_EQ(limit_nesting("<svg>" + repeat("<g/>", 10) + "</svg>", 3), std::nullopt);
}

TEST(NestingLimit, ReadsTagsAsABrowserDoes) {
  // Inside scripts, styles, comments and quoted attribute values, a "<div>"
  // is not a tag.
  std::string html = "<script>" + repeat("<div>", 10) + "</script><style>" + repeat("<div>", 10) +
                     "</style><!--" + repeat("<div>", 10) + "--><a title=\"" + repeat("<div>", 10) + "\">x</a>";
  EXPECT_EQ(limit_nesting(html, 3), std::nullopt);
  // An end tag closes the elements left open inside it.
  EXPECT_EQ(limit_nesting(repeat("<section><span>", 2) + "</section></section>" + repeat("<div>", 4), 4),
            std::nullopt);
}

TEST(NestingLimit, AHundredThousandLevelsComeOutAtTheLimit) {
  auto limited = limit_nesting(repeat("<DIV class=a>", 100000) + "deep" + repeat("</div>", 100000));
  ASSERT_TRUE(limited);
  EXPECT_EQ(*limited, repeat("<DIV class=a>", kMaxHtmlDepth) + "deep" + repeat("</div>", kMaxHtmlDepth));
}

}  // namespace
}  // namespace newsmirror::clean
