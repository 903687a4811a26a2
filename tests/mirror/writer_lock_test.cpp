// One writer at a time (mirror/writer_lock.hpp): the lock itself, the
// commands that wait for it or refuse with --no-wait, and two `fetch` runs
// started together, round after round, never archiving a story twice.
#include "mirror/writer_lock.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "archive/list_page.hpp"
#include "config/config.hpp"
#include "fixtures.hpp"
#include "support/cli.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

extern char** environ;

namespace newsmirror::mirror {
namespace {

namespace fs = std::filesystem;
using test::mirror_fixtures::Item;
using test::mirror_fixtures::rss;
using test::read_file;

TEST(WriterLock, ASecondWriterIsRefusedWithTheHolderNamedUntilTheFirstLetsGo) {
  test::TempDir dir;
  EXPECT_FALSE(WriterLock::holder(dir.path())) << "nobody holds a new mirror";
  {
    auto first = WriterLock::acquire(dir.path(), "fetch", WriterLock::Wait::no);
    ASSERT_TRUE(first) << first.error().message;
    auto holder = WriterLock::holder(dir.path());
    ASSERT_TRUE(holder);
    EXPECT_EQ(holder->pid, static_cast<long>(::getpid()));
    EXPECT_EQ(holder->command, "fetch");
    EXPECT_TRUE(holder->since);

    auto second = WriterLock::acquire(dir.path(), "import", WriterLock::Wait::no);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().kind, core::ErrorKind::busy);
    EXPECT_NE(second.error().message.find("`newsmirror fetch` (pid " + std::to_string(::getpid())),
              std::string::npos)
        << second.error().message;
  }
  EXPECT_FALSE(WriterLock::holder(dir.path())) << "released when its holder goes";
  auto again = WriterLock::acquire(dir.path(), "import", WriterLock::Wait::no);
  EXPECT_TRUE(again) << again.error().message;
}

TEST(WriterLock, AWaitingWriterSaysForWhomAndGoesOnWhenTheLockIsFree) {
  test::TempDir dir;
  auto first = WriterLock::acquire(dir.path(), "run", WriterLock::Wait::no);
  ASSERT_TRUE(first);
  std::optional<LockHolder> waited_for;
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    first = core::Error(core::ErrorKind::internal, "released");  // drops the lock
  });
  const auto started = std::chrono::steady_clock::now();
  auto second = WriterLock::acquire(dir.path(), "save", WriterLock::Wait::until_free,
                                    [&](const LockHolder& holder) { waited_for = holder; });
  release.join();
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_TRUE(waited_for);
  EXPECT_EQ(waited_for->command, "run");
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(250));
  EXPECT_EQ(WriterLock::holder(dir.path())->command, "save");
}

