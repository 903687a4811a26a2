// Crash safety of a cycle (docs/ARCHITECTURE.md, "A cycle, and why it cannot
// lose or duplicate an article"; DESIGN.md, "Nothing is lost").
//
// CrashTest.RandomKillsLoseAndDuplicateNothing runs the real `newsmirror
// fetch` against feeds served by the loopback server and SIGKILLs it at
// random moments, round after round, while the feeds keep growing, so that
// every run has new articles to stage, journal, rename, record and list.
// After the last kill one clean run must leave an archive in which every item
// ever served is present exactly once, complete, listed and recorded.
//
// The kill delay is uniform in [0, 1.2 x T], where T is the time an
// uninterrupted run of the same round takes: each round first runs a
// "control" mirror (same feeds, same history, never killed) to completion and
// times it. That puts kills across the whole run, write phases included,
// rather than mostly in process start-up and fetching (which a fixed delay
// range would do, since later rounds are much shorter than the first).
//
// Replay a failure with NEWSMIRROR_CRASH_SEED=<printed seed>; change the
// number of kills with NEWSMIRROR_CRASH_ROUNDS.
//
// CrashRecovery.* build the on-disk state of a cycle killed at one chosen
// point by hand and call Mirror::recover(), so the recovery rules are pinned
// without randomness.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "archive/list_page.hpp"
#include "config/config.hpp"
#include "core/hash.hpp"
#include "core/mirror_layout.hpp"
#include "mirror/fixtures.hpp"
#include "mirror/identity.hpp"
#include "mirror/mirror.hpp"
#include "state/state_db.hpp"
#include "storage/atomic_writer.hpp"
#include "support/cli.hpp"
#include "support/database.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

extern char** environ;

