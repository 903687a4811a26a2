// End-to-end: the real newsmirror binary running `fetch`, `run` and
// `status` on a real mirror folder whose sources live on a loopback server.
// What is checked is what an operator or a CI job relies on: exit statuses,
// the table and JSON output, the health record, and a clean stop on SIGTERM.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "config/config.hpp"
#include "core/result.hpp"
#include "support/feeds.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::HttpServer;

constexpr const char* kRss = "application/rss+xml";

using ::newsmirror::test::read_file;

using test::feed_with;

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

// Starts `newsmirror ARGS...` with stdout and stderr going to files in
// `scratch` and stdin from /dev/null; returns its pid.
pid_t spawn(const fs::path& scratch, const std::vector<std::string>& args) {
  auto out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  std::vector<std::string> argv_strings = {test::binary().string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  if (pid == 0) {
    int in_fd = ::open("/dev/null", O_RDONLY);
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> argv;
    for (auto& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits up to `limit` for `pid`; -1 (and the process killed) when it did
// not exit in time, -2 when it died of a signal.
int wait_for(pid_t pid, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  int raw = 0;
  while (::waitpid(pid, &raw, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &raw, 0);
      return -1;
    }
    std::this_thread::sleep_for(20ms);
  }
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -2;
}

class CliMirror : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = config::Config{};
    config_.sources.clear();
    config_.timeout = std::chrono::seconds(2);
    config_.connect_timeout = std::chrono::seconds(2);
    server_.serve_file("/good.xml", feed_with(2, "好"), kRss);
    server_.serve_file("/other.xml", feed_with(3, "他"), kRss);
  }

  void add_source(std::string name, std::string url) {
    config::Source source;
    source.name = std::move(name);
    source.urls = {std::move(url)};
    config_.sources.push_back(std::move(source));
  }
  void save() {
    auto saved = config::save_config(config::config_path(mirror_.path()), config_);
    ASSERT_TRUE(saved) << saved.error().message;
  }

  // Runs `newsmirror --mirror DIR ARGS...` to completion (30 s at most).
  Outcome run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--mirror", mirror_.path().string()});
    return run_raw(args);
  }
  Outcome run_raw(const std::vector<std::string>& args) {
    Outcome outcome;
    outcome.status = wait_for(spawn(scratch_.path(), args), 30s);
    outcome.out = read_file(scratch_.path() / "stdout.txt");
    outcome.err = read_file(scratch_.path() / "stderr.txt");
    return outcome;
  }

  std::size_t archived(const std::string& site) {
    std::size_t count = 0;
    std::error_code ec;
    for (auto& entry : fs::directory_iterator(mirror_.path() / "articles" / site, ec))
      count += entry.path().extension() == ".md";
    return count;
  }

  HttpServer server_;
  test::TempDir scratch_;  // captured output
  test::TempDir mirror_;
  config::Config config_;
};

// One suite per command, so that `--gtest_filter=FetchCommand*` and the like
// pick each command's tests.
class FetchCommand : public CliMirror {};
class RunCommand : public CliMirror {};
class StatusCommand : public CliMirror {};
class CliHelp : public CliMirror {};
class SourcesAdd : public CliMirror {};

// A site's home page: HTML whose <head> announces its feeds, one of them
// relative to the page.
std::string home_page_linking(const std::string& rss_href, const std::string& atom_href) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>好站</title>"
         "<link rel=\"stylesheet\" href=\"/style.css\">"
         "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"全部文章\" href=\"" + rss_href + "\">"
         "<link rel=\"Alternate\" type=\"application/atom+xml; charset=utf-8\" href=\"" + atom_href + "\">"
         "<link rel=\"alternate\" hreflang=\"en\" href=\"/en/\">"
         "</head><body><p>新闻</p></body></html>";
}

// --- fetch ---

