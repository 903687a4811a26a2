#include "archive/list_page.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "corpus.hpp"
#include "support/paths.hpp"

namespace newsmirror::archive {
namespace {

using namespace std::chrono;
using test::read_bytes;

core::TimePoint at(int y, unsigned m, unsigned d, int h, int min) {
  return core::TimePoint(sys_days(year{y} / month{m} / day{d}) + hours(h) + minutes(min));
}

// A UTC instant whose UTC+8 date is 2020-month-day (noon there).
core::TimePoint noon_utc8(unsigned month_number, unsigned day_number) {
  return at(2020, month_number, day_number, 4, 0);
}

std::vector<std::string> lines_of(const std::string& bytes) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = bytes.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(bytes.substr(start, nl - start));
  lines.push_back(bytes.substr(start));
  return lines;
}

// The HTML a code host makes of a Markdown page: cmark-gfm, GitHub's own
// renderer, with raw HTML let through as GitHub lets through <img>.
std::string render_as_code_host(const std::string& markdown) {
  ::newsmirror::test::TempDir dir;
  auto file = dir.path() / "page.md";
  { std::ofstream(file, std::ios::binary) << markdown; }
  std::string html;
  if (FILE* pipe = ::popen(("cmark-gfm --unsafe '" + file.string() + "'").c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) html.append(buffer, n);
    ::pclose(pipe);
  }
  return html;
}

TEST(ListPage, AFeedTitleCannotWriteLinksImagesOrHtmlIntoThePage) {
  if (std::system("command -v cmark-gfm >/dev/null 2>&1") != 0) GTEST_SKIP() << "no cmark-gfm (scripts/setup --tests)";
  const std::vector<std::string> titles = {
      "[Breaking](https://phish.example/login) ![](https://track.example/p.gif)",
      "<img src=https://track.example/q.gif> 图片",
      "<https://phish.example/auto> 自动链接",
      "x\\](https://phish.example/b) 反斜杠",
      "以反斜杠结尾\\",
  };
  std::vector<ListItem> items;
  for (std::size_t i = 0; i < titles.size(); ++i)
    items.push_back({noon_utc8(10, 1), titles[i], std::to_string(1048574 - i) + ".md"});
  auto page = render_list_page("站", items, ListStyle{});
  auto html = render_as_code_host(page);
  ASSERT_FALSE(html.empty()) << "cmark-gfm gave nothing for:\n" << page;
  EXPECT_EQ(html.find("<img"), std::string::npos) << html;
  EXPECT_EQ(html.find("href=\"https://phish"), std::string::npos) << html;
  EXPECT_EQ(html.find("href=\"https://track"), std::string::npos) << html;
  std::size_t links = 0;
  for (std::size_t at = 0; (at = html.find(".md\">", at)) != std::string::npos; ++at) ++links;
  EXPECT_EQ(links, titles.size()) << "each entry is still one link to its article:\n" << html;

  auto parsed = parse_list_page(page);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->entries.size(), titles.size());
  for (std::size_t i = 0; i < titles.size(); ++i) EXPECT_EQ(parsed->entries[i].title, titles[i]);
}

TEST(ListPage, EntryUsesMonthDayInUtcPlus8) {
  const ListStyle style;
  // 2020-10-12 16:30 UTC is already 10-13 00:30 in UTC+8.
  const ListItem item{at(2020, 10, 12, 16, 30), "标题", "1_标题.md"};
  EXPECT_EQ(render_list_entry("法广", item, style.zone),
            "10-13 [标题](/articles/法广/1_标题.md)");
  const ListItem january{at(2021, 1, 1, 15, 59), "t", "2.md"};
  EXPECT_EQ(render_list_entry("BBC", january, style.zone), "1-1 [t](/articles/BBC/2.md)");
}