namespace newsmirror::mirror {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kJournal = ".newsmirror/pending-articles.json";
// Each item's HTML carries this text followed by its id, so a file can be
// traced back to the item it came from whatever happened to its name.
constexpr std::string_view kMarker = "newsmirror-crash-item ";
// Fewer than the items of a site, so the lists' truncation is checked too.
constexpr int kListEntries = 30;

using test::read_file;
using test::mirror_fixtures::xml_escape;

std::string rfc822(std::time_t seconds) {
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

std::optional<std::uint64_t> env_number(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::strtoull(value, nullptr, 10);
}

// ---------------------------------------------------------------------------
// The fixture feeds.

struct Item {
  std::string id;  // "s<site>-<n>", also in the HTML after kMarker
  std::size_t site = 0;
  std::string title;           // as served: corpus titles hold runs of spaces
  std::string archived_title;  // as line 2 must hold it
  std::string link;
  std::string html;
  std::time_t published = 0;
};

// Titles and bodies to build items from: the real archived articles when
// ../shared is present (real sizes, real titles full of `|`, `?`, full-width
// forms), otherwise generated text of a few KB.
struct Corpus {
  std::vector<std::pair<std::string, std::string>> samples;  // title, html

  static Corpus load() {
    Corpus corpus;
    if (test::have_shared()) {
      std::vector<fs::path> files;
      for (const auto& e :
           fs::recursive_directory_iterator(test::shared_dir() / "corpus/archive/articles"))
        if (e.is_regular_file() && e.path().extension() == ".md") files.push_back(e.path());
      std::sort(files.begin(), files.end());  // the same items for the same seed
      for (const auto& file : files) {
        auto article = archive::read_article(read_file(file));
        if (!article || article->html.empty()) continue;
        // The marker goes into the HTML as text; CDATA cannot hold "]]>".
        if (article->html.find("]]>") != std::string::npos) continue;
        corpus.samples.emplace_back(article->title, archive::flatten_html(article->html));
      }
    }
    if (corpus.samples.empty()) {
      for (int i = 0; i < 16; ++i) {
        std::string html = "<div>第" + std::to_string(i) + "篇</div>";
        while (html.size() < 2000 + 300 * static_cast<std::size_t>(i))
          html += "<p>法新社报道：这是用于崩溃测试的正文段落，内容足够长以产生真实的写入。</p>";
        corpus.samples.emplace_back("生成的标题 " + std::to_string(i) + " | 问题？", html);
      }
    }
    return corpus;
  }
};

// Six sources whose feeds grow between rounds; every item ever added stays
// in the final feeds, so the final archive must hold all of them.
class Feeds {
 public:
  static constexpr std::size_t kSites = 6;
  // One name becomes a different folder (the `:`), to check that lists and
  // the database follow site_dir_name.
  static inline const std::vector<std::string> kNames = {
      "法广", "BBC 中文网", "德国之声", "纽约时报", "VOA: 美国之音", "自由亚洲电台"};

  Feeds(test::HttpServer& server, Corpus corpus) : server_(server), corpus_(std::move(corpus)) {
    items_.resize(kSites);
  }

  std::string feed_url(std::size_t site) const {
    return server_.url("/feed/" + std::to_string(site) + ".xml");
  }

  void add(std::size_t site, std::size_t count) {
    for (std::size_t k = 0; k < count; ++k) {
      Item item;
      const std::size_t n = items_[site].size();
      item.id = "s" + std::to_string(site) + "-" + std::to_string(n);
      item.site = site;
      const auto& [title, html] = corpus_.samples[next_sample_++ % corpus_.samples.size()];
      // Every 13th item has no title (a `<N>.md` file); the others keep the
      // corpus title, made unique so a mix-up between items would show.
      if (n % 13 != 7) item.title = title + " #" + item.id;
      item.archived_title = archive::single_line(item.title);
      item.link = server_.url("/a/" + std::to_string(site) + "/" + std::to_string(n) + ".html");
      item.html = html + "<p>" + std::string(kMarker) + item.id + "</p>";
      item.published = 1700000000 + static_cast<std::time_t>(n) * 600 +
                       static_cast<std::time_t>(site) * 7;
      by_id_[item.id] = items_[site].size();
      items_[site].push_back(std::move(item));
    }
  }

  // Serves every site's feed, leaving out `omitted` ids (a feed that drops
  // an item for a while and brings it back must not get it archived twice).
  // Each body has its own ETag, so a run that stored a validator before its
  // articles were recorded would get a 304 and miss them for good.
  void serve(const std::set<std::string>& omitted = {}) {
    served_now_.clear();
    for (std::size_t site = 0; site < kSites; ++site) {
      std::string body =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>" +
          xml_escape(kNames[site]) + "</title><link>" + server_.url("/") +
          "</link><description>crash fixture</description>\n";
      for (auto it = items_[site].rbegin(); it != items_[site].rend(); ++it) {  // newest first
        if (omitted.count(it->id)) continue;
        served_now_.insert(it->id);
        ever_served_.insert(it->id);
        body += "<item><title>" + xml_escape(it->title) + "</title><link>" + xml_escape(it->link) +
                "</link><guid isPermaLink=\"false\">crash-" + it->id + "</guid><pubDate>" +
                rfc822(it->published) + "</pubDate><description><![CDATA[" + it->html +
                "]]></description></item>\n";
      }
      body += "</channel></rss>\n";
      test::FileOptions options;
      options.etag = "\"" + core::sha256_hex(body).substr(0, 16) + "\"";
      server_.serve_file("/feed/" + std::to_string(site) + ".xml", std::move(body),
                         "application/rss+xml", options);
    }
  }

  const std::vector<Item>& items(std::size_t site) const { return items_[site]; }
  const Item* find(const std::string& id) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return nullptr;
    std::size_t site = static_cast<std::size_t>(std::stoul(id.substr(1, id.find('-') - 1)));
    return &items_[site][it->second];
  }
  const std::set<std::string>& served_now() const { return served_now_; }
  const std::set<std::string>& ever_served() const { return ever_served_; }
  std::size_t total() const {
    std::size_t n = 0;
    for (const auto& site : items_) n += site.size();
    return n;
  }

 private:
  test::HttpServer& server_;
  Corpus corpus_;
  std::vector<std::vector<Item>> items_;
  std::map<std::string, std::size_t> by_id_;
  std::size_t next_sample_ = 0;
  std::set<std::string> served_now_;
  std::set<std::string> ever_served_;
};

// ---------------------------------------------------------------------------
// Running the real binary.

// `newsmirror --mirror DIR --quiet fetch`, its output appended to `log`.
pid_t spawn_fetch(const fs::path& mirror, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const std::string program = test::binary().string();
  const std::string dir = mirror.string();
  std::vector<char*> argv = {const_cast<char*>(program.c_str()), const_cast<char*>("--mirror"),
                             const_cast<char*>(dir.c_str()), const_cast<char*>("--quiet"),
                             const_cast<char*>("fetch"), nullptr};
  pid_t pid = -1;
  // posix_spawn, not fork: the test process runs the server's threads.
  int err = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) return -1;
  return pid;
}

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::chrono::milliseconds elapsed{0};
};