TEST_F(FetchCommand, ExitsZeroWhenEverySourceSucceeds) {
  add_source("好站", server_.url("/good.xml"));
  add_source("他站", server_.url("/other.xml"));
  save();
  auto fetch = run({"fetch"});
  EXPECT_EQ(fetch.status, 0) << fetch.out << fetch.err;
  EXPECT_NE(fetch.out.find("好站"), std::string::npos) << fetch.out;
  EXPECT_NE(fetch.out.find("5 new article(s) from 2 source(s)"), std::string::npos) << fetch.out;
  EXPECT_EQ(archived("好站"), 2u);
  EXPECT_EQ(archived("他站"), 3u);
  EXPECT_TRUE(fs::exists(mirror_.path() / "README.md"));
}

// Looking for temp files means walking every file of the mirror, which at a
// million articles costs more than a small cycle: a fetch does it only when
// the writer before it did not finish (it died, or was another command).
TEST_F(FetchCommand, LooksForDeadWritersTempFilesOnlyAfterAWriterThatDidNotFinish) {
  add_source("好站", server_.url("/good.xml"));
  save();
  // pid 4194305 is above Linux's largest pid_max: no such process.
  const auto plant = [&](const std::string& name) {
    const auto path = mirror_.path() / "articles" / "好站" / name;
    std::ofstream(path) << "half an article";
    return path;
  };
  ASSERT_EQ(run({"--quiet", "fetch"}).status, 0);
  const auto after_finished = plant(".1048574_x.md.tmp-4194305-0");
  ASSERT_EQ(run({"--quiet", "fetch"}).status, 0);
  EXPECT_TRUE(fs::exists(after_finished)) << "the fetch before finished: no walk of the archive";

  // A writer that died holding the lock left its name in the lock file.
  std::ofstream(mirror_.path() / ".newsmirror" / "lock", std::ios::trunc) << "4194305 1796000000000 fetch\n";
  ASSERT_EQ(run({"--quiet", "fetch"}).status, 0);
  EXPECT_FALSE(fs::exists(after_finished)) << "a dead writer's temp file is removed";
  EXPECT_EQ(archived("好站"), 2u);
}

// A classic mirror brought in by `init` or `import DIR`: the feed still
// carries its articles, and the next fetch must take them as known, not
// archive them a second time under new numbers.
class AdoptedArticles : public CliMirror {
 protected:
  // A classic site folder: what a first fetch of /good.xml wrote.
  fs::path classic_site() {
    add_source("好站", server_.url("/good.xml"));
    save();
    EXPECT_EQ(run({"--quiet", "fetch"}).status, 0);
    return mirror_.path() / "articles" / "好站";
  }
  std::size_t files_in(const fs::path& folder) {
    std::size_t count = 0;
    for (auto& entry : fs::directory_iterator(folder)) count += entry.path().extension() == ".md";
    return count;
  }
  Outcome in(const fs::path& mirror, std::vector<std::string> args) {
    args.insert(args.begin(), {"--mirror", mirror.string()});
    return run_raw(args);
  }
  test::TempDir other_;
};

TEST_F(AdoptedArticles, InitAdoptionMakesThemKnownSoTheFeedAddsNothing) {
  const fs::path adopted = other_.path() / "adopted";
  const fs::path site = classic_site();
  fs::create_directories(adopted / "articles");
  fs::copy(site, adopted / "articles" / "好站", fs::copy_options::recursive);
  ASSERT_EQ(run_raw({"--quiet", "init", adopted.string()}).status, 0);
  ASSERT_TRUE(config::save_config(config::config_path(adopted), config_));
  auto fetch = in(adopted, {"--json", "fetch"});
  ASSERT_EQ(fetch.status, 0) << fetch.out << fetch.err;
  EXPECT_EQ(files_in(adopted / "articles" / "好站"), 2u) << fetch.out;
  EXPECT_FALSE(fs::exists(adopted / "lists")) << "init touches no file of the mirror";
}