TEST(ListPage, LinkPathEscapesLikeTheOldGenerator) {
  const struct {
    std::string_view file;
    std::string_view path;
  } cases[] = {
      {"1047480_加拿大巨钻在香港无底价拍卖成交 开创历史先河.md",
       "1047480_加拿大巨钻在香港无底价拍卖成交%20开创历史先河.md"},
      {"391124_BBC | 英国国会.md", "391124_BBC%20%7C%20英国国会.md"},
      // Raw in the real pages: ? % : ( ) full-width forms, U+3000, U+00A0.
      {"1046281_耀武扬威?.md", "1046281_耀武扬威?.md"},
      {"1046340_年增129%.md", "1046340_年增129%.md"},
      {"1046277_美疾控中心:至月底.md", "1046277_美疾控中心:至月底.md"},
      {"391954_红(fóng)外测温仪.md", "391954_红(fóng)外测温仪.md"},
      {"1_隔离　中国.md", "1_隔离　中国.md"},
      {"1_a\xC2\xA0" "b.md", "1_a\xC2\xA0" "b.md"},
      // Additions for links that work: a backslash, unbalanced parentheses.
      {"1047474_中国品牌\\“囚爱\\“男性.md", "1047474_中国品牌%5C“囚爱%5C“男性.md"},
      {"1_a)b.md", "1_a%29b.md"},
      {"1_(a.md", "1_%28a.md"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(escape_link_path(c.file), c.path) << c.file;
    EXPECT_EQ(unescape_link_path(c.path), c.file) << c.path;
  }
}

TEST(ListPage, UnescapeKeepsABarePercent) {
  EXPECT_EQ(unescape_link_path("129%.md"), "129%.md");
  EXPECT_EQ(unescape_link_path("a%2"), "a%2");
  EXPECT_EQ(unescape_link_path("a%zzb"), "a%zzb");
  EXPECT_EQ(unescape_link_path("%E6%96%B0"), "新");
}

TEST(ListPage, PageHasHeaderBlankLinesAndFooterWithoutFinalNewline) {
  const std::vector<ListItem> items{
      {noon_utc8(10, 13), "新", "2_新.md"},
      {noon_utc8(10, 12), " 旧 ", "3_ 旧 .md"},
  };
  EXPECT_EQ(render_list_page("法广", items, ListStyle::classic()),
            "法广\n------\n\n"
            "10-13 [新](/articles/法广/2_新.md)\n\n"
            "10-12 [旧](/articles/法广/3_%20旧%20.md)\n\n"
            "\n[查看更多](/articles/法广)");
}

TEST(ListPage, LaterLayoutHasNoFooterAndEndsWithABlankLine) {
  ListStyle style = ListStyle::later();
  style.folder = "dw";
  EXPECT_EQ(style.max_entries, 300u);
  const std::vector<ListItem> items{{noon_utc8(9, 25), "标题", "1024206.md"}};
  EXPECT_EQ(render_list_page("德国之声", items, style),
            "德国之声\n------\n\n9-25 [标题](/articles/dw/1024206.md)\n\n");
}

TEST(ListPage, LinksUseTheSanitizedSiteFolderByDefault) {
  const std::vector<ListItem> items{{noon_utc8(10, 1), "t", "1_t.md"}};
  EXPECT_EQ(render_list_page("a/b", items, ListStyle::classic()),
            "a/b\n------\n\n10-1 [t](/articles/a／b/1_t.md)\n\n\n[查看更多](/articles/a／b)");
}

TEST(ListPage, EmptySiteStillHasHeaderAndFooter) {
  EXPECT_EQ(render_list_page("BBC", {}, ListStyle::classic()),
            "BBC\n------\n\n\n[查看更多](/articles/BBC)");
}

TEST(ListPage, KeepsOnlyTheNewestMaxEntries) {
  std::vector<ListItem> items;
  for (int i = 0; i < 150; ++i) items.push_back({noon_utc8(10, 1), "t", std::to_string(i) + ".md"});
  const std::string page = render_list_page("s", items, ListStyle::classic());
  EXPECT_NE(page.find("/99.md)"), std::string::npos);
  EXPECT_EQ(page.find("/100.md)"), std::string::npos);
}

TEST(ListPage, RejectsMalformedEntryWithItsLineNumber) {
  const auto page = parse_list_page("s\n------\n\n10-1 [t](/articles/s/1.md)\n\nnot an entry\n");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, core::ErrorKind::parse);
  EXPECT_NE(page.error().message.find("line 6"), std::string::npos) << page.error().message;
  EXPECT_FALSE(parse_list_page("s\nno rule\n").ok());
}