RunResult run_fetch(const fs::path& mirror, const fs::path& log) {
  const auto start = Clock::now();
  pid_t pid = spawn_fetch(mirror, log);
  RunResult result;
  if (pid < 0) return result;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

void write_config(const fs::path& mirror, const Feeds& feeds) {
  config::Config config;
  config.list_entries = kListEntries;
  // The files are checked byte for byte against the feeds' own HTML.
  config.clean = false;
  for (std::size_t site = 0; site < Feeds::kSites; ++site) {
    config::Source source;
    source.name = Feeds::kNames[site];
    source.urls = {feeds.feed_url(site)};
    config.sources.push_back(source);
  }
  auto saved = config::save_config(config::config_path(mirror), config);
  ASSERT_TRUE(saved) << saved.error().message;
}

// ---------------------------------------------------------------------------
// Reading a mirror back.

struct ArchivedFile {
  std::string folder;  // under articles/
  std::string name;
  std::string item_id;  // from the marker, "" when absent
  std::uint64_t number = 0;
};

struct Scan {
  std::vector<ArchivedFile> files;
  std::vector<std::string> temp_files;  // relative paths
  bool journal = false;
  std::vector<std::string> problems;  // malformed files, unknown items
};

// Reads every article file under `dir` and checks each against the item it
// came from; collects temp files everywhere (the state folder included).
Scan scan_mirror(const fs::path& dir, const Feeds& feeds) {
  Scan scan;
  scan.journal = fs::exists(dir / kJournal);
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const auto rel = fs::relative(e.path(), dir);
    const std::string name = e.path().filename().string();
    if (core::layout::is_temp_file_name(name)) {
      scan.temp_files.push_back(rel.string());
      continue;
    }
    auto part = rel.begin();
    if (part == rel.end() || *part != "articles") continue;
    ArchivedFile file;
    file.folder = (++part)->string();
    file.name = name;
    const std::string where = rel.string();
    if (auto number = archive::parse_article_number(name)) file.number = *number;
    else scan.problems.push_back(where + ": no article number in the name");
    const std::string bytes = read_file(e.path());
    if (bytes.empty() || bytes.back() != '\n') scan.problems.push_back(where + ": no final newline");
    auto article = archive::read_article(bytes);
    if (!article) {
      scan.problems.push_back(where + ": unreadable: " + article.error().message);
      scan.files.push_back(file);
      continue;
    }
    auto at = article->html.find(kMarker);
    if (at == std::string::npos) {
      scan.problems.push_back(where + ": no item marker in the HTML (cut short?)");
    } else {
      at += kMarker.size();
      file.item_id = article->html.substr(at, article->html.find('<', at) - at);
      const Item* item = feeds.find(file.item_id);
      if (!item) {
        scan.problems.push_back(where + ": unknown item " + file.item_id);
      } else {
        if (article->title != item->archived_title)
          scan.problems.push_back(where + ": title \"" + article->title + "\", expected \"" +
                                  item->archived_title + "\"");
        if (article->link != item->link)
          scan.problems.push_back(where + ": link " + article->link + ", served " + item->link);
        if (!article->html.ends_with(item->html))
          scan.problems.push_back(where + ": HTML differs from the served item");
        if (file.folder != archive::site_dir_name(Feeds::kNames[item->site]))
          scan.problems.push_back(where + ": in the folder of another site");
      }
    }
    scan.files.push_back(std::move(file));
  }
  return scan;
}

std::string joined(const std::vector<std::string>& lines, std::size_t max = 20) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < max; ++i) out += "\n  " + lines[i];
  if (lines.size() > max) out += "\n  ... " + std::to_string(lines.size() - max) + " more";
  return out;
}

