// Publishing a mirror folder to git: real repositories in temp folders,
// written by libgit2 and read back with the git command line.
#include "publish/git_publisher.hpp"

#include <git2.h>
#include <gtest/gtest.h>

#include "publish/git_support.hpp"
#include "support/paths.hpp"

namespace newsmirror::publish {
namespace {

namespace fs = std::filesystem;
using namespace test::git_support;

std::string subject_of(const std::string& message) { return message.substr(0, message.find('\n')); }

class GitPublisherTest : public ::testing::Test {
 protected:
  GitPublisher open() {
    auto publisher = GitPublisher::open(dir());
    EXPECT_TRUE(publisher) << publisher.error().message;
    return std::move(*publisher);
  }
  CommitSummary commit(const std::vector<std::string>& sites = {}) {
    auto publisher = open();
    auto summary = publisher.commit_changes(sites);
    EXPECT_TRUE(summary) << summary.error().message;
    return summary ? *summary : CommitSummary{};
  }
  void article(const std::string& site, const std::string& name, const std::string& text = "x\n") {
    write(dir() / "articles" / site / name, text);
  }
  std::string tracked() { return git_line(dir(), "ls-tree -r --name-only HEAD"); }
  // A bare repository beside the mirror, added to it as `origin`.
  fs::path add_bare_origin() {
    fs::path bare = scratch_.path() / "remote.git";
    EXPECT_EQ(shell("git init -q --bare -b main " + quote(bare.string())).status, 0);
    open();  // the mirror becomes a repository first
    git_line(dir(), "remote add origin " + quote(bare.string()));
    return bare;
  }

