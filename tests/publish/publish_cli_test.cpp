// End-to-end: the real newsmirror binary fetching from a loopback server,
// then `publish --git` and `run --publish` committing the mirror and pushing
// it to a local bare repository.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "publish/git_support.hpp"
#include "support/feeds.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;
using namespace test::git_support;

using test::feed_with;

class PublishCli : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.serve_file("/good.xml", feed_with(2, "好"), "application/rss+xml");
    server_.serve_file("/other.xml", feed_with(3, "他"), "application/rss+xml");
    config::Config config;
    config.sources.clear();
    config.timeout = std::chrono::seconds(2);
    config.connect_timeout = std::chrono::seconds(2);
    for (auto [name, path] : {std::pair{"好站", "/good.xml"}, std::pair{"他站", "/other.xml"}}) {
      config::Source source;
      source.name = name;
      source.urls = {server_.url(path)};
      config.sources.push_back(std::move(source));
    }
    auto saved = config::save_config(config::config_path(dir()), config);
    ASSERT_TRUE(saved) << saved.error().message;
  }

  struct Outcome {
    int status = -1;
    std::string out;
    std::string err;
  };
  // `newsmirror --mirror DIR ARGS`, stdout and stderr kept apart.
  Outcome run(const std::string& args) {
    fs::path out = scratch_.path() / "out.txt", err = scratch_.path() / "err.txt";
    auto result = shell(quote(test::binary().string()) + " --mirror " + quote(dir().string()) + " " +
                        args + " </dev/null >" + quote(out.string()) + " 2>" + quote(err.string()));
    return {result.status, read(out), read(err)};
  }
  fs::path add_bare_origin() {
    fs::path bare = scratch_.path() / "remote.git";
    EXPECT_EQ(shell("git init -q --bare -b main " + quote(bare.string())).status, 0);
    git_line(dir(), "init -q -b main");
    git_line(dir(), "remote add origin " + quote(bare.string()));
    return bare;
  }

  const fs::path& dir() const { return mirror_.path(); }
  test::HttpServer server_;
  test::TempDir mirror_;
  test::TempDir scratch_;
};

TEST_F(PublishCli, WithoutGitSaysThatGitIsRequired) {
  auto result = run("publish");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find("--git is required"), std::string::npos) << result.err;
}

TEST_F(PublishCli, JsonSummarizesTheCommitThenReportsNothingToCommit) {
  ASSERT_EQ(run("fetch").status, 0);
  auto first = run("--json publish --git");
  ASSERT_EQ(first.status, 0) << first.err;
  auto json = nlohmann::json::parse(first.out);
  EXPECT_TRUE(json["committed"]);
  EXPECT_EQ(json["commit"], git_line(dir(), "rev-parse HEAD"));
  EXPECT_EQ(json["new"], 5);
  EXPECT_EQ(json["changed"], 0);
  EXPECT_FALSE(json["pushed"]);
  ASSERT_EQ(json["per_site"].size(), 2u);
  EXPECT_EQ(json["per_site"][0]["site"], "好站");
  EXPECT_EQ(json["per_site"][0]["new"], 2);
  EXPECT_EQ(json["per_site"][1]["site"], "他站");
  EXPECT_EQ(json["per_site"][1]["new"], 3);
  EXPECT_EQ(git_line(dir(), "log -1 --format=%s"), "newsmirror: 5 new, 0 changed — 好站 +2, 他站 +3");
  EXPECT_EQ(git(dir(), "ls-files --error-unmatch .newsmirror").status, 1);  // never tracked

  auto second = run("--json publish --git");
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_FALSE(nlohmann::json::parse(second.out)["committed"]);
  EXPECT_EQ(git_line(dir(), "rev-list --count HEAD"), "1");
}

TEST_F(PublishCli, PrintsTheCommitAndThePushForPeopleAndNothingWhenQuiet) {
  auto bare = add_bare_origin();
  ASSERT_EQ(run("fetch").status, 0);
  auto result = run("publish --git --push");
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("committed " + git_line(dir(), "rev-parse --short=12 HEAD") +
                            " on main: newsmirror: 5 new"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("pushed main to origin"), std::string::npos) << result.out;
  EXPECT_EQ(git_line(bare, "rev-parse main"), git_line(dir(), "rev-parse HEAD"));

  auto quiet = run("--quiet publish --git");
  EXPECT_EQ(quiet.status, 0);
  EXPECT_EQ(quiet.out, "");
}

// Issue 13: `git init --bare` names `master` in HEAD; publish --push sent
// `main`, and a clone of the remote checked out nothing.
TEST_F(PublishCli, AFreshBareRemoteClonesToTheMirrorAfterPublishPush) {
  fs::path bare = scratch_.path() / "fresh.git";
  // -b master: what `git init --bare` gives without an init.defaultBranch.
  ASSERT_EQ(shell("git init -q --bare -b master " + quote(bare.string())).status, 0);
  git_line(dir(), "init -q -b main");
  git_line(dir(), "remote add origin " + quote(bare.string()));
  ASSERT_EQ(run("fetch").status, 0);
  auto result = run("publish --git --push");
  ASSERT_EQ(result.status, 0) << result.err;

  fs::path clone = scratch_.path() / "clone";
  auto cloned = shell("git clone -q " + quote(bare.string()) + " " + quote(clone.string()));
  ASSERT_EQ(cloned.status, 0) << cloned.out;
  EXPECT_EQ(cloned.out.find("warning"), std::string::npos) << cloned.out;
  EXPECT_TRUE(fs::is_regular_file(clone / "README.md")) << "the clone checked out nothing";
  EXPECT_TRUE(fs::is_regular_file(clone / "lists" / "好站.md"));
  EXPECT_EQ(git_line(clone, "rev-parse HEAD"), git_line(dir(), "rev-parse HEAD"));
  EXPECT_EQ(git_line(bare, "symbolic-ref HEAD"), "refs/heads/main");
}