// What must hold at every instant, even right after a kill: files in place
// are whole and known, no item is in place twice, no two files of a site
// share a number (sites number on their own), and every list entry that
// exists links a file that exists.
void expect_consistent(const fs::path& dir, const Feeds& feeds, const std::string& when) {
  Scan scan = scan_mirror(dir, feeds);
  EXPECT_TRUE(scan.problems.empty()) << when << ": malformed files:" << joined(scan.problems);
  std::map<std::string, std::vector<std::string>> by_item;
  std::map<std::pair<std::string, std::uint64_t>, std::vector<std::string>> by_number;
  std::set<std::string> existing;
  for (const auto& f : scan.files) {
    if (!f.item_id.empty()) by_item[f.item_id].push_back(f.folder + "/" + f.name);
    by_number[{f.folder, f.number}].push_back(f.folder + "/" + f.name);
    existing.insert(f.folder + "/" + f.name);
  }
  std::vector<std::string> duplicates;
  for (const auto& [id, where] : by_item)
    if (where.size() > 1) duplicates.push_back(id + " in " + joined(where));
  EXPECT_TRUE(duplicates.empty()) << when << ": items archived twice:" << joined(duplicates);
  std::vector<std::string> shared_numbers;
  for (const auto& [number, where] : by_number)
    if (where.size() > 1) shared_numbers.push_back(std::to_string(number.second) + ": " + joined(where));
  EXPECT_TRUE(shared_numbers.empty()) << when << ": numbers used twice:" << joined(shared_numbers);

  if (!fs::is_directory(dir / "lists")) return;
  for (const auto& e : fs::directory_iterator(dir / "lists")) {
    const std::string name = e.path().filename().string();
    if (core::layout::is_temp_file_name(name)) continue;
    auto page = archive::parse_list_page(read_file(e.path()));
    ASSERT_TRUE(page) << when << ": lists/" << name << ": " << page.error().message;
    for (const auto& entry : page->entries)
      EXPECT_TRUE(existing.count(entry.folder + "/" + entry.file_name))
          << when << ": lists/" << name << " links a missing file " << entry.folder << "/"
          << entry.file_name;
  }
}

// What a completed run must leave: `expected` items archived exactly once
// (and nothing that was never served), no temp files, no journal, list pages
// holding exactly the newest files of each site, the README counting them,
// and the state database agreeing file by file.
void expect_complete(const fs::path& dir, const Feeds& feeds, const std::set<std::string>& expected,
                     const std::string& when) {
  expect_consistent(dir, feeds, when);
  // And what `newsmirror check` reads for any mirror: files, state, catalog,
  // search index, lists, README and images agree.
  test::TempDir scratch;
  auto check = test::run_newsmirror(scratch.path(), {"--mirror", dir.string(), "check"});
  EXPECT_EQ(check.status, 0) << when << ": newsmirror check:\n" << check.out << check.err;
  Scan scan = scan_mirror(dir, feeds);
  EXPECT_TRUE(scan.temp_files.empty()) << when << ": temp files left:" << joined(scan.temp_files);
  EXPECT_FALSE(scan.journal) << when << ": " << kJournal << " left";

  std::set<std::string> archived;
  for (const auto& f : scan.files) archived.insert(f.item_id);
  std::vector<std::string> missing, unexpected;
  for (const auto& id : expected)
    if (!archived.count(id)) missing.push_back(id);
  for (const auto& id : archived)
    if (!feeds.ever_served().count(id)) unexpected.push_back(id);
  EXPECT_TRUE(missing.empty()) << when << ": " << missing.size() << " served item(s) not archived:"
                               << joined(missing);
  EXPECT_TRUE(unexpected.empty()) << when << ": never served:" << joined(unexpected);

  auto db = test::opened(state::StateDb::open(dir));
  ASSERT_TRUE(db);
  auto summaries = db->site_summaries();
  const std::string readme = read_file(dir / "README.md");
  EXPECT_FALSE(readme.empty()) << when << ": README.md missing";
  for (std::size_t site = 0; site < Feeds::kSites; ++site) {
    const std::string& name = Feeds::kNames[site];
    const std::string folder = archive::site_dir_name(name);
    // The site's files, newest (largest seq = smallest N below 0x100000) first.
    std::vector<const ArchivedFile*> files;
    for (const auto& f : scan.files)
      if (f.folder == folder) files.push_back(&f);
    std::sort(files.begin(), files.end(), [](auto* a, auto* b) {
      return archive::article_number(a->number) > archive::article_number(b->number);
    });

    std::uint64_t recorded = 0;
    for (const auto& s : summaries)
      if (s.site == name) recorded = s.articles;
    EXPECT_EQ(recorded, files.size()) << when << ": " << name << ": database count vs files";
    std::set<std::string> in_db, on_disk;
    for (const auto& a : db->newest(name, 1000000)) in_db.insert(a.file_name);
    for (auto* f : files) on_disk.insert(f->name);
    EXPECT_EQ(in_db, on_disk) << when << ": " << name << ": database files vs files on disk";

    auto page_bytes = read_file(dir / "lists" / (folder + ".md"));
    auto page = archive::parse_list_page(page_bytes);
    ASSERT_TRUE(page) << when << ": lists/" << folder << ".md: " << page.error().message;
    EXPECT_EQ(page->site, name);
    std::vector<std::string> listed, newest;
    for (const auto& entry : page->entries) listed.push_back(entry.file_name);
    for (std::size_t i = 0; i < files.size() && i < static_cast<std::size_t>(kListEntries); ++i)
      newest.push_back(files[i]->name);
    EXPECT_EQ(listed, newest) << when << ": lists/" << folder
                              << ".md does not hold the site's newest files";

    const std::string readme_entry = "[" + name + "](lists/" + archive::escape_link_path(folder) +
                                     ".md)\n共 " + std::to_string(files.size()) + " 篇";
    EXPECT_NE(readme.find(readme_entry), std::string::npos)
        << when << ": README.md lacks \"" << readme_entry << "\"";
  }
}

