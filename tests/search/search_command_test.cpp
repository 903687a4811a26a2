// `newsmirror search` end to end: the real binary on a copy of the corpus
// archive, which `init` adopts and catalogs.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "support/cli.hpp"
#include "support/paths.hpp"
#include "support/test_mirror.hpp"

namespace newsmirror::search {
namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int status = -1;
  std::string out;
};

CommandRun run_binary(const fs::path& mirror, const std::string& arguments) {
  std::string command = "'" + ::newsmirror::test::binary().string() + "' --mirror '" + mirror.string() + "' " +
                        arguments + " 2>/dev/null";
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  run.status = pclose(pipe);
  return run;
}

TEST(SearchCommand, JsonLinesCarryTheHitAndAHighlightedSnippet) {
  SKIP_WITHOUT_SHARED();
  ::newsmirror::test::TempDir dir;
  fs::copy(::newsmirror::test::shared_dir() / "corpus/archive", dir.path(), fs::copy_options::recursive);
  ASSERT_EQ(run_binary(dir.path(), "init").status, 0);

  CommandRun found = run_binary(dir.path(), "search --json --limit 5 '臺灣'");
  ASSERT_EQ(found.status, 0) << found.out;
  std::istringstream lines(found.out);
  std::string line;
  int hits = 0;
  while (std::getline(lines, line)) {
    auto hit = nlohmann::json::parse(line);
    ++hits;
    for (const char* key : {"site", "file", "title", "link", "published", "score", "snippet"})
      EXPECT_TRUE(hit.contains(key)) << key << " in " << line;
    EXPECT_TRUE(fs::is_regular_file(dir.path() / hit["file"].get<std::string>())) << line;
    const std::string text = hit["title"].get<std::string>() + hit["snippet"].get<std::string>();
    EXPECT_NE(text.find("台湾"), std::string::npos) << line;
  }
  EXPECT_EQ(hits, 5);

  CommandRun filtered = run_binary(dir.path(), "search --json --site BBC '特朗普 -title:特朗普'");
  ASSERT_EQ(filtered.status, 0);
  std::istringstream filtered_lines(filtered.out);
  while (std::getline(filtered_lines, line)) {
    auto hit = nlohmann::json::parse(line);
    EXPECT_EQ(hit["site"], "BBC");
    EXPECT_EQ(hit["title"].get<std::string>().find("特朗普"), std::string::npos) << line;
  }
}

TEST(SearchCommand, BadInputIsAUsageErrorAndAMissingCatalogSaysSo) {
  ::newsmirror::test::TempDir dir;
  CommandRun empty_query = run_binary(dir.path(), "search '!!!'");
  EXPECT_NE(empty_query.status, 0);
  CommandRun bad_date = run_binary(dir.path(), "search x --since yesterday");
  EXPECT_EQ(WEXITSTATUS(bad_date.status), 2);
  CommandRun no_catalog = run_binary(dir.path(), "search x");
  EXPECT_NE(no_catalog.status, 0);
}

// The small catalog of support/test_mirror (Asia/Shanghai, the default zone)
// searched through the real binary.
class SearchCommandOnATestMirror : public ::testing::Test {
 protected:
  void SetUp() override { ::newsmirror::test::make_test_mirror(mirror_.path()); }
  ::newsmirror::test::CliOutcome search(std::vector<std::string> args) {
    args.insert(args.begin(), {"--mirror", mirror_.path().string(), "search"});
    return ::newsmirror::test::run_newsmirror(scratch_.path(), args);
  }
  void set_time_zone(const std::string& zone) {
    auto config = config::load_config(config::config_path(mirror_.path()));
    ASSERT_TRUE(config);
    config->timezone = zone;
    ASSERT_TRUE(config::save_config(config::config_path(mirror_.path()), *config));
  }
  ::newsmirror::test::TempDir mirror_, scratch_;
};

// Issue 13: a search that found nothing printed "0 of 0 matching articles".
TEST_F(SearchCommandOnATestMirror, NothingFoundSaysNoArticlesMatchTheQuery) {
  auto none = search({"火星殖民"});
  ASSERT_EQ(none.status, 0) << none.err;
  EXPECT_EQ(none.out, "no articles match \"火星殖民\"\n");

  auto bounded = search({"台湾", "--site", "BBC", "--since", "2030-01-01"});
  ASSERT_EQ(bounded.status, 0) << bounded.err;
  EXPECT_EQ(bounded.out, "no articles match \"台湾\" in BBC since 2030-01-01\n");

  EXPECT_EQ(search({"--quiet", "火星殖民"}).out, "") << "--quiet prints results only";
}

// Issue 13: search showed UTC dates beside list pages in the mirror's zone.
// 十月的旧闻 was published 2026-10-14 17:46:40 UTC, already the 15th in Shanghai.
TEST_F(SearchCommandOnATestMirror, ResultsShowTheirTimeInTheMirrorsZoneWithItsOffset) {
  auto found = search({"十月"});
  ASSERT_EQ(found.status, 0) << found.err;
  EXPECT_EQ(found.out.rfind("2026-10-15 01:46:40 +08:00  法广  十月的旧闻\n", 0), 0u) << found.out;
  EXPECT_NE(found.out.find("1 of 1 matching article\n"), std::string::npos) << found.out;

  set_time_zone("America/New_York");
  auto western = search({"十月"});
  EXPECT_EQ(western.out.rfind("2026-10-14 13:46:40 -04:00  法广  十月的旧闻\n", 0), 0u) << western.out;
}

TEST_F(SearchCommandOnATestMirror, SinceAndUntilNameDaysOfTheMirrorsZone) {
  // 2026-10-15 in Shanghai began at 2026-10-14 16:00 UTC: the article is on it.
  for (const char* day : {"--since", "--until"}) {
    auto on_the_day = search({"十月", day, "2026-10-15"});
    EXPECT_NE(on_the_day.out.find("十月的旧闻"), std::string::npos) << day << "\n" << on_the_day.out;
  }
  EXPECT_NE(search({"十月", "--since", "2026-10-16"}).out.find("no articles match"), std::string::npos);
  EXPECT_NE(search({"十月", "--until", "2026-10-14"}).out.find("no articles match"), std::string::npos);
}

}  // namespace
}  // namespace newsmirror::search