// The README's cron line, run as cron would (by /bin/sh, from the mirror
// folder): when one feed dies (fetch exits 3), the others are still
// committed and pushed, cycle after cycle.
TEST_F(PublishCli, TheReadmesCronLineGoesOnPublishingWhenAFeedDies) {
  std::string recipe;
  {
    std::ifstream readme(test::source_dir() / "README.md");
    for (std::string line; std::getline(readme, line);)
      if (line.find("* * * *") != std::string::npos && line.find("newsmirror") != std::string::npos) recipe = line;
  }
  ASSERT_FALSE(recipe.empty()) << "README.md has no cron line";
  const auto command_start = recipe.find("cd /srv/news && ");
  ASSERT_NE(command_start, std::string::npos) << recipe;
  std::string command = recipe.substr(command_start + std::string("cd /srv/news && ").size());

  auto bare = add_bare_origin();
  auto config = config::load_config(config::config_path(dir()));
  ASSERT_TRUE(config);
  config::Source dead;
  dead.name = "死站";
  dead.urls = {server_.url("/gone.xml")};  // 404
  config->sources.push_back(dead);
  ASSERT_TRUE(config::save_config(config::config_path(dir()), *config));
  const std::string path = "PATH=" + quote(test::binary().parent_path().string()) + ":\"$PATH\" ";
  auto cron = [&] { return shell("cd " + quote(dir().string()) + " && " + path + "sh -c " + quote(command)); };

  auto first = cron();
  EXPECT_EQ(first.status, 0) << first.out;
  EXPECT_EQ(git_line(bare, "rev-list --count main"), "1") << "the healthy feeds were published";

  server_.serve_file("/good.xml", feed_with(4, "好"), "application/rss+xml");
  auto second = cron();
  EXPECT_EQ(second.status, 0) << second.out;
  EXPECT_EQ(git_line(bare, "rev-list --count main"), "2") << "and again, with the dead feed still dead";
  EXPECT_EQ(git_line(dir(), "status --porcelain"), "") << "everything archived was committed";
}

TEST_F(PublishCli, AFailedPushExitsOneAndKeepsTheCommit) {
  git_line(dir(), "init -q -b main");
  git_line(dir(), "remote add origin " + quote((scratch_.path() / "no-such-repo.git").string()));
  ASSERT_EQ(run("fetch").status, 0);
  auto result = run("--json publish --git --push");
  EXPECT_EQ(result.status, 1);
  auto json = nlohmann::json::parse(result.out);
  EXPECT_TRUE(json["committed"]);
  EXPECT_FALSE(json["pushed"]);
  auto message = json["error"]["message"].get<std::string>();
  EXPECT_NE(message.find("push to origin"), std::string::npos) << message;
  EXPECT_NE(message.find("no-such-repo.git does not exist"), std::string::npos) << message;
  EXPECT_NE(result.err.find("push to origin"), std::string::npos) << result.err;
}

TEST_F(PublishCli, RunPublishCommitsAndPushesOnceAfterACycleThatArchived) {
  auto bare = add_bare_origin();
  auto result = run("run --publish --push --cycles 1");
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(git_line(dir(), "rev-list --count HEAD"), "1");
  EXPECT_EQ(git_line(dir(), "log -1 --format=%s"), "newsmirror: 5 new, 0 changed — 好站 +2, 他站 +3");
  EXPECT_EQ(git_line(bare, "rev-parse main"), git_line(dir(), "rev-parse HEAD"));
  EXPECT_EQ(git_line(dir(), "status --porcelain --ignored=no"), "");
}

TEST_F(PublishCli, RunPublishWithNothingNewMakesNoCommit) {
  server_.serve_file("/good.xml", feed_with(0, "好"), "application/rss+xml");
  server_.serve_file("/other.xml", feed_with(0, "他"), "application/rss+xml");
  auto result = run("run --publish --cycles 1");
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(git(dir(), "rev-parse HEAD").status, 0);  // no commit at all
}

TEST_F(PublishCli, RunPublishFailureIsLoggedAndTheCycleStillCounts) {
  git_line(dir(), "init -q -b main");  // no remote named origin
  auto result = run("run --publish --push --cycles 1");
  EXPECT_EQ(result.status, 3) << result.err;
  EXPECT_NE(result.err.find("publish: no git remote named \"origin\""), std::string::npos) << result.err;
  EXPECT_EQ(git_line(dir(), "rev-list --count HEAD"), "1");  // the commit was made
  EXPECT_TRUE(fs::exists(dir() / "lists" / "好站.md"));
}

TEST_F(PublishCli, RunPushNeedsPublish) {
  auto result = run("run --push --cycles 1");
  EXPECT_EQ(result.status, 2);
}

}  // namespace
}  // namespace newsmirror