// Where a kill landed, judged from what it left on disk.
std::string landing(const Scan& scan) {
  bool article_temps = false, list_temps = false, state_temps = false;
  for (const auto& t : scan.temp_files) {
    if (t.starts_with("articles/")) article_temps = true;
    else if (t.starts_with(".newsmirror/")) state_temps = true;
    else list_temps = true;
  }
  if (list_temps) return "writing lists/README";
  if (state_temps) return "writing the journal";
  if (scan.journal && article_temps) return "journal written, renaming";
  if (scan.journal) return "files renamed, journal still there (recording or after)";
  if (article_temps) return "staging article files";
  return "no trace (start-up, fetch, parse, bookkeeping)";
}

// ---------------------------------------------------------------------------

TEST(CrashTest, RandomKillsLoseAndDuplicateNothing) {
  const std::uint64_t seed = env_number("NEWSMIRROR_CRASH_SEED").value_or(std::random_device{}());
  const std::size_t wanted_kills =
      static_cast<std::size_t>(env_number("NEWSMIRROR_CRASH_ROUNDS").value_or(30));
  std::cout << "[ crash    ] seed " << seed << " (replay: NEWSMIRROR_CRASH_SEED=" << seed
            << "), " << wanted_kills << " kills wanted" << std::endl;
  SCOPED_TRACE("NEWSMIRROR_CRASH_SEED=" + std::to_string(seed));
  std::mt19937_64 random(seed);
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(random); };
  auto uniform = [&](std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(random);
  };

  const auto test_start = Clock::now();
  test::HttpServer server;
  Feeds feeds(server, Corpus::load());
  test::TempDir root;
  const fs::path mirror = root.path() / "mirror";    // the one that gets killed
  const fs::path control = root.path() / "control";  // same feeds, never killed: the timer
  const fs::path log = root.path() / "newsmirror.log";
  ASSERT_NO_FATAL_FAILURE(write_config(mirror, feeds));
  ASSERT_NO_FATAL_FAILURE(write_config(control, feeds));
  auto log_tail = [&] {
    std::string text = read_file(log);
    return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
  };

  for (std::size_t site = 0; site < Feeds::kSites; ++site) feeds.add(site, 40);

  std::size_t kills = 0, rounds = 0, finished_early = 0, verified = 0;
  std::map<std::string, std::size_t> landings;
  std::chrono::milliseconds control_total{0};
  const std::size_t max_rounds = wanted_kills * 2 + 5;
  while (kills < wanted_kills && rounds < max_rounds) {
    ++rounds;
    const std::string when = "round " + std::to_string(rounds);
    SCOPED_TRACE(when);
    if (rounds > 1) {
      // New work for most sites, none for some (whose lists must then stay
      // right without being rewritten).
      bool any = false;
      for (std::size_t site = 0; site < Feeds::kSites; ++site)
        if (chance(0.7)) {
          feeds.add(site, uniform(1, 8));
          any = true;
        }
      if (!any) feeds.add(uniform(0, Feeds::kSites - 1), uniform(1, 8));
    }
    // Now and then a feed leaves out some older items for a round.
    std::set<std::string> omitted;
    for (std::size_t site = 0; site < Feeds::kSites; ++site)
      if (chance(0.3))
        for (const auto& item : feeds.items(site))
          if (chance(0.1)) omitted.insert(item.id);
    feeds.serve(omitted);

    auto timed = run_fetch(control, log);
    ASSERT_EQ(timed.exit_code, 0) << when << ": control run failed:\n" << log_tail();
    control_total += timed.elapsed;

    // Half the kills anywhere in [0, 1.2 T]; the other half in the last
    // part of the run, where the writes are (staging, journal, renames,
    // record, lists), which a uniform draw mostly misses: start-up, fetch
    // and parse take most of a run.
    const auto t = std::chrono::duration_cast<std::chrono::microseconds>(timed.elapsed).count();
    const bool aim_at_writes = chance(0.5);
    const auto delay = std::chrono::microseconds(std::uniform_int_distribution<std::int64_t>(
        aim_at_writes ? t * 6 / 10 : 0, aim_at_writes ? t * 11 / 10 : t * 12 / 10)(random));
    pid_t pid = spawn_fetch(mirror, log);
    ASSERT_GT(pid, 0) << "cannot start " << test::binary();
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);  // a zombie keeps its pid until waitpid: no reuse hazard
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string landed = "finished before the kill";
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
      ++kills;
      landed = landing(scan_mirror(mirror, feeds));
      ++landings[landed];
    } else {
      ++finished_early;
      ++landings[landed];
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << when << ": run failed on its own:\n" << log_tail();
    }
    expect_consistent(mirror, feeds, when + ", killed after " + std::to_string(delay.count()) +
                                         " us (" + landed + ")");
    if (::testing::Test::HasFailure()) break;

    // Sometimes check at once that the next run completes what the kill
    // left (against the same feeds); otherwise let the next killed run do
    // the recovery, so kills land inside recovery as well.
    if (chance(0.25)) {
      auto clean = run_fetch(mirror, log);
      ASSERT_EQ(clean.exit_code, 0) << when << ": clean run failed:\n" << log_tail();
      expect_complete(mirror, feeds, feeds.served_now(),
                      when + ", clean run after a kill (" + landed + ")");
      ++verified;
      if (::testing::Test::HasFailure()) break;
    }
  }
  ASSERT_FALSE(::testing::Test::HasFailure());
  EXPECT_GE(kills, std::min<std::size_t>(wanted_kills, 20))
      << "too few kills landed while the process ran";

  // Last: everything ever served, at once, and one run to completion.
  feeds.serve();
  auto final_run = run_fetch(mirror, log);
  ASSERT_EQ(final_run.exit_code, 0) << "final clean run failed:\n" << log_tail();
  expect_complete(mirror, feeds, feeds.ever_served(), "after the final clean run");
  ASSERT_EQ(run_fetch(control, log).exit_code, 0);
  expect_complete(control, feeds, feeds.ever_served(), "control mirror");

  const auto seconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - test_start).count() /
      1000.0;
  std::cout << "[ crash    ] " << rounds << " rounds, " << kills << " kills landed, "
            << finished_early << " runs finished first, " << verified
            << " intermediate clean runs verified; " << feeds.total() << " items in "
            << Feeds::kSites << " feeds; mean uninterrupted run "
            << control_total.count() / static_cast<long>(std::max<std::size_t>(rounds, 1))
            << " ms; " << seconds << " s in all" << std::endl;
  for (const auto& [where, count] : landings)
    std::cout << "[ crash    ]   " << count << " x " << where << std::endl;
}