// The required check against the real pages: for every sampled article that
// its site's October 2020 list shows, the entry newsmirror writes from the
// article file alone (time from line 1, title from line 2, its file name)
// is that list's line byte for byte.
TEST(ListPage, EntriesForCorpusArticlesMatchTheRealListsByteForByte) {
  SKIP_WITHOUT_SHARED();
  const ListStyle style = ListStyle::classic();
  int compared = 0;
  int broken_links = 0;
  for (const auto& path : test::corpus_articles()) {
    const std::string site = path.parent_path().filename().string();
    const std::string file_name = path.filename().string();
    const auto article = read_article(read_bytes(path));
    ASSERT_TRUE(article.ok()) << path;

    const std::string list = read_bytes(test::corpus_dir() / "lists" / (site + ".md"));
    const auto parsed = parse_list_page(list);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    const std::vector<std::string> lines = lines_of(list);

    const ListItem item{article->published, article->title, file_name};
    const std::string ours = render_list_entry(site, item, style.zone);
    for (const std::string& line : lines) {
      const auto one = parse_list_page("s\n------\n\n" + line);
      if (line.empty() || !one.ok() || one->entries.empty()) continue;
      const ListPageEntry& entry = one->entries.front();
      std::string with_slashes = file_name;
      std::replace(with_slashes.begin(), with_slashes.end(), '\\', '/');
      if (entry.file_name != file_name && entry.file_name != with_slashes) continue;
      if (entry.file_name != file_name) {
        // BBC 1047474: the old generator wrote the file's `\` as `/`, so the
        // real link points at a folder that does not exist. Ours must be the
        // working link, with the backslash escaped.
        std::string working = line;
        for (std::size_t at = 0; (at = working.find("/\xE2\x80\x9C", at)) != std::string::npos;)
          working.replace(at, 1, "%5C");
        // Only the link part changes; the title keeps its `\“`.
        EXPECT_EQ(ours, working);
        EXPECT_NE(ours.find("1047474_中国品牌%5C“囚爱%5C“男性"), std::string::npos) << ours;
        ++broken_links;
      } else {
        EXPECT_EQ(ours, line) << path;
      }
      ++compared;
    }
  }
  // How many sampled articles the sampled lists show (the `<id>.md` files
  // are listed under titled names, so they are not among them).
  EXPECT_GE(compared, 30);
  EXPECT_EQ(broken_links, 1);  // BBC 1047474 only
  std::cout << "compared " << compared << " entries with the real lists\n";
}

// Re-renders every real page from its own parsed entries: header, the blank
// lines, 100 entries, two blank lines, footer and no final newline.
TEST(ListPage, RealPagesRoundTripThroughParseAndRender) {
  SKIP_WITHOUT_SHARED();
  struct Case {
    std::filesystem::path file;
    ListStyle style;
  };
  std::vector<Case> cases;
  for (const auto& e : std::filesystem::directory_iterator(test::corpus_dir() / "lists"))
    cases.push_back({e.path(), ListStyle::classic()});
  ListStyle later = ListStyle::later();
  later.folder = "dw";
  cases.push_back({test::corpus_dir() / "later-layout" / "lists" / "德国之声.md", later});
  ASSERT_EQ(cases.size(), 8u);

  for (const Case& c : cases) {
    const std::string bytes = read_bytes(c.file);
    const auto page = parse_list_page(bytes);
    ASSERT_TRUE(page.ok()) << c.file << ": " << page.error().message;
    EXPECT_EQ(page->site, c.file.stem().string());
    EXPECT_EQ(page->footer, c.style.footer) << c.file;
    EXPECT_EQ(page->entries.size(), c.style.max_entries) << c.file;
    std::vector<ListItem> items;
    for (const ListPageEntry& entry : page->entries) {
      EXPECT_EQ(entry.folder, c.style.folder.value_or(page->site));
      items.push_back({noon_utc8(entry.month, entry.day), entry.title, entry.file_name});
    }
    EXPECT_EQ(render_list_page(page->site, items, c.style), bytes) << c.file;
  }
}

}  // namespace
}  // namespace newsmirror::archive