TEST(WriterLock, TheNextWriterKnowsWhetherTheLastOneFinishedItsWork) {
  test::TempDir dir;
  const auto take = [&] {
    auto lock = WriterLock::acquire(dir.path(), "fetch", WriterLock::Wait::no);
    EXPECT_TRUE(lock) << lock.error().message;
    return lock;
  };
  EXPECT_FALSE(take()->previous_holder_finished()) << "a new lock file says nothing";
  EXPECT_FALSE(take()->previous_holder_finished()) << "its holder let go without finishing";
  {
    auto lock = take();
    lock->mark_finished();
    EXPECT_EQ(WriterLock::holder(dir.path())->command, "fetch") << "held: the file names the holder";
  }
  EXPECT_TRUE(take()->previous_holder_finished());
  EXPECT_FALSE(take()->previous_holder_finished()) << "only the holder just before counts";

  // A holder that dies after saying it finished never let go: no word.
  const pid_t child = ::fork();
  if (child == 0) {
    auto lock = WriterLock::acquire(dir.path(), "run", WriterLock::Wait::no);
    if (lock) lock->mark_finished();
    ::raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(take()->previous_holder_finished());
}

TEST(WriterLock, ALinkWhereTheLockBelongsIsRefusedAndItsTargetLeftAlone) {
  // A cloned mirror could ship .newsmirror/lock pointing at a file of the
  // user's; taking the lock must not truncate it.
  test::TempDir dir;
  fs::create_directories(dir.path() / ".newsmirror");
  const auto precious = dir.path() / "precious.txt";
  std::ofstream(precious) << "keep me";
  fs::create_symlink(precious, dir.path() / ".newsmirror" / "lock");
  auto lock = WriterLock::acquire(dir.path(), "init", WriterLock::Wait::no);
  ASSERT_FALSE(lock);
  EXPECT_NE(lock.error().message.find("symbolic link"), std::string::npos) << lock.error().message;
  EXPECT_EQ(read_file(precious), "keep me");

  test::TempDir other;
  fs::create_directory_symlink(dir.path(), other.path() / ".newsmirror");
  auto through_folder = WriterLock::acquire(other.path(), "init", WriterLock::Wait::no);
  ASSERT_FALSE(through_folder);
  EXPECT_NE(through_folder.error().message.find("symbolic link"), std::string::npos);
}

// A mirror with one source on a loopback server.
class TwoWriters : public ::testing::Test {
 protected:
  void SetUp() override {
    config::Config config = config::default_config();
    config.sources.clear();
    config::Source source;
    source.name = "法广";
    source.urls = {server_.url("/feed.xml")};
    config.sources.push_back(source);
    config.timeout = std::chrono::seconds(10);
    serve_round(0);
    ASSERT_TRUE(config::save_config(config::config_path(dir_.path()), config));
  }

  // Round r's feed: its own five stories and the five of the round before.
  void serve_round(int round) {
    std::vector<Item> items;
    for (int r = round; r >= std::max(0, round - 1); --r)
      for (int i = 4; i >= 0; --i) {
        const std::string id = std::to_string(r) + "-" + std::to_string(i);
        items.push_back({"新闻 " + id, "https://www.rfi.fr/cn/story-" + id, "", "Mon, 01 Jan 2024 10:00:00 GMT",
                         "<p>正文 " + id + "</p>"});
      }
    server_.serve_file("/feed.xml", rss(items), "application/rss+xml");
  }

  // Starts `newsmirror ARGS...` without waiting; returns its pid.
  pid_t start(const std::vector<std::string>& args) {
    std::vector<std::string> all = {test::binary().string(), "--mirror", dir_.path().string()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  static int wait_for(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
  }

  test::TempDir dir_;
  test::HttpServer server_;
};

TEST_F(TwoWriters, TwoFetchesStartedTogetherNeverArchiveAStoryTwice) {
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    serve_round(round);
    const pid_t a = start({"--quiet", "fetch"});
    const pid_t b = start({"--quiet", "fetch"});
    ASSERT_EQ(wait_for(a), 0) << "round " << round;
    ASSERT_EQ(wait_for(b), 0) << "round " << round;
  }
  // Every story once, under a number of its own, and the list names each.
  std::map<std::string, std::vector<std::string>> files_of_story;
  std::set<std::uint64_t> numbers;
  for (const auto& e : fs::directory_iterator(dir_.path() / "articles" / "法广")) {
    auto article = archive::read_article(read_file(e.path()));
    ASSERT_TRUE(article) << e.path();
    files_of_story[article->link].push_back(e.path().filename().string());
    EXPECT_TRUE(numbers.insert(*archive::parse_article_number(e.path().filename().string())).second)
        << e.path().filename();
  }
  EXPECT_EQ(files_of_story.size(), static_cast<std::size_t>(5 * kRounds));
  for (const auto& [link, files] : files_of_story) EXPECT_EQ(files.size(), 1u) << link;
  const auto list = read_file(dir_.path() / "lists" / "法广.md");
  for (const auto& [link, files] : files_of_story)
    EXPECT_NE(list.find(archive::escape_link_path(files.front())), std::string::npos) << files.front();
}

TEST_F(TwoWriters, NoWaitRefusesWithStatusFourWhileAnotherProcessWrites) {
  auto held = WriterLock::acquire(dir_.path(), "import", WriterLock::Wait::no);
  ASSERT_TRUE(held);
  test::TempDir scratch;
  auto refused = test::run_newsmirror(scratch.path(), {"--mirror", dir_.path().string(), "--no-wait", "fetch"});
  EXPECT_EQ(refused.status, 4);
  EXPECT_NE(refused.err.find("is being written by `newsmirror import`"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "articles")) << "nothing was fetched";
  // Readers do not wait.
  auto status = test::run_newsmirror(scratch.path(), {"--mirror", dir_.path().string(), "status"});
  EXPECT_EQ(status.status, 0) << status.err;
}

}  // namespace
}  // namespace newsmirror::mirror