// ---------------------------------------------------------------------------
// Deterministic recovery: the state a kill leaves at one chosen point, built
// by hand, then Mirror::recover().

class CrashRecovery : public ::testing::Test {
 protected:
  static constexpr const char* kSite = "法广";

  struct Planned {
    state::ArchivedArticle record;
    std::string bytes;
  };

  void SetUp() override {
    config::Config config;
    config::Source source;
    source.name = kSite;
    source.urls = {"http://127.0.0.1:9/feed.xml"};  // never fetched: only recover() runs
    config.sources.push_back(source);
    ASSERT_TRUE(config::save_config(config::config_path(dir()), config));
    // A pid that is certainly not running: a child that has exited and
    // been reaped. Temp files carrying it are a dead writer's.
    pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    ::waitpid(child, nullptr, 0);
    dead_pid_ = child;
  }

  const fs::path& dir() const { return root_.path(); }

  // `count` articles as a cycle would plan them: numbers reserved in the
  // database first, as run_cycle does.
  std::vector<Planned> plan(std::size_t count, std::size_t first_index = 0) {
    auto db = test::opened(state::StateDb::open(dir()));
    EXPECT_TRUE(db);
    auto first = db->reserve_site_sequence(kSite, count);
    EXPECT_TRUE(first);
    std::vector<Planned> planned;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string n = std::to_string(first_index + i);
      core::Entry entry;
      entry.id = "crash-" + n;
      entry.link = "https://www.rfi.fr/cn/crash/" + n;
      auto keys = identity_keys(kSite, entry);
      archive::ArticleRecord article{core::TimePoint(std::chrono::milliseconds(1700000000000 +
                                                                               1000 * i)),
                                     "标题 " + n, *entry.link, "<p>正文 " + n + "</p>"};
      Planned p;
      p.bytes = archive::render_article(article);
      p.record.identity = keys.front();
      p.record.aliases.assign(keys.begin() + 1, keys.end());
      p.record.site = kSite;
      p.record.seq = *first + i;
      p.record.file_name = archive::article_file_name(archive::article_number(p.record.seq),
                                                      article.title);
      p.record.title = article.title;
      p.record.link = article.link;
      p.record.published = article.published;
      p.record.first_seen = article.published;
      p.record.content_hash = core::sha256_hex(p.bytes.substr(p.bytes.find('\n') + 1));
      planned.push_back(std::move(p));
    }
    return planned;
  }

  fs::path target(const Planned& p) const {
    return dir() / "articles" / archive::site_dir_name(kSite) / p.record.file_name;
  }
  // A staged file that was never renamed: the temp name a BatchWriter gives it.
  void write_temp(const Planned& p) {
    fs::create_directories(target(p).parent_path());
    std::ofstream(target(p).parent_path() / ("." + p.record.file_name + ".tmp-" +
                                             std::to_string(dead_pid_) + "-0"),
                  std::ios::binary)
        << p.bytes;
  }
  void write_placed(const Planned& p) {
    fs::create_directories(target(p).parent_path());
    std::ofstream(target(p), std::ios::binary) << p.bytes;
  }
  // The journal run_cycle writes before its renames (same fields as
  // cycle.cpp's to_json: when that format changes, this must follow).
  void write_journal(const std::vector<Planned>& planned) {
    nlohmann::json journal = nlohmann::json::array();
    for (const auto& p : planned) {
      const auto& a = p.record;
      journal.push_back({{"identity", a.identity},
                         {"aliases", a.aliases},
                         {"site", a.site},
                         {"file", a.file_name},
                         {"seq", a.seq},
                         {"title", a.title},
                         {"link", a.link},
                         {"published", a.published.time_since_epoch().count()},
                         {"first_seen", a.first_seen.time_since_epoch().count()},
                         {"hash", a.content_hash}});
    }
    fs::create_directories((dir() / kJournal).parent_path());
    std::ofstream(dir() / kJournal, std::ios::binary) << journal.dump();
  }
  void record(const std::vector<Planned>& planned) {
    auto db = test::opened(state::StateDb::open(dir()));
    ASSERT_TRUE(db);
    std::vector<state::ArchivedArticle> records;
    for (const auto& p : planned) records.push_back(p.record);
    ASSERT_TRUE(db->record_articles(records));
  }

  void recover() {
    auto mirror = Mirror::open(dir());
    ASSERT_TRUE(mirror) << mirror.error().message;
    auto status = mirror->recover();
    ASSERT_TRUE(status) << status.error().message;
  }

  // The file names the list page links, newest first.
  std::vector<std::string> listed() {
    auto page = archive::parse_list_page(
        read_file(dir() / "lists" / (archive::site_dir_name(kSite) + ".md")));
    EXPECT_TRUE(page) << (page ? "" : page.error().message);
    std::vector<std::string> names;
    if (page)
      for (const auto& entry : page->entries) names.push_back(entry.file_name);
    return names;
  }
  std::vector<std::string> recorded_files() {
    auto db = test::opened(state::StateDb::open(dir()));
    EXPECT_TRUE(db);
    std::vector<std::string> names;
    for (const auto& a : db->newest(kSite, 1000)) names.push_back(a.file_name);
    return names;
  }
  std::vector<std::string> files_and_temps() {
    std::vector<std::string> names;
    if (!fs::exists(dir() / "articles")) return names;
    for (const auto& e : fs::recursive_directory_iterator(dir() / "articles"))
      if (e.is_regular_file()) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  static std::vector<std::string> names_newest_first(std::vector<Planned> planned) {
    std::vector<std::string> names;
    for (auto it = planned.rbegin(); it != planned.rend(); ++it) names.push_back(it->record.file_name);
    return names;
  }
  static std::vector<std::string> sorted_names(const std::vector<Planned>& planned) {
    std::vector<std::string> names;
    for (const auto& p : planned) names.push_back(p.record.file_name);
    std::sort(names.begin(), names.end());
    return names;
  }

  test::TempDir root_;
  pid_t dead_pid_ = -1;
};

