#include "archive/readme_page.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "corpus.hpp"

namespace newsmirror::archive {
namespace {

TEST(ReadmePage, ListsSitesWithCountAndNewestTimeInUtcPlus8) {
  using namespace std::chrono;
  const std::vector<SiteSummary> sites{
      // 2020-10-13 14:38:42 UTC is 22:38 in UTC+8.
      {"纽约时报", 1234, core::TimePoint(sys_days(year{2020} / 10 / 13) + hours(14) + minutes(38) +
                                         seconds(42))},
      {"自由 亚洲", 0, std::nullopt},
  };
  EXPECT_EQ(render_readme(sites),
            "抓取新闻媒体文章\n"
            "------\n"
            "\n"
            "[纽约时报](lists/纽约时报.md)\n"
            "共 1234 篇，最新 2020-10-13 22:38 (UTC+8)\n"
            "\n"
            "[自由 亚洲](lists/自由%20亚洲.md)\n"
            "共 0 篇\n"
            "\n"
            "鸣谢\n"
            "------\n"
            "\n"
            "https://feedx.net/\n"
            "\n"
            "如果本项目对你有帮助，请考虑捐赠feedx，谢谢！\n"
            "\n"
            "友情链接\n"
            "------\n"
            "\n"
            "公益社会类项目汇总： https://github.com/NodeBE4/impact/\n");
}

TEST(ReadmePage, NewestTimeRollsOverToTheNextDayInUtcPlus8) {
  using namespace std::chrono;
  const std::vector<SiteSummary> sites{
      {"BBC", 1, core::TimePoint(sys_days(year{2020} / 12 / 31) + hours(16) + minutes(5))}};
  EXPECT_NE(render_readme(sites).find("共 1 篇，最新 2021-01-01 00:05 (UTC+8)\n"), std::string::npos);
}

TEST(ReadmePage, SiteLinkUsesTheSanitizedFolderName) {
  const std::vector<SiteSummary> sites{{"a/b", 2, std::nullopt}};
  EXPECT_NE(render_readme(sites).find("[a/b](lists/a／b.md)\n"), std::string::npos);
}

TEST(ReadmePage, ReadsTheSitesOfTheRealReadmeInItsOrder) {
  SKIP_WITHOUT_SHARED();
  EXPECT_EQ(parse_readme_sites(test::read_bytes(test::corpus_dir() / "README.md")),
            (std::vector<std::string>{"纽约时报", "美国之音", "BBC", "法广", "德国之声", "中国数字时代", "自由亚洲电台"}));
}

TEST(ReadmePage, ReadsBackTheSitesItWrites) {
  EXPECT_EQ(parse_readme_sites(render_readme({{"纽约时报", 3, std::nullopt}, {"自由 亚洲", 0, std::nullopt}})),
            (std::vector<std::string>{"纽约时报", "自由 亚洲"}));
}

}  // namespace
}  // namespace newsmirror::archive
