#include "archive/file_name.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "corpus.hpp"

namespace newsmirror::archive {
namespace {

TEST(FileName, NumberIsXorOfSequence) {
  EXPECT_EQ(article_number(0), 0xFFFFFu);
  EXPECT_EQ(article_number(1), 1048574u);
  // The sample's newest DW article 1046204 was seq 0xFFFFF ^ 1046204 = 2371.
  EXPECT_EQ(article_number(2371), 1046204u);
  EXPECT_EQ(article_number(0xFFFFF), 0u);
}

TEST(FileName, NumberingPastTwentyBitsNeverCollides) {
  // Around the point where N = 0 and the old mirrors broke, every seq gets a
  // number no earlier seq had.
  std::set<std::uint64_t> seen;
  for (std::uint64_t seq = 0; seq <= 0x100100; ++seq) {
    const bool inserted = seen.insert(article_number(seq)).second;
    ASSERT_TRUE(inserted) << "seq " << seq << " repeats number " << article_number(seq);
  }
  EXPECT_EQ(article_number(0x100000), 0x1FFFFFu);
  EXPECT_EQ(article_number(0x100001), 0x1FFFFEu);
}

TEST(FileName, PostIdsAreReadFromWordPressGuidsOnly) {
  EXPECT_EQ(guid_post_id("https://chinadigitaltimes.net/chinese/?p=657659"), 657659u);
  EXPECT_EQ(guid_post_id("https://chinadigitaltimes.net/chinese/?lang=zh&p=12#x"), 12u);
  // 390916.md of the sample is 0xFFFFF XOR its post id.
  EXPECT_EQ(article_number(*guid_post_id("https://chinadigitaltimes.net/chinese/?p=657659")), 390916u);
  EXPECT_FALSE(guid_post_id("https://chinadigitaltimes.net/chinese/2020/10/post"));
  EXPECT_FALSE(guid_post_id("https://x/?page=3"));
  EXPECT_FALSE(guid_post_id("https://x/?p=12abc"));
  EXPECT_FALSE(guid_post_id("https://x/?p=0"));
  EXPECT_FALSE(guid_post_id("https://x/?p=1048576")) << "past 20 bits: no number of the old form";
  EXPECT_FALSE(guid_post_id("tag:example.org,2020:12"));
}

TEST(FileName, ParsesTheNumberBack) {
  const struct {
    std::string_view name;
    std::optional<std::uint64_t> number;
  } cases[] = {
      {"1047443.md", 1047443},
      {"1047440_纪录片声称揭露朝鲜试图躲避制裁, 有分析认为“高度可信”.md", 1047440},
      {"1047474_中国品牌\\“囚爱\\“男性贞操锁安全隐患曝光：黑客或可远程锁定.md", 1047474},
      {"1047502_ “学生动源”美国分部召集人：继续力推香港公投.md", 1047502},
      {"0.md", 0},
      {"2097151_x.md", 2097151},
      {"1047443", 1047443},
      {"abc.md", std::nullopt},
      {"_1.md", std::nullopt},
      {"12a.md", std::nullopt},
      {"-1.md", std::nullopt},
      {".md", std::nullopt},
      {"", std::nullopt},
      {"99999999999999999999999.md", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_article_number(c.name), c.number) << c.name;
}

TEST(FileName, NamesFromTitles) {
  const struct {
    std::string_view title;
    std::string_view name;
  } cases[] = {
      {"米利访日：美国需要加快向台湾交付武器的速度", "1046204_米利访日：美国需要加快向台湾交付武器的速度.md"},
      {"纪录片声称揭露朝鲜试图躲避制裁, 有分析认为“高度可信”",
       "1046204_纪录片声称揭露朝鲜试图躲避制裁, 有分析认为“高度可信”.md"},
      // Full-width forms, U+3000 and a no-break space are fine everywhere.
      {"美国总统夫妇确诊　正接受隔离", "1046204_美国总统夫妇确诊　正接受隔离.md"},
      {"a\xC2\xA0" "b", "1046204_a\xC2\xA0" "b.md"},
      {"特朗普vs.常春藤盟校", "1046204_特朗普vs.常春藤盟校.md"},
      {"年增129%", "1046204_年增129%.md"},
      // What breaks a checkout on Windows or macOS becomes a look-alike.
      {"美国/中国", "1046204_美国／中国.md"},
      {"中国品牌\\“囚爱\\“男性", "1046204_中国品牌＼“囚爱＼“男性.md"},
      {"路透: 美国会", "1046204_路透： 美国会.md"},
      {"两岸政治对话? 近期", "1046204_两岸政治对话？ 近期.md"},
      {"小虎 |多大的流氓", "1046204_小虎 ｜多大的流氓.md"},
      {"a*b\"c<d>e", "1046204_a＊b＂c＜d＞e.md"},
      {"line\none\ttab\x7F", "1046204_line one tab.md"},
      // Leading and trailing white space (kept by the old scripts) goes.
      {"  北约提议重拟战略  ", "1046204_北约提议重拟战略.md"},
      // A trailing dot is harmless before `.md`.
      {"等等...", "1046204_等等....md"},
  };
  for (const auto& c : cases) EXPECT_EQ(article_file_name(1046204, c.title), c.name) << c.title;
}

TEST(FileName, NoTitleOrAnEmptyOneGivesTheBareNumber) {
  EXPECT_EQ(article_file_name(1045740, std::nullopt), "1045740.md");
  EXPECT_EQ(article_file_name(1045740, ""), "1045740.md");
  EXPECT_EQ(article_file_name(1045740, "   \t\n "), "1045740.md");
}

TEST(FileName, TitleWithSlashStaysInsideSiteFolder) {
  const std::filesystem::path site = "articles/法广";
  using namespace std::string_view_literals;
  for (const std::string_view title :
       {"\0../x"sv, "../../etc/passwd"sv, ".."sv, "."sv, "/"sv, "/etc/passwd"sv, "..\\..\\windows"sv,
        ".hidden"sv, "a/../../b"sv, "CON"sv, "nul.txt"sv}) {
    const std::string name = article_file_name(1042081, title);
    EXPECT_EQ(name.find('/'), std::string::npos) << name;
    EXPECT_EQ(name.find('\\'), std::string::npos) << name;
    EXPECT_TRUE(name.starts_with("1042081")) << name;  // never `.`-led, `..` or a device
    const std::filesystem::path joined = (site / name).lexically_normal();
    EXPECT_EQ(joined.parent_path(), site) << name;
    EXPECT_EQ(parse_article_number(name), 1042081u) << name;
  }
}

TEST(FileName, WholeNameFitsTwoHundredBytesCutOnACodePoint) {
  std::string title;
  for (int i = 0; i < 120; ++i) title += "新";  // 3 bytes each
  const std::string name = article_file_name(1046204, title);
  EXPECT_LE(name.size(), kMaxFileNameBytes);
  EXPECT_TRUE(name.ends_with("新.md")) << name;
  // 200 - len("1046204_") - len(".md") = 189 bytes = 63 whole characters.
  EXPECT_EQ(name.size(), 8 + 63 * 3 + 3);

  // A four-byte character straddling the limit is dropped whole.
  std::string emoji(187, 'a');
  emoji += "\xF0\x9F\x98\x80";
  const std::string cut = article_file_name(1046204, emoji);
  EXPECT_EQ(cut, "1046204_" + std::string(187, 'a') + ".md");

  // A long number leaves less room but the name still fits.
  const std::string big = article_file_name(0xFFFFFFFFFFFFull, title);
  EXPECT_LE(big.size(), kMaxFileNameBytes);
}

TEST(FileName, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(article_file_name(1, "a\xFF" "b\xE6\x96"), "1_a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD.md");
}

TEST(FileName, CorpusNamesParseToTheirNumbers) {
  SKIP_WITHOUT_SHARED();
  for (const auto& path : test::corpus_articles()) {
    const std::string name = path.filename().string();
    const auto number = parse_article_number(name);
    ASSERT_TRUE(number.has_value()) << name;
    EXPECT_TRUE(name.starts_with(std::to_string(*number))) << name;
  }
}

TEST(FileName, CorpusTitlesWithoutUnsafeCharactersKeepTheirOldNames) {
  // Where the old name holds none of the characters newsmirror replaces and
  // no leading or trailing space, the rule gives the very same name.
  SKIP_WITHOUT_SHARED();
  int compared = 0;
  for (const auto& path : test::corpus_articles()) {
    const std::string name = path.filename().string();
    const std::size_t underscore = name.find('_');
    if (underscore == std::string::npos) continue;
    const std::string title = name.substr(underscore + 1, name.size() - underscore - 4);
    if (title.find_first_of("/\\:*?\"<>|") != std::string::npos || title.front() == ' ' ||
        title.back() == ' ')
      continue;
    EXPECT_EQ(article_file_name(*parse_article_number(name), title), name);
    ++compared;
  }
  EXPECT_GT(compared, 40);
}

TEST(FileName, SiteFolderNames) {
  const struct {
    std::string_view site;
    std::string_view dir;
  } cases[] = {
      {"法广", "法广"},
      {"BBC", "BBC"},
      {"中国数字时代", "中国数字时代"},
      {"dw", "dw"},
      {"a/b", "a／b"},
      {"..", "．．"},
      {".", "．"},
      {".git", "．git"},
      {"site.", "site．"},
      {"site  ", "site"},
      {"", "_"},
      {"   ", "_"},
      {"CON", "CON_"},
      {"com1", "com1_"},
      {"lpt9.txt", "lpt9.txt_"},
      {"COM", "COM"},
      {"a:b?", "a：b？"},
  };
  for (const auto& c : cases) EXPECT_EQ(site_dir_name(c.site), c.dir) << c.site;
}

}  // namespace
}  // namespace newsmirror::archive