// Killed while staging: temp files, no journal. Nothing was visible, so
// nothing is recorded; the temp files go (the articles come again next run).
TEST_F(CrashRecovery, KilledWhileStagingRemovesTheTempFilesOnly) {
  auto planned = plan(3);
  for (const auto& p : planned) write_temp(p);
  recover();
  EXPECT_TRUE(files_and_temps().empty());
  EXPECT_TRUE(recorded_files().empty());
  EXPECT_FALSE(fs::exists(dir() / kJournal));
}

// Killed after the journal, before any rename (during the flush): nothing
// was visible, nothing is recorded, and neither temp files nor journal stay.
TEST_F(CrashRecovery, KilledBeforeTheRenamesRecordsNothing) {
  auto planned = plan(3);
  write_journal(planned);
  for (const auto& p : planned) write_temp(p);
  recover();
  EXPECT_TRUE(files_and_temps().empty());
  EXPECT_TRUE(recorded_files().empty());
  EXPECT_FALSE(fs::exists(dir() / kJournal));
}

// A journal that cannot be read (here a folder where the file should be)
// stops recovery with an error naming it, and stays: removing it would
// leave the files it names written but never recorded.
TEST_F(CrashRecovery, AnUnreadableJournalIsKeptAndNamedInTheError) {
  auto planned = plan(2);
  write_placed(planned[0]);
  fs::create_directories(dir() / kJournal);
  auto mirror = Mirror::open(dir());
  ASSERT_TRUE(mirror) << mirror.error().message;
  auto status = mirror->recover();
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find(kJournal), std::string::npos) << status.error().message;
  EXPECT_TRUE(fs::is_directory(dir() / kJournal));
  EXPECT_TRUE(recorded_files().empty());
}

