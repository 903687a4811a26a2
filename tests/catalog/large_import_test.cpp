// The scale, end to end through the real binary: a classic archive
// of 100,000 generated files (bench/make_catalog_archive.py, from the real
// articles of ../shared/corpus/archive, each copy varied) is imported into
// a new mirror, imported again, and searched. About 2.3 GB of temporary
// disk and half a minute of import on 2 cores.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "support/cli.hpp"
#include "support/paths.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;

constexpr int kFiles = 100000;

nlohmann::json json_of(const test::CliOutcome& outcome) {
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  return nlohmann::json::parse(outcome.out);
}

// `search --json` prints one object per result.
std::vector<nlohmann::json> results_of(const test::CliOutcome& outcome) {
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  std::vector<nlohmann::json> results;
  std::istringstream lines(outcome.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) results.push_back(nlohmann::json::parse(line));
  return results;
}

TEST(LargeArchive, HundredThousandGeneratedFilesImportOnceAndAreSearchable) {
  SKIP_WITHOUT_SHARED();
  test::TempDir root;
  const fs::path mirror = root.path() / "mirror";
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--mirror", mirror.string()});
    return test::run_newsmirror(root.path(), args);
  };
  ASSERT_EQ(test::run_newsmirror(root.path(), {"--quiet", "init", mirror.string()}).status, 0);
  const std::string generate = "python3 '" + (test::source_dir() / "bench" / "make_catalog_archive.py").string() +
                               "' '" + (test::shared_dir() / "corpus" / "archive").string() + "' '" +
                               mirror.string() + "' " + std::to_string(kFiles);
  ASSERT_EQ(std::system(generate.c_str()), 0) << generate;

  const auto first = json_of(run({"--json", "import"}));
  EXPECT_EQ(first.at("files"), kFiles);
  EXPECT_EQ(first.at("added"), kFiles);
  EXPECT_EQ(first.at("failed"), 0);
  EXPECT_EQ(first.at("made_known"), kFiles) << "every file has its own link";

  const auto again = json_of(run({"--json", "import"}));
  EXPECT_EQ(again.at("added"), 0);
  EXPECT_EQ(again.at("unchanged"), kFiles);
  EXPECT_EQ(again.at("made_known"), 0);

  // Each copy carries a marker word of its own: exactly one hit, a real file.
  const auto one = results_of(run({"--json", "search", "marker77777"}));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(fs::exists(mirror / one[0].at("file").get<std::string>())) << one[0].dump();
  EXPECT_NE(one[0].at("title").get<std::string>().find("（77777）"), std::string::npos) << one[0].dump();

  // A common word, in Traditional: a full first page, each hit holding it.
  const auto many = results_of(run({"--json", "search", "--limit", "10", "美國"}));
  ASSERT_EQ(many.size(), 10u);
  for (const auto& hit : many)
    EXPECT_NE(hit.at("snippet").get<std::string>().find("美"), std::string::npos) << hit.dump();
}

}  // namespace
}  // namespace newsmirror