  const fs::path& dir() const { return mirror_.path(); }
  test::TempDir mirror_;
  test::TempDir scratch_;
};

TEST_F(GitPublisherTest, MakesAPlainFolderARepositoryOnBranchMain) {
  article("BBC", "1.md");
  auto summary = commit();
  EXPECT_TRUE(fs::is_directory(dir() / ".git"));
  EXPECT_EQ(git_line(dir(), "symbolic-ref HEAD"), "refs/heads/main");
  EXPECT_EQ(summary.branch, "main");
  EXPECT_EQ(git_line(dir(), "rev-parse HEAD"), summary.commit);
}

TEST_F(GitPublisherTest, FirstCommitCountsNewArticlesPerSiteInConfigOrder) {
  article("法广", "1048575_甲.md");
  article("法广", "1048574_乙.md");
  article("BBC", "1048573.md");
  write(dir() / "lists" / "法广.md", "法广\n------\n\n");
  write(dir() / "README.md", "抓取新闻媒体文章\n------\n\n");
  auto summary = commit({"法广", "BBC"});
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(summary.added, 3u);
  EXPECT_EQ(summary.changed, 0u);
  EXPECT_EQ(summary.other_files, 3u);  // list page, README, .gitignore
  EXPECT_EQ(subject_of(summary.message), "newsmirror: 3 new, 0 changed — 法广 +2, BBC +1");
  EXPECT_EQ(git_line(dir(), "log -1 --format=%s"), subject_of(summary.message));
  EXPECT_EQ(git_line(dir(), "log -1 --format=%b"), "法广: 2 new\nBBC: 1 new\nother files: 3");
  EXPECT_EQ(git_line(dir(), "-c core.quotepath=off ls-tree -r --name-only HEAD"),
            ".gitignore\nREADME.md\narticles/BBC/1048573.md\narticles/法广/1048574_乙.md\n"
            "articles/法广/1048575_甲.md\nlists/法广.md");
}

TEST_F(GitPublisherTest, LaterCommitCountsOnlyWhatItChanges) {
  article("法广", "1.md", "old\n");
  article("BBC", "2.md");
  auto first = commit({"法广", "BBC"});
  article("法广", "1.md", "new\n");
  article("BBC", "3.md");
  article("BBC", "4.md");
  auto second = commit({"法广", "BBC"});
  ASSERT_TRUE(second.committed);
  EXPECT_EQ(subject_of(second.message), "newsmirror: 2 new, 1 changed — 法广 ~1, BBC +2");
  EXPECT_EQ(git_line(dir(), "rev-parse HEAD~1"), first.commit);
  EXPECT_EQ(git_line(dir(), "status --porcelain"), "");
}

TEST_F(GitPublisherTest, NothingChangedMakesNoCommit) {
  article("BBC", "1.md");
  auto first = commit();
  auto second = commit();
  EXPECT_FALSE(second.committed);
  EXPECT_EQ(second.commit, "");
  EXPECT_EQ(git_line(dir(), "rev-parse HEAD"), first.commit);
  EXPECT_EQ(git_line(dir(), "rev-list --count HEAD"), "1");
}

TEST_F(GitPublisherTest, DeletionsAreCommitted) {
  article("BBC", "1.md");
  article("BBC", "2.md");
  commit();
  fs::remove(dir() / "articles" / "BBC" / "1.md");
  auto summary = commit();
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(subject_of(summary.message), "newsmirror: 0 new, 0 changed, 1 removed — BBC -1");
  EXPECT_EQ(tracked(), ".gitignore\narticles/BBC/2.md");
}

TEST_F(GitPublisherTest, PrivateStateAndTempFilesAreNeverCommitted) {
  write(dir() / ".gitignore", "node_modules/");  // a hand-written one, no final newline
  write(dir() / ".newsmirror" / "state.db", "state");
  write(dir() / ".newsmirror" / "pending-articles.json", "{}");
  article("BBC", ".1048575_x.md.tmp-123-4");
  write(dir() / "lists" / ".BBC.md.tmp-99-1", "half a list");
  article("BBC", "1048575_x.md");
  auto summary = commit();
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(tracked(), ".gitignore\narticles/BBC/1048575_x.md");
  EXPECT_EQ(summary.added, 1u);
  auto ignore = read(dir() / ".gitignore");
  EXPECT_TRUE(ignore.starts_with("node_modules/\n")) << ignore;
  EXPECT_NE(ignore.find("\n/.newsmirror/\n"), std::string::npos) << ignore;
  EXPECT_NE(ignore.find("\n.*.tmp-*\n"), std::string::npos) << ignore;
  // The lines are added once, not on every commit.
  article("BBC", "1048574_y.md");
  commit();
  EXPECT_EQ(read(dir() / ".gitignore"), ignore);
}

TEST_F(GitPublisherTest, PrivateStateAnOlderSetupCommittedIsDroppedAndStaysOut) {
  // Forced past any ignore rule, as a careless `git add -f .` would.
  write(dir() / ".newsmirror" / "state.db", "state");
  article("BBC", "1.md");
  git_line(dir(), "init -q -b main");
  git_line(dir(), "add -f .newsmirror articles");
  git_line(dir(), "commit -q -m old");
  write(dir() / ".newsmirror" / "state.db", "state, later");
  article("BBC", "2.md");
  auto summary = commit();
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(tracked(), ".gitignore\narticles/BBC/1.md\narticles/BBC/2.md");
  EXPECT_TRUE(fs::exists(dir() / ".newsmirror" / "state.db"));  // dropped from git only
}

TEST_F(GitPublisherTest, AnExistingCloneKeepsItsBranchAndAuthor) {
  git_line(dir(), "init -q -b trunk");
  git_line(dir(), "config user.name 'Mirror Operator'");
  git_line(dir(), "config user.email ops@example.org");
  article("BBC", "1.md");
  auto summary = commit();
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(summary.branch, "trunk");
  EXPECT_EQ(git_line(dir(), "rev-parse refs/heads/trunk"), summary.commit);
  EXPECT_EQ(git_line(dir(), "log -1 --format='%an <%ae>|%cn <%ce>'"),
            "Mirror Operator <ops@example.org>|Mirror Operator <ops@example.org>");
}

TEST_F(GitPublisherTest, WithoutAGitIdentityTheCommitIsByNewsmirror) {
  // Point libgit2's global, XDG and system config at an empty folder, so
  // that whatever the machine's ~/.gitconfig says does not count.
  test::TempDir empty_home;
  git_libgit2_init();
  for (int level : {GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL})
    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, empty_home.path().c_str());
  article("BBC", "1.md");
  auto summary = commit();
  for (int level : {GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL})
    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, nullptr);
  git_libgit2_shutdown();
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(git_line(dir(), "log -1 --format='%an <%ae>'"), "newsmirror <newsmirror@localhost>");
}