// Killed between renames: the journal names four files, two made it. Those
// two are recorded and listed; the other two's temp files go.
TEST_F(CrashRecovery, KilledBetweenRenamesRecordsAndListsTheRenamedFiles) {
  auto planned = plan(4);
  write_journal(planned);
  write_placed(planned[0]);
  write_placed(planned[1]);
  write_temp(planned[2]);
  write_temp(planned[3]);
  recover();
  const std::vector<Planned> made_it(planned.begin(), planned.begin() + 2);
  EXPECT_EQ(files_and_temps(), sorted_names(made_it));
  EXPECT_EQ(recorded_files(), names_newest_first(made_it));
  EXPECT_EQ(listed(), names_newest_first(made_it));
  EXPECT_NE(read_file(dir() / "README.md").find("共 2 篇"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir() / kJournal));
}

// Killed after the database recorded the articles but before the list
// pages and README were rewritten: the next run must still list them, even
// when it finds nothing new for that site.
TEST_F(CrashRecovery, KilledAfterRecordingStillListsTheArticles) {
  auto earlier = plan(2);
  write_placed(earlier[0]);
  write_placed(earlier[1]);
  record(earlier);
  recover();  // no journal: lists stay as they are (none yet)

  auto planned = plan(3, 2);
  write_journal(planned);
  for (const auto& p : planned) write_placed(p);
  record(planned);
  recover();
  std::vector<Planned> all = earlier;
  all.insert(all.end(), planned.begin(), planned.end());
  EXPECT_EQ(listed(), names_newest_first(all));
  EXPECT_NE(read_file(dir() / "README.md").find("共 5 篇"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir() / kJournal));
}

// A writer that lost a race (two processes, before the writer lock) placed
// its copies of articles another file already holds, then failed to record
// them. Recovery removes those second copies: no file stays that the state
// does not know, and each story is there once.
TEST_F(CrashRecovery, ASecondCopyOfAKnownArticleIsRemoved) {
  auto first = plan(2);
  for (const auto& p : first) write_placed(p);
  record(first);
  auto copies = first;
  for (auto& copy : copies) {
    auto seq = test::opened(state::StateDb::open(dir()))->reserve_site_sequence(kSite, 1);
    ASSERT_TRUE(seq);
    copy.record.seq = *seq;
    copy.record.file_name = archive::article_file_name(archive::article_number(*seq), copy.record.title);
  }
  write_journal(copies);
  for (const auto& p : copies) write_placed(p);
  recover();
  EXPECT_EQ(files_and_temps(), sorted_names(first));
  EXPECT_EQ(recorded_files(), names_newest_first(first));
  EXPECT_EQ(listed(), names_newest_first(first));
  EXPECT_FALSE(fs::exists(dir() / kJournal));
}

// Recovery itself killed and run again: idempotent, nothing twice.
TEST_F(CrashRecovery, RecoveringTwiceChangesNothing) {
  auto planned = plan(3);
  write_journal(planned);
  for (const auto& p : planned) write_placed(p);
  recover();
  write_journal(planned);  // as if killed before the journal was removed
  recover();
  EXPECT_EQ(recorded_files(), names_newest_first(planned));
  EXPECT_EQ(listed(), names_newest_first(planned));
  EXPECT_EQ(files_and_temps(), sorted_names(planned));
}

}  // namespace
}  // namespace newsmirror::mirror