TEST_F(AdoptedArticles, CopiedInArticlesAreKnownAndListed) {
  const fs::path target = other_.path() / "target";
  const fs::path site = classic_site();  // two articles with the same short body
  ASSERT_EQ(run_raw({"--quiet", "init", target.string()}).status, 0);
  ASSERT_TRUE(config::save_config(config::config_path(target), config_));
  auto import = in(target, {"--json", "import", site.string()});
  ASSERT_EQ(import.status, 0) << import.out << import.err;
  EXPECT_EQ(nlohmann::json::parse(import.out).at("made_known"), 2);
  const std::string list = read_file(target / "lists" / "好站.md");
  EXPECT_NE(list.find("好文章1"), std::string::npos) << list;
  EXPECT_NE(list.find("好文章2"), std::string::npos) << list;
  EXPECT_TRUE(fs::exists(target / "README.md"));
  auto fetch = in(target, {"--json", "fetch"});
  ASSERT_EQ(fetch.status, 0) << fetch.out << fetch.err;
  EXPECT_EQ(files_in(target / "articles" / "好站"), 2u) << fetch.out;
}

TEST_F(FetchCommand, ExitsThreeWhenOneSourceFailsAndNamesItAndWhy) {
  add_source("好站", server_.url("/good.xml"));
  add_source("坏站", server_.url("/missing.xml"));
  save();
  auto fetch = run({"fetch"});
  EXPECT_EQ(fetch.status, 3) << fetch.out << fetch.err;
  // The failing source's row carries the reason.
  bool row_found = false;
  std::istringstream lines(fetch.out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("坏站") != std::string::npos) {
      row_found = true;
      EXPECT_NE(line.find("failed"), std::string::npos) << line;
      EXPECT_NE(line.find("404"), std::string::npos) << line;
    }
  EXPECT_TRUE(row_found) << fetch.out;
  EXPECT_EQ(archived("好站"), 2u) << "the healthy source is archived all the same";
}

TEST_F(FetchCommand, ExitsTwoForAMalformedConfigNamingFileLineAndKey) {
  std::ofstream(config::config_path(mirror_.path()))
      << "concurrency = 4\n"
      << "\n"
      << "[[source]]\n"
      << "name = \"站\"\n"
      << "url = \"" << server_.url("/good.xml") << "\"\n"
      << "interval = \"soon\"\n";
  auto fetch = run({"fetch"});
  EXPECT_EQ(fetch.status, 2) << fetch.out << fetch.err;
  EXPECT_NE(fetch.err.find("newsmirror.toml:6:"), std::string::npos) << fetch.err;
  EXPECT_NE(fetch.err.find("\"interval\""), std::string::npos) << fetch.err;
  EXPECT_EQ(server_.hits("/good.xml"), 0);
}

TEST_F(FetchCommand, ExitsTwoForAnUnknownSource) {
  add_source("好站", server_.url("/good.xml"));
  save();
  auto fetch = run({"fetch", "--source", "不存在"});
  EXPECT_EQ(fetch.status, 2) << fetch.out << fetch.err;
  EXPECT_NE(fetch.err.find("不存在"), std::string::npos) << fetch.err;
  EXPECT_EQ(server_.hits("/good.xml"), 0);
}

TEST_F(FetchCommand, SourceFetchesOnlyThatSource) {
  add_source("好站", server_.url("/good.xml"));
  add_source("他站", server_.url("/other.xml"));
  save();
  auto fetch = run({"fetch", "--source", "他站"});
  EXPECT_EQ(fetch.status, 0) << fetch.out << fetch.err;
  EXPECT_EQ(server_.hits("/good.xml"), 0);
  EXPECT_EQ(archived("他站"), 3u);
}