TEST_F(GitPublisherTest, ARepositoryAboveTheMirrorIsNotUsed) {
  git_line(dir(), "init -q -b main");
  fs::path inner = dir() / "mirror";
  write(inner / "articles" / "BBC" / "1.md", "x\n");
  auto publisher = GitPublisher::open(inner);
  ASSERT_TRUE(publisher) << publisher.error().message;
  ASSERT_TRUE(publisher->commit_changes());
  EXPECT_TRUE(fs::is_directory(inner / ".git"));
  EXPECT_NE(git(dir(), "rev-parse HEAD").status, 0);  // the outer one has no commit
}

TEST_F(GitPublisherTest, PushUpdatesTheRemoteBranchToTheLocalCommit) {
  auto bare = add_bare_origin();
  article("BBC", "1.md");
  auto publisher = open();
  auto summary = publisher.commit_changes();
  ASSERT_TRUE(summary) << summary.error().message;
  auto pushed = publisher.push({});
  ASSERT_TRUE(pushed) << pushed.error().message;
  EXPECT_EQ(pushed->branch, "main");
  EXPECT_EQ(pushed->remote, "origin");
  EXPECT_EQ(git_line(bare, "rev-parse refs/heads/main"), summary->commit);

  // A second commit fast-forwards the remote.
  article("BBC", "2.md");
  auto second = publisher.commit_changes();
  ASSERT_TRUE(second && second->committed);
  ASSERT_TRUE(publisher.push({}));
  EXPECT_EQ(git_line(bare, "rev-parse refs/heads/main"), second->commit);
}

TEST_F(GitPublisherTest, PushToAFileUrlNamedByRemote) {
  fs::path bare = scratch_.path() / "mirror-copy.git";
  ASSERT_EQ(shell("git init -q --bare -b main " + quote(bare.string())).status, 0);
  open();
  git_line(dir(), "remote add public file://" + quote(bare.string()));
  article("BBC", "1.md");
  auto publisher = open();
  auto summary = publisher.commit_changes();
  ASSERT_TRUE(summary);
  PushOptions options;
  options.remote = "public";
  auto pushed = publisher.push(options);
  ASSERT_TRUE(pushed) << pushed.error().message;
  EXPECT_EQ(git_line(bare, "rev-parse refs/heads/main"), summary->commit);
}

// A fresh `git init --bare` names `master`: after the first push its HEAD
// names the mirror's branch, so a clone checks it out.
TEST_F(GitPublisherTest, TheFirstPushToAnEmptyBareRepositoryMakesItsBranchTheDefault) {
  for (std::string scheme : {"", "file://"}) {
    test::TempDir remotes;
    fs::path bare = remotes.path() / "empty.git";
    ASSERT_EQ(shell("git init -q --bare -b master " + quote(bare.string())).status, 0);
    test::TempDir mirror;
    auto publisher = GitPublisher::open(mirror.path());
    ASSERT_TRUE(publisher);
    git_line(mirror.path(), "remote add origin " + quote(scheme + bare.string()));
    write(mirror.path() / "README.md", "index\n");
    ASSERT_TRUE(publisher->commit_changes());
    auto pushed = publisher->push({});
    ASSERT_TRUE(pushed) << scheme << pushed.error().message;
    EXPECT_EQ(git_line(bare, "symbolic-ref HEAD"), "refs/heads/main") << scheme;
  }
}

// Someone's repository with branches keeps its default: only an empty one
// has no default worth keeping.
TEST_F(GitPublisherTest, ARemoteThatHasBranchesKeepsItsHead) {
  fs::path bare = scratch_.path() / "used.git";
  ASSERT_EQ(shell("git init -q --bare -b master " + quote(bare.string())).status, 0);
  test::TempDir other;
  git_line(other.path(), "init -q -b master");
  write(other.path() / "NOTE.md", "theirs\n");
  git_line(other.path(), "add NOTE.md");
  git_line(other.path(), "commit -q -m theirs");
  git_line(other.path(), "push -q " + quote(bare.string()) + " master");

  auto publisher = open();
  git_line(dir(), "remote add origin " + quote(bare.string()));
  article("BBC", "1.md");
  ASSERT_TRUE(publisher.commit_changes());
  ASSERT_TRUE(publisher.push({}));
  EXPECT_EQ(git_line(bare, "symbolic-ref HEAD"), "refs/heads/master");
  EXPECT_EQ(git_line(bare, "rev-parse refs/heads/main"), git_line(dir(), "rev-parse HEAD"));
}

TEST_F(GitPublisherTest, APushTheRemoteCannotFastForwardIsRejectedNotForced) {
  auto bare = add_bare_origin();
  // Someone else pushed first: the remote has a commit the mirror lacks.
  test::TempDir other;
  git_line(other.path(), "init -q -b main");
  write(other.path() / "NOTE.md", "theirs\n");
  git_line(other.path(), "add NOTE.md");
  git_line(other.path(), "commit -q -m theirs");
  git_line(other.path(), "push -q " + quote(bare.string()) + " main");
  const std::string theirs = git_line(bare, "rev-parse refs/heads/main");

  article("BBC", "1.md");
  auto publisher = open();
  ASSERT_TRUE(publisher.commit_changes());
  auto pushed = publisher.push({});
  ASSERT_FALSE(pushed);
  EXPECT_NE(pushed.error().message.find("push to origin"), std::string::npos) << pushed.error().message;
  EXPECT_NE(pushed.error().message.find("not a fast-forward"), std::string::npos) << pushed.error().message;
  EXPECT_EQ(git_line(bare, "rev-parse refs/heads/main"), theirs);
}

TEST_F(GitPublisherTest, PushToAnUnknownRemoteIsAUsageError) {
  article("BBC", "1.md");
  auto publisher = open();
  ASSERT_TRUE(publisher.commit_changes());
  PushOptions options;
  options.remote = "nowhere";
  auto pushed = publisher.push(options);
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().kind, core::ErrorKind::usage);
  EXPECT_NE(pushed.error().message.find("no git remote named \"nowhere\""), std::string::npos)
      << pushed.error().message;
}

TEST_F(GitPublisherTest, PushBeforeAnyCommitSaysSo) {
  add_bare_origin();
  auto pushed = open().push({});
  ASSERT_FALSE(pushed);
  EXPECT_NE(pushed.error().message.find("has no commit yet"), std::string::npos) << pushed.error().message;
}

TEST_F(GitPublisherTest, AMissingMirrorFolderIsAUsageError) {
  auto publisher = GitPublisher::open(dir() / "absent");
  ASSERT_FALSE(publisher);
  EXPECT_EQ(publisher.error().kind, core::ErrorKind::usage);
  EXPECT_NE(publisher.error().message.find("absent"), std::string::npos);
}

// The message, from the changed paths alone.