TEST_F(FetchCommand, JsonPrintsOneObjectWithEverySource) {
  add_source("好站", server_.url("/good.xml"));
  add_source("坏站", server_.url("/missing.xml"));
  save();
  auto fetch = run({"--json", "fetch"});
  EXPECT_EQ(fetch.status, 3) << fetch.err;
  auto json = nlohmann::json::parse(fetch.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(json.is_object()) << "stdout must be exactly one JSON value: " << fetch.out;
  EXPECT_EQ(json.at("new"), 2);
  EXPECT_EQ(json.at("failed"), 1);
  ASSERT_EQ(json.at("sources").size(), 2u);
  const auto& good = json["sources"][0];
  EXPECT_EQ(good.at("name"), "好站");
  EXPECT_EQ(good.at("url"), server_.url("/good.xml"));
  EXPECT_EQ(good.at("new"), 2);
  EXPECT_EQ(good.at("changed"), 0);
  EXPECT_EQ(good.at("unchanged"), 0);
  EXPECT_EQ(good.at("not_modified"), false);
  EXPECT_EQ(good.at("ok"), true);
  EXPECT_TRUE(good.at("error").is_null());
  const auto& bad = json["sources"][1];
  EXPECT_EQ(bad.at("name"), "坏站");
  EXPECT_EQ(bad.at("ok"), false);
  EXPECT_EQ(bad.at("error").at("kind"), core::to_string(core::ErrorKind::http_status));
  EXPECT_NE(bad["error"].at("message").get<std::string>().find("404"), std::string::npos);
}

// --timings: every step of the cycle once, in the order it ran, with the
// parts worker threads timed; the steps' wall times add up to no more than
// the whole run took, and without the flag the JSON carries none.
TEST_F(FetchCommand, TimingsNameEveryStepInOrderAndAddUpToTheRun) {
  add_source("好站", server_.url("/good.xml"));
  save();
  const auto started = std::chrono::steady_clock::now();
  auto fetch = run({"--json", "fetch", "--timings"});
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(fetch.status, 0) << fetch.err;
  auto json = nlohmann::json::parse(fetch.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(json.is_object()) << fetch.out;
  ASSERT_TRUE(json.contains("timings")) << fetch.out;
  std::vector<std::string> steps, parts;
  double wall = 0;
  for (const auto& row : json["timings"]) {
    EXPECT_GE(row.at("cpu_seconds").get<double>(), 0.0) << row;
    if (row.at("part").get<bool>()) {
      parts.push_back(row.at("stage"));
      continue;
    }
    steps.push_back(row.at("stage"));
    EXPECT_GE(row.at("wall_seconds").get<double>(), 0.0) << row;
    wall += row.at("wall_seconds").get<double>();
  }
  const std::vector<std::string> expected = {
      "recovery", "fetch", "parse, clean and hash", "novelty", "full text", "numbering", "images",
      "render and write temp files", "journal", "sync and rename", "state", "validators and health",
      "edits", "lists and README", "catalog"};
  EXPECT_EQ(steps, expected);
  EXPECT_EQ(parts, (std::vector<std::string>{"parse", "clean", "render and hash"}));
  EXPECT_LE(wall, elapsed);

  auto again = run({"--json", "fetch"});
  EXPECT_FALSE(nlohmann::json::parse(again.out, nullptr, false).contains("timings")) << again.out;
  auto text = run({"fetch", "--timings"});
  EXPECT_NE(text.out.find("lists and README"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("total"), std::string::npos) << text.out;
}

TEST_F(FetchCommand, QuietPrintsNothingOnSuccess) {
  add_source("好站", server_.url("/good.xml"));
  save();
  auto fetch = run({"--quiet", "fetch"});
  EXPECT_EQ(fetch.status, 0);
  EXPECT_EQ(fetch.out, "");
  EXPECT_EQ(fetch.err, "");
  EXPECT_EQ(archived("好站"), 2u);
}

TEST_F(FetchCommand, QuietPrintsOnlyTheFailureOnStderr) {
  add_source("好站", server_.url("/good.xml"));
  add_source("坏站", server_.url("/missing.xml"));
  save();
  auto fetch = run({"--quiet", "fetch"});
  EXPECT_EQ(fetch.status, 3);
  EXPECT_EQ(fetch.out, "");
  EXPECT_NE(fetch.err.find("坏站"), std::string::npos) << fetch.err;
  EXPECT_EQ(fetch.err.find("好站"), std::string::npos) << fetch.err;
}

// --- status ---

TEST_F(StatusCommand, ShowsLastErrorAndConsecutiveFailuresAfterFetches) {
  add_source("好站", server_.url("/good.xml"));
  add_source("坏站", server_.url("/missing.xml"));
  save();
  ASSERT_EQ(run({"fetch"}).status, 3);
  ASSERT_EQ(run({"fetch"}).status, 3);

  auto status = run({"status"});
  EXPECT_EQ(status.status, 0) << status.err;
  bool bad_row = false, good_row = false;
  std::istringstream lines(status.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("坏站") != std::string::npos) {
      bad_row = true;
      EXPECT_NE(line.find("404"), std::string::npos) << line;
      EXPECT_NE(line.find(" 2 "), std::string::npos) << "two failures in a row: " << line;
      EXPECT_NE(line.find("never"), std::string::npos) << "it never succeeded: " << line;
    }
    if (line.find("好站") != std::string::npos) {
      good_row = true;
      EXPECT_NE(line.find("just now"), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(bad_row && good_row) << status.out;
  EXPECT_NE(status.out.find("1 failing"), std::string::npos) << status.out;

  auto json_run = run({"--json", "status"});
  EXPECT_EQ(json_run.status, 0);
  auto json = nlohmann::json::parse(json_run.out, nullptr, false);
  ASSERT_TRUE(json.is_array()) << json_run.out;
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0].at("name"), "好站");
  EXPECT_EQ(json[0].at("consecutive_failures"), 0);
  EXPECT_EQ(json[0].at("articles_archived"), 2);
  EXPECT_TRUE(json[0].at("last_error").is_null());
  EXPECT_TRUE(json[0].at("last_success").is_number());
  EXPECT_EQ(json[1].at("name"), "坏站");
  EXPECT_EQ(json[1].at("consecutive_failures"), 2);
  EXPECT_TRUE(json[1].at("last_success").is_null());
  EXPECT_NE(json[1].at("last_error").get<std::string>().find("404"), std::string::npos);

  // Recovery resets the count.
  server_.serve_file("/missing.xml", feed_with(1, "回"), kRss);
  ASSERT_EQ(run({"fetch"}).status, 0);
  auto after = nlohmann::json::parse(run({"--json", "status"}).out, nullptr, false);
  ASSERT_TRUE(after.is_array());
  EXPECT_EQ(after[1].at("consecutive_failures"), 0);
  EXPECT_TRUE(after[1].at("last_error").is_null());
}

// --- run ---

TEST_F(RunCommand, WithOneCycleFetchesOnceAndExits) {
  add_source("好站", server_.url("/good.xml"));
  save();
  auto start = std::chrono::steady_clock::now();
  auto result = run({"run", "--cycles", "1"});
  EXPECT_EQ(result.status, 0) << result.out << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "no wait after the last cycle";
  EXPECT_EQ(server_.hits("/good.xml"), 1);
  EXPECT_EQ(archived("好站"), 2u);
}

TEST_F(RunCommand, StopsPromptlyAndCleanlyOnSigtermWhileWaiting) {
  add_source("好站", server_.url("/good.xml"));
  save();
  // --log-level info makes `run` say when it starts waiting.
  pid_t pid = spawn(scratch_.path(), {"--mirror", mirror_.path().string(), "--log-level", "info", "run"});
  auto until = std::chrono::steady_clock::now() + 20s;
  while (read_file(scratch_.path() / "stderr.txt").find("next cycle in") == std::string::npos &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(50ms);
  ASSERT_NE(read_file(scratch_.path() / "stderr.txt").find("next cycle in"), std::string::npos)
      << "run never reached its wait: " << read_file(scratch_.path() / "stderr.txt");

  auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = wait_for(pid, 5s);
  EXPECT_EQ(status, 0) << "-1: still running 5 s after SIGTERM; "
                       << read_file(scratch_.path() / "stderr.txt");
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 5s);
  EXPECT_EQ(server_.hits("/good.xml"), 1);
  EXPECT_EQ(archived("好站"), 2u);
  for (const auto& entry : fs::recursive_directory_iterator(mirror_.path())) {
    auto name = entry.path().filename().string();
    EXPECT_EQ(name.find(".tmp"), std::string::npos) << "temp file left: " << entry.path();
  }
  EXPECT_FALSE(fs::exists(mirror_.path() / ".newsmirror" / "pending-articles.json"));
}

TEST_F(RunCommand, SentSigtermDuringACycleFinishesThatCycleFirst) {
  // The feed answers after a second, so the signal lands mid-fetch.
  auto body = feed_with(2, "慢");
  server_.route("/slow.xml", [body](const test::HttpRequest&, test::HttpResponder& res) {
    if (res.wait(1000ms)) res.send(200, {{"Content-Type", kRss}}, body);
  });
  add_source("慢站", server_.url("/slow.xml"));
  save();
  pid_t pid = spawn(scratch_.path(), {"--mirror", mirror_.path().string(), "run"});
  auto until = std::chrono::steady_clock::now() + 20s;
  while (server_.hits("/slow.xml") == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(server_.hits("/slow.xml"), 1) << "run never fetched";
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(wait_for(pid, 5s), 0) << read_file(scratch_.path() / "stderr.txt");
  EXPECT_EQ(archived("慢站"), 2u) << "the cycle in flight is completed, not dropped";
  EXPECT_TRUE(fs::exists(mirror_.path() / "lists" / "慢站.md"));
}

TEST_F(RunCommand, CtrlCSaysWhatItFinishesAndCutsATransferThatWouldTakeLong) {
  // One feed answers at once, the other would take a minute: Ctrl-C lands
  // while it is in flight. run says so, waits only a few seconds for it,
  // and still archives what the fast feed gave.
  add_source("快站", server_.url("/good.xml"));
  server_.route("/stuck.xml", [](const test::HttpRequest&, test::HttpResponder& res) { res.wait(60000ms); });
  add_source("卡站", server_.url("/stuck.xml"));
  config_.timeout = std::chrono::seconds(90);  // only Ctrl-C can end it early
  save();
  pid_t pid = spawn(scratch_.path(), {"--mirror", mirror_.path().string(), "run"});
  auto until = std::chrono::steady_clock::now() + 20s;
  while ((server_.hits("/stuck.xml") == 0 || server_.hits("/good.xml") == 0) &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(server_.hits("/stuck.xml"), 1) << "run never fetched";
  std::this_thread::sleep_for(300ms);  // the fast feed's answer is in
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(wait_for(pid, 15s), 3) << "the cut feed counts as failed; " << read_file(scratch_.path() / "stderr.txt");
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 10s) << "not the minute the feed would take";
  const auto err = read_file(scratch_.path() / "stderr.txt");
  EXPECT_NE(err.find("finishing 1 transfer in flight"), std::string::npos) << err;
  EXPECT_NE(err.find("press Ctrl-C again to stop now"), std::string::npos) << err;
  EXPECT_EQ(archived("快站"), 2u) << "what came is archived";
  EXPECT_FALSE(fs::exists(mirror_.path() / ".newsmirror" / "pending-articles.json"));
}

TEST_F(RunCommand, CtrlCAlsoCutsAFullTextPageThatWouldTakeLongAndKeepsTheFeedsText) {
  const std::string page = server_.url("/article-stuck");
  server_.serve_file("/full.xml",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>"
                     "<link>https://news.example/</link><item><title>全文文章</title><link>" + page +
                         "</link><guid>full-1</guid><description>摘要</description></item></channel></rss>",
                     kRss);
  server_.route("/article-stuck", [](const test::HttpRequest&, test::HttpResponder& res) { res.wait(60000ms); });
  add_source("全文站", server_.url("/full.xml"));
  config_.sources.back().full_text = true;
  config_.sources.back().allow_private = true;  // its page is on loopback
  config_.timeout = std::chrono::seconds(90);
  save();
  pid_t pid = spawn(scratch_.path(), {"--mirror", mirror_.path().string(), "run"});
  auto until = std::chrono::steady_clock::now() + 20s;
  while (server_.hits("/article-stuck") == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(server_.hits("/article-stuck"), 1) << "run never asked for the page";
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(wait_for(pid, 15s), 0) << read_file(scratch_.path() / "stderr.txt");
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 10s) << "not the minute the page would take";
  EXPECT_EQ(archived("全文站"), 1u) << "the article is kept, with the feed's text";
}

TEST_F(FetchCommand, JsonReportsAConfigErrorAsJson) {
  std::ofstream(config::config_path(mirror_.path())) << "concurrency = \"many\"\n";
  auto fetch = run({"--json", "fetch"});
  EXPECT_EQ(fetch.status, 2);
  auto json = nlohmann::json::parse(fetch.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << fetch.out;
  EXPECT_EQ(json.at("error").at("kind"), core::to_string(core::ErrorKind::config));
  EXPECT_NE(json["error"].at("message").get<std::string>().find("newsmirror.toml:1:"), std::string::npos);
}

TEST_F(StatusCommand, WithoutAMirrorExitsTwo) {
  auto status = run({"status"});
  EXPECT_EQ(status.status, 2) << status.out << status.err;
  EXPECT_NE(status.err.find("newsmirror.toml"), std::string::npos) << status.err;
}

TEST_F(RunCommand, RejectsAMalformedEvery) {
  add_source("好站", server_.url("/good.xml"));
  save();
  auto result = run({"run", "--every", "soon"});
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find("--every"), std::string::npos) << result.err;
  EXPECT_EQ(server_.hits("/good.xml"), 0);
}

// --- sources add ---

// Issue 13: a site's address given as its feed failed later, in fetch, as
// "no XML element found: not a feed".
TEST_F(SourcesAdd, AWebPageThatLinksFeedsIsRefusedNamingThem) {
  save();
  server_.serve_file("/home/", home_page_linking("../good.xml", server_.url("/atom.xml")), "text/html; charset=utf-8");
  auto add = run({"sources", "add", "好站", server_.url("/home/")});
  EXPECT_EQ(add.status, 2) << add.out << add.err;
  EXPECT_NE(add.err.find(server_.url("/home/") + " is a web page, not a feed; it links these feeds:"),
            std::string::npos)
      << add.err;
  EXPECT_NE(add.err.find(server_.url("/good.xml") + "  (全部文章)"), std::string::npos) << "resolved\n" << add.err;
  EXPECT_NE(add.err.find(server_.url("/atom.xml")), std::string::npos) << add.err;
  EXPECT_EQ(add.err.find("/en/"), std::string::npos) << "not a feed link\n" << add.err;
  EXPECT_NE(add.err.find("add one of them instead"), std::string::npos) << add.err;
  auto config = config::load_config(config::config_path(mirror_.path()));
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->sources.empty()) << "nothing added";

  auto json = run({"--json", "sources", "add", "好站", server_.url("/home/")});
  EXPECT_EQ(json.status, 2);
  EXPECT_NE(nlohmann::json::parse(json.out)["error"]["message"].get<std::string>().find(server_.url("/good.xml")),
            std::string::npos)
      << json.out;
}

TEST_F(SourcesAdd, AFeedIsAddedWithoutAWord) {
  save();
  auto add = run({"sources", "add", "好站", server_.url("/good.xml")});
  EXPECT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.err, "");
  EXPECT_EQ(server_.hits("/good.xml"), 1) << "checked once";
}

TEST_F(SourcesAdd, AnUnreachableOrOtherNonFeedURLIsAddedWithAWarning) {
  save();
  server_.serve_file("/plain.html", "<html><body>no feeds here</body></html>", "text/html");
  auto missing = run({"sources", "add", "缺站", server_.url("/missing.xml")});
  EXPECT_EQ(missing.status, 0) << missing.err;
  EXPECT_NE(missing.err.find("warning: " + server_.url("/missing.xml") + ": could not fetch it"), std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("404"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("added anyway"), std::string::npos) << missing.err;

  auto plain = run({"sources", "add", "白站", server_.url("/plain.html")});
  EXPECT_EQ(plain.status, 0) << plain.err;
  EXPECT_NE(plain.err.find("its answer is not a feed"), std::string::npos) << plain.err;

  auto config = config::load_config(config::config_path(mirror_.path()));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->sources.size(), 2u);
}

TEST_F(SourcesAdd, NoCheckFetchesNothing) {
  save();
  server_.serve_file("/home/", home_page_linking("/good.xml", "/atom.xml"), "text/html");
  auto add = run({"sources", "add", "好站", server_.url("/home/"), "--no-check"});
  EXPECT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(server_.hits("/home/"), 0);
}

// --- fetch of a web page ---

// Issue 13: a site's home page given as a feed failed with "no XML element
// found: not a feed"; the per-source error now names the feeds it links.
TEST_F(FetchCommand, AWebPageGivenAsAFeedFailsNamingTheFeedsItLinks) {
  server_.serve_file("/home/", home_page_linking("../good.xml", "/atom.xml"), "text/html; charset=utf-8");
  add_source("好站", server_.url("/home/"));
  save();
  auto fetch = run({"fetch"});
  EXPECT_EQ(fetch.status, 3) << fetch.out << fetch.err;
  EXPECT_NE(fetch.out.find("a web page, not a feed; it links these feeds: " + server_.url("/good.xml") +
                           " (全部文章), " + server_.url("/atom.xml")),
            std::string::npos)
      << fetch.out;

  auto json = run({"--json", "fetch"});
  auto message = nlohmann::json::parse(json.out)["sources"][0]["error"]["message"].get<std::string>();
  EXPECT_NE(message.find("put one of them in newsmirror.toml instead"), std::string::npos) << message;
}

// --- help ---

TEST_F(CliHelp, HelpOfTheProgramAndOfEverySubcommandMentionsEveryOption) {
  struct Help {
    std::vector<std::string> args;
    std::vector<std::string> mentions;
  };
  const std::vector<Help> helps = {
      {{"--help"},
       {"--mirror", "--quiet", "--json", "--log-level", "--version", "init", "sources", "fetch", "run",
        "status", "parse"}},
      {{"init", "--help"}, {"dir", "--force"}},
      {{"sources", "--help"}, {"list", "add", "remove", "import", "export"}},
      {{"sources", "add", "--help"},
       {"name", "urls", "--interval", "--proxy", "--timezone", "--user-agent", "--disabled", "--no-check"}},
      {{"sources", "remove", "--help"}, {"name"}},
      {{"sources", "import", "--help"}, {"file"}},
      {{"sources", "export", "--help"}, {"file"}},
      {{"fetch", "--help"}, {"--source"}},
      {{"run", "--help"}, {"--every", "--cycles"}},
      {{"status", "--help"}, {"--json"}},
      {{"parse", "--help"}, {"--content-type", "--base-url", "--clean", "file"}},
  };
  for (const auto& help : helps) {
    auto result = run_raw(help.args);
    std::string shown;
    for (const auto& arg : help.args) shown += arg + " ";
    EXPECT_EQ(result.status, 0) << shown << result.err;
    for (const auto& word : help.mentions)
      EXPECT_NE(result.out.find(word), std::string::npos) << shown << "does not mention " << word
                                                          << ":\n" << result.out;
  }
}

}  // namespace
}  // namespace newsmirror