TEST(GitCommitMessage, OnlyFilesRightInsideASiteFolderAreArticles) {
  CommitSummary summary;
  count_changes({{"articles/BBC/1.md", ChangeKind::added},
                 {"articles/BBC/img/a.md", ChangeKind::added},
                 {"articles/BBC/cover.jpg", ChangeKind::added},
                 {"articles/README.md", ChangeKind::added},
                 {"assets/BBC/ab.jpg", ChangeKind::added},
                 {"lists/BBC.md", ChangeKind::modified}},
                {}, summary);
  EXPECT_EQ(summary.added, 1u);
  EXPECT_EQ(summary.other_files, 5u);
  EXPECT_EQ(subject_of(commit_message(summary)), "newsmirror: 1 new, 0 changed — BBC +1");
}

TEST(GitCommitMessage, NamesSitesAsConfiguredAndUnknownFoldersByName) {
  CommitSummary summary;
  // "VOA/中文" is kept in the folder "VOA／中文" (no '/' in a folder name).
  count_changes({{"articles/zz/1.md", ChangeKind::added},
                 {"articles/VOA／中文/2.md", ChangeKind::added},
                 {"articles/aa/3.md", ChangeKind::modified}},
                {"VOA/中文", "unused"}, summary);
  ASSERT_EQ(summary.per_site.size(), 3u);
  EXPECT_EQ(subject_of(commit_message(summary)), "newsmirror: 2 new, 1 changed — VOA/中文 +1, aa ~1, zz +1");
}

TEST(GitCommitMessage, ManySitesAreSummedUpInTheSubjectAndListedInTheBody) {
  CommitSummary summary;
  std::vector<PathChange> changes;
  for (char site = 'a'; site <= 'h'; ++site) changes.push_back({std::string("articles/") + site + "/1.md", ChangeKind::added});
  count_changes(changes, {}, summary);
  auto message = commit_message(summary);
  EXPECT_EQ(subject_of(message), "newsmirror: 8 new, 0 changed — a +1, b +1, c +1, d +1, e +1, f +1, … (2 more)");
  EXPECT_NE(message.find("\n\na: 1 new\n"), std::string::npos);
  EXPECT_NE(message.find("\nh: 1 new\n"), std::string::npos);
}

TEST(GitCommitMessage, NoArticleChangesCountsTheOtherFiles) {
  CommitSummary summary;
  count_changes({{"README.md", ChangeKind::modified}, {"newsmirror.toml", ChangeKind::modified}}, {}, summary);
  EXPECT_EQ(commit_message(summary), "newsmirror: 0 new, 0 changed (2 other files)\n");
}

TEST(GitCommitMessage, OnlyTheMirrorsOwnPathsArePublished) {
  for (auto path : {"README.md", ".gitignore", "articles/BBC/1_x.md", "articles/.newsmirror/1.md", "lists/法广.md",
                    "assets/ab/abcdef.png"})
    EXPECT_TRUE(is_published_path(path)) << path;
  for (auto path : {".newsmirror", ".newsmirror/state.db", "articles/BBC/.1_x.md.tmp-12-3", ".README.md.tmp-1-0",
                    "newsmirror.toml", ".env", "notes.txt", "secrets/key.pem", "articles", "README.md.bak",
                    "lists/.法广.md.tmp-1-2"})
    EXPECT_FALSE(is_published_path(path)) << path;
}

TEST_F(GitPublisherTest, TheConfigurationAndStrayFilesAreNeverCommittedAndAnOlderCommitsCopyIsDropped) {
  write(dir() / "newsmirror.toml", "proxy = \"http://operator:hunter2@proxy.example:3128\"\n");
  write(dir() / ".env", "TOKEN=secret\n");
  write(dir() / "private" / "notes.txt", "notes");
  article("BBC", "1.md");
  // An older release committed the configuration.
  git_line(dir(), "init -q -b main");
  git_line(dir(), "add -f newsmirror.toml articles");
  git_line(dir(), "commit -q -m old");
  article("BBC", "2.md");
  auto summary = commit();
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(tracked(), ".gitignore\narticles/BBC/1.md\narticles/BBC/2.md");
  EXPECT_TRUE(fs::exists(dir() / "newsmirror.toml"));  // dropped from git only
}

}  // namespace
}  // namespace newsmirror::publish
