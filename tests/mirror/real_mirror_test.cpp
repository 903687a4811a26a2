// Taking over the real mirrors (../shared/corpus/archive, archive-later) and
// going on exactly as their old script would have: the same folders, file
// names and numbers per site, the same list pages with the new articles on
// top, the same README, and no article archived or edited twice.
//
// The corpus holds a sample of each site's files but every line of its list
// pages. A mirror is rebuilt from it with a stand-in file for each listed
// article the sample lacks (its real name, title and day), so that each
// site's folder is what the real one held when its list was written.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "archive/list_page.hpp"
#include "config/config.hpp"
#include "fixtures.hpp"
#include "mirror/mirror.hpp"
#include "support/cli.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

namespace newsmirror {
namespace {

namespace fs = std::filesystem;
using test::HttpServer;
using test::mirror_fixtures::Item;
using test::mirror_fixtures::rss;
using test::read_file;

constexpr const char* kRss = "application/rss+xml";

fs::path corpus(std::string_view part) { return test::shared_dir() / "corpus" / std::string(part); }

void write(const fs::path& file, std::string_view bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

// Copies articles/, lists/ and README.md of a corpus folder (the corpus is
// read-only) and writes a stand-in for every listed article it lacks.
void rebuild_mirror(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const char* part : {"articles", "lists"})
    if (fs::exists(from / part)) fs::copy(from / part, to / part, fs::copy_options::recursive);
  if (fs::exists(from / "README.md")) fs::copy_file(from / "README.md", to / "README.md");
  for (const auto& e : fs::recursive_directory_iterator(to))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  for (const auto& page_file : fs::directory_iterator(to / "lists")) {
    auto page = archive::parse_list_page(read_file(page_file.path()));
    ASSERT_TRUE(page) << page_file.path() << ": " << page.error().message;
    for (const auto& entry : page->entries) {
      // BBC 1047474's link turned its `\` into `/`: the real file is there.
      if (entry.file_name.find('/') != std::string::npos) continue;
      auto file = to / "articles" / entry.folder / entry.file_name;
      if (fs::exists(file)) continue;
      using namespace std::chrono;
      archive::ArticleRecord stand_in;
      // Noon in UTC+8 on the listed day (2020 has every day a list shows).
      stand_in.published = time_point_cast<milliseconds>(
          sys_days(year{2020} / month{entry.month} / day{entry.day}) + hours(4));
      stand_in.title = entry.title;
      stand_in.link = "https://corpus.example/" + entry.folder + "/" + entry.file_name;
      stand_in.html = "<p>" + entry.title + "</p>";
      write(file, archive::render_article(stand_in));
    }
  }
}

// A list page as the old generator wrote it from a folder: the files by
// name (all numbers of a corpus site have as many digits, so this is the
// numeric order too), the first `entries`, each with its day in UTC+8 and
// its trimmed title, the path escaped the old way (U+0020 and `|`), plus
// newsmirror's one deliberate difference: `\` stays in the name as %5C
// where the old link turned it into `/` and broke (docs/archive-format.md).
std::string old_list_page(const fs::path& mirror, const std::string& name, const std::string& folder,
                          std::size_t entries, bool footer) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(mirror / "articles" / folder))
    if (e.path().extension() == ".md") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  std::string page = name + "\n------\n\n";
  for (std::size_t i = 0; i < files.size() && i < entries; ++i) {
    auto article = archive::read_article(read_file(mirror / "articles" / folder / files[i]));
    EXPECT_TRUE(article) << files[i];
    if (!article) continue;
    using namespace std::chrono;
    const auto local = floor<days>(article->published + hours(8));
    const year_month_day ymd{local};
    std::string path;
    for (char c : files[i]) {
      if (c == ' ') path += "%20";
      else if (c == '|') path += "%7C";
      else if (c == '\\') path += "%5C";
      else path += c;
    }
    std::string title = article->title;
    title.erase(0, title.find_first_not_of(' '));
    title.erase(title.find_last_not_of(' ') + 1);
    page += std::to_string(static_cast<unsigned>(ymd.month())) + "-" + std::to_string(static_cast<unsigned>(ymd.day())) +
            " [" + title + "](/articles/" + folder + "/" + path + ")\n\n";
  }
  if (footer) page += "\n[查看更多](/articles/" + folder + ")";
  return page;
}

// The entry lines of a page (no heading, no footer).
std::vector<std::string> all_lines(const std::string& text);

std::vector<std::string> entry_lines(const std::string& page) {
  std::vector<std::string> lines;
  for (auto& line : all_lines(page))
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line.front()))) lines.push_back(std::move(line));
  return lines;
}

std::vector<std::string> all_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::map<std::string, std::string> files_under(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = read_file(e.path());
  return files;
}

std::uint64_t smallest_number(const fs::path& folder) {
  std::uint64_t smallest = UINT64_MAX;
  for (const auto& e : fs::directory_iterator(folder))
    if (auto n = archive::parse_article_number(e.path().filename().string())) smallest = std::min(smallest, *n);
  return smallest;
}

class RealMirror : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(test::shared_dir() / "corpus")) GTEST_SKIP() << "../shared is absent: no real mirror to continue";
  }

  fs::path mirror() const { return root_.path() / "mirror"; }

  void adopt() {
    auto init = test::run_newsmirror(root_.path(), {"--quiet", "init", mirror().string()});
    ASSERT_EQ(init.status, 0) << init.err;
  }

  // Points each named source at its feed on `server` and drops the others.
  void serve_feeds(const std::map<std::string, std::vector<Item>>& feeds) {
    auto config = config::load_config(config::config_path(mirror()));
    ASSERT_TRUE(config) << config.error().message;
    std::erase_if(config->sources, [&](const auto& s) { return !feeds.count(s.name); });
    ASSERT_EQ(config->sources.size(), feeds.size()) << "init must have kept a source per site";
    for (std::size_t i = 0; i < config->sources.size(); ++i) {
      auto& source = config->sources[i];
      const std::string path = "/feed-" + std::to_string(i) + ".xml";
      server_.serve_file(path, rss(feeds.at(source.name)), kRss);
      source.urls = {server_.url(path)};
    }
    config->timeout = std::chrono::seconds(5);
    ASSERT_TRUE(config::save_config(config::config_path(mirror()), *config));
  }

  mirror::CycleReport cycle() {
    auto opened = mirror::Mirror::open(mirror());
    EXPECT_TRUE(opened) << opened.error().message;
    if (!opened) return {};
    auto report = opened->run_cycle({});
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : mirror::CycleReport{};
  }

  // An item carrying an archived file again, exactly as archived.
  static Item known_item(const fs::path& file) {
    auto article = archive::read_article(read_file(file));
    EXPECT_TRUE(article) << file;
    return {article->title, article->link, article->link, "Sat, 10 Oct 2020 02:00:00 GMT", article->html};
  }

  test::TempDir root_;
  HttpServer server_;
};

struct NewStory {
  std::string title;
  std::string guid;  // empty: the link
};

std::vector<Item> new_items(const std::string& site, const std::vector<NewStory>& stories) {
  std::vector<Item> items;
  // Newest first, as feeds list them: the last story is the newest.
  for (std::size_t i = stories.size(); i-- > 0;) {
    const std::string link = "https://news.example/" + site + "/new-" + std::to_string(i);
    items.push_back({stories[i].title, link, stories[i].guid.empty() ? link : stories[i].guid,
                     "Wed, 14 Oct 2020 0" + std::to_string(i + 1) + ":00:00 GMT",
                     "<p>" + stories[i].title + "的正文。</p>"});
  }
  return items;
}

TEST_F(RealMirror, TheEarlyLayoutGoesOnPerSiteWithTheListsAndReadmeTheOldScriptWouldWrite) {
  rebuild_mirror(corpus("archive"), mirror());
  const auto before = files_under(mirror());
  const std::string old_readme = read_file(mirror() / "README.md");
  adopt();
  for (const auto& [path, bytes] : files_under(mirror())) {
    if (path.starts_with(".newsmirror/") || path == "newsmirror.toml") continue;
    EXPECT_EQ(bytes, before.at(path)) << path << ": adoption touches no file of the mirror";
  }

  // Every site: two stories it has (the newest sample file and another),
  // and three new ones; 中国数字时代 numbers by post id, one guid without.
  std::map<std::string, std::vector<Item>> feeds;
  std::map<std::string, std::vector<std::string>> expected_names;
  std::map<std::string, std::vector<std::string>> known_files;
  for (const auto& site_dir : fs::directory_iterator(mirror() / "articles")) {
    const std::string site = site_dir.path().filename().string();
    std::vector<std::string> sample;
    for (const auto& e : fs::directory_iterator(corpus("archive") / "articles" / site))
      sample.push_back(e.path().filename().string());
    std::sort(sample.begin(), sample.end());
    known_files[site] = {sample.front(), sample.back()};
    const bool by_post_id = site == "中国数字时代";
    std::vector<NewStory> stories = {{site + "：第一条新闻", ""}, {site + "：第二条新闻", ""}, {site + "：第三条新闻", ""}};
    if (by_post_id) {  // newer posts than the sample's newest (390916 = 0xFFFFF ^ 657659)
      stories[0].guid = "https://chinadigitaltimes.net/chinese/?p=657800";
      stories[2].guid = "https://chinadigitaltimes.net/chinese/?p=657900";
    }
    auto items = new_items(site, stories);
    for (const auto& name : known_files[site]) items.push_back(known_item(site_dir.path() / name));
    feeds[site] = items;
    const auto smallest = smallest_number(site_dir.path());
    std::vector<std::uint64_t> numbers = {smallest - 1, smallest - 2, smallest - 3};
    // The story without a post id counts down past everything the site
    // has, the ids claimed in this cycle included.
    if (by_post_id) numbers = {0xFFFFF ^ 657800, 0xFFFFF ^ 657901, 0xFFFFF ^ 657900};
    for (std::size_t i = 0; i < stories.size(); ++i)
      expected_names[site].push_back(archive::article_file_name(numbers[i], stories[i].title));
  }
  serve_feeds(feeds);
  auto report = cycle();
  ASSERT_EQ(report.sources.size(), feeds.size());
  for (const auto& source : report.sources) {
    EXPECT_FALSE(source.failed()) << source.name << ": " << source.error->message;
    EXPECT_EQ(source.new_articles, 3u) << source.name;
    EXPECT_EQ(source.changed, 0u) << source.name << ": cleaning an adopted article is not an edit";
    EXPECT_EQ(source.unchanged, 2u) << source.name;
  }

  for (const auto& [site, names] : expected_names) {
    for (const auto& name : names)
      EXPECT_TRUE(fs::exists(mirror() / "articles" / site / name)) << site << "/" << name;
    for (const auto& name : known_files[site])
      EXPECT_EQ(read_file(mirror() / "articles" / site / name), before.at("articles/" + site + "/" + name))
          << site << "/" << name << " was rewritten";
    const auto ours = read_file(mirror() / "lists" / (site + ".md"));
    EXPECT_EQ(ours, old_list_page(mirror(), site, site, 100, true)) << "lists/" << site << ".md";
    // The oracle itself writes every line the real page has, byte for byte
    // (bar the link the old generator broke).
    const auto real_lines = entry_lines(before.at("lists/" + site + ".md"));
    const auto oracle_lines = entry_lines(old_list_page(mirror(), site, site, 1000, true));
    for (const auto& line : real_lines) {
      if (line.find("1047474_中国品牌/") != std::string::npos) continue;
      EXPECT_NE(std::find(oracle_lines.begin(), oracle_lines.end(), line), oracle_lines.end())
          << "lists/" << site << ".md: " << line;
    }
    // The three new articles are on top.
    const auto our_lines = entry_lines(ours);
    ASSERT_GE(our_lines.size(), 3u);
    for (const auto& name : names) {
      const auto link = "/" + archive::escape_link_path(name) + ")";
      EXPECT_TRUE(std::any_of(our_lines.begin(), our_lines.begin() + 3,
                              [&](const std::string& line) { return line.ends_with(link); }))
          << site << ": " << name << " is not on top";
    }
  }

  // The README lists the sites in the old order, each with as many
  // articles as its folder holds, and keeps the acknowledgements.
  const auto readme = read_file(mirror() / "README.md");
  std::vector<std::string> old_links, new_links;
  for (const auto* text : {&old_readme, &readme})
    for (const auto& line : all_lines(*text))
      if (line.starts_with("[") && line.find("](lists/") != std::string::npos)
        (text == &old_readme ? old_links : new_links).push_back(line);
  EXPECT_EQ(new_links, old_links);
  for (const auto& [site, names] : expected_names) {
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(mirror() / "articles" / site)) files += e.path().extension() == ".md";
    EXPECT_NE(readme.find("[" + site + "](lists/" + site + ".md)\n共 " + std::to_string(files) + " 篇"),
              std::string::npos)
        << site << " should count " << files << " articles:\n" << readme;
  }
  EXPECT_TRUE(readme.ends_with(old_readme.substr(old_readme.find("鸣谢")))) << readme;

  // A second cycle with the same feeds finds nothing new and edits nothing.
  const auto settled = files_under(mirror() / "articles");
  auto again = cycle();
  for (const auto& source : again.sources) {
    EXPECT_EQ(source.new_articles, 0u) << source.name;
    EXPECT_EQ(source.changed, 0u) << source.name;
  }
  EXPECT_EQ(files_under(mirror() / "articles"), settled);
}

TEST_F(RealMirror, TheLaterLayoutGoesOnInItsAsciiFoldersWithNumberedNamesAndLongLists) {
  // archive-later: BBC in articles/bbc under lists/BBC.md (300 entries, no
  // footer); the 2024 德国之声 page of the same family links articles/dw.
  const bool have_later = fs::exists(corpus("archive-later") / "lists");
  if (!have_later) GTEST_SKIP() << "../shared/corpus/archive-later is absent";
  rebuild_mirror(corpus("archive-later"), mirror());
  fs::copy_file(corpus("archive") / "later-layout" / "lists" / "德国之声.md", mirror() / "lists" / "德国之声.md");
  fs::permissions(mirror() / "lists" / "德国之声.md", fs::perms::owner_write, fs::perm_options::add);
  for (const auto& page_file : {mirror() / "lists" / "德国之声.md"}) {
    auto page = archive::parse_list_page(read_file(page_file));
    ASSERT_TRUE(page);
    for (const auto& entry : page->entries) {
      archive::ArticleRecord stand_in;
      using namespace std::chrono;
      stand_in.published = time_point_cast<milliseconds>(
          sys_days(year{2020} / month{entry.month} / day{entry.day}) + hours(4));
      stand_in.title = entry.title;
      stand_in.link = "https://corpus.example/dw/" + entry.file_name;
      stand_in.html = "<p>" + entry.title + "</p>";
      write(mirror() / "articles" / "dw" / entry.file_name, archive::render_article(stand_in));
    }
  }
  const auto before = files_under(mirror());
  adopt();
  auto config = config::load_config(config::config_path(mirror()));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->layout, config::Layout::later);
  EXPECT_EQ(config::find_source(*config, "BBC")->folder, "bbc");
  EXPECT_EQ(config::find_source(*config, "德国之声")->folder, "dw");
  EXPECT_EQ(config::find_source(*config, "法广")->folder, "rfi") << "sites yet to come take the family's folders";

  std::map<std::string, std::vector<Item>> feeds;
  std::map<std::string, std::string> folder_of = {{"BBC", "bbc"}, {"德国之声", "dw"}};
  for (const auto& [site, folder] : folder_of) {
    auto items = new_items(folder, {{site + "：新闻甲", ""}, {site + "：新闻乙", ""}});
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(mirror() / "articles" / folder)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    items.push_back(known_item(mirror() / "articles" / folder / names.front()));
    feeds[site] = items;
  }
  serve_feeds(feeds);
  const auto smallest_bbc = smallest_number(mirror() / "articles" / "bbc");
  const auto smallest_dw = smallest_number(mirror() / "articles" / "dw");
  auto report = cycle();
  for (const auto& source : report.sources) {
    EXPECT_FALSE(source.failed()) << source.name << ": " << source.error->message;
    EXPECT_EQ(source.new_articles, 2u) << source.name;
    EXPECT_EQ(source.changed, 0u) << source.name;
  }
  // <N>.md, no title, below each site's own smallest number.
  for (auto [folder, smallest] : {std::pair{std::string("bbc"), smallest_bbc}, std::pair{std::string("dw"), smallest_dw}}) {
    EXPECT_TRUE(fs::exists(mirror() / "articles" / folder / (std::to_string(smallest - 1) + ".md"))) << folder;
    EXPECT_TRUE(fs::exists(mirror() / "articles" / folder / (std::to_string(smallest - 2) + ".md"))) << folder;
  }
  for (const auto& [site, folder] : folder_of) {
    const auto ours = read_file(mirror() / "lists" / (site + ".md"));
    EXPECT_EQ(ours, old_list_page(mirror(), site, folder, 300, false)) << "lists/" << site << ".md";
    EXPECT_TRUE(ours.ends_with(".md)\n\n")) << "the later pages end with a blank line";
    const auto real_lines = entry_lines(before.at("lists/" + site + ".md"));
    const auto our_lines = entry_lines(ours);
    ASSERT_EQ(our_lines.size(), 300u);
    // The old page, moved down by the two new articles.
    EXPECT_TRUE(std::equal(real_lines.begin(), real_lines.end() - 2, our_lines.begin() + 2)) << site;
  }
  for (const auto& [path, bytes] : before) {
    if (!path.starts_with("articles/")) continue;
    EXPECT_EQ(read_file(mirror() / path), bytes) << path << " was rewritten";
  }
}

TEST_F(RealMirror, ImportIntoAMirrorThatFetchedSomeOfTheSameStoriesAddsOnlyTheRest) {
  // The mirror fetched four of the sample's eight 纽约时报 stories (cleaned,
  // so not the same bytes as the old mirror's files); importing the old
  // mirror then copies only the stories it does not hold.
  fs::create_directories(mirror());
  auto init = test::run_newsmirror(root_.path(), {"--quiet", "init", "--empty", mirror().string()});
  ASSERT_EQ(init.status, 0) << init.err;
  auto add = test::run_newsmirror(root_.path(), {"--mirror", mirror().string(), "--quiet", "sources", "add",
                                                 "纽约时报", "https://placeholder.example/feed"});
  ASSERT_EQ(add.status, 0) << add.err;
  std::vector<fs::path> nyt;
  for (const auto& e : fs::directory_iterator(corpus("archive") / "articles" / "纽约时报")) nyt.push_back(e.path());
  std::sort(nyt.begin(), nyt.end());
  ASSERT_EQ(nyt.size(), 8u);
  std::vector<Item> fetched;
  for (std::size_t i = 0; i < nyt.size(); i += 2) fetched.push_back(known_item(nyt[i]));
  serve_feeds({{"纽约时报", fetched}});
  ASSERT_EQ(cycle().total_new(), 4u);

  const fs::path old_mirror = root_.path() / "old";
  fs::create_directories(old_mirror);
  fs::copy(corpus("archive") / "articles", old_mirror / "articles", fs::copy_options::recursive);
  auto imported = test::run_newsmirror(root_.path(), {"--mirror", mirror().string(), "--json", "import", old_mirror.string()});
  ASSERT_EQ(imported.status, 0) << imported.err;
  auto report = nlohmann::json::parse(imported.out);
  EXPECT_EQ(report.at("copied"), 65) << imported.out;
  EXPECT_EQ(report.at("already_present"), 4) << imported.out;

  std::size_t files = 0;
  std::set<std::string> links;
  for (const auto& e : fs::directory_iterator(mirror() / "articles" / "纽约时报")) {
    ++files;
    links.insert(archive::read_article(read_file(e.path()))->link);
  }
  EXPECT_EQ(files, 8u) << "one file per story";
  EXPECT_EQ(links.size(), 8u);
  // The README counts what the folders hold.
  const auto readme = read_file(mirror() / "README.md");
  EXPECT_NE(readme.find("[纽约时报](lists/纽约时报.md)\n共 8 篇"), std::string::npos) << readme;
  EXPECT_NE(readme.find("[法广](lists/法广.md)\n共 14 篇"), std::string::npos) << readme;
  // Imported again: nothing new.
  auto again = test::run_newsmirror(root_.path(), {"--mirror", mirror().string(), "--json", "import", old_mirror.string()});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out).at("copied"), 0) << again.out;
}

TEST_F(RealMirror, ImportMatchesSitesByNameAcrossLayouts) {
  // The later mirror keeps BBC in articles/bbc under lists/BBC.md; a mirror
  // whose BBC is in articles/BBC takes its copies there, not in a second
  // site "bbc".
  if (!fs::exists(corpus("archive-later") / "lists")) GTEST_SKIP() << "../shared/corpus/archive-later is absent";
  fs::create_directories(mirror());
  ASSERT_EQ(test::run_newsmirror(root_.path(), {"--quiet", "init", "--empty", mirror().string()}).status, 0);
  ASSERT_EQ(test::run_newsmirror(root_.path(), {"--mirror", mirror().string(), "--quiet", "sources", "add", "--no-check",
                                                "BBC", "https://placeholder.example/feed"})
                .status,
            0);
  const fs::path later = root_.path() / "later";
  fs::create_directories(later);
  for (const char* part : {"articles", "lists"})
    fs::copy(corpus("archive-later") / part, later / part, fs::copy_options::recursive);
  auto imported = test::run_newsmirror(root_.path(), {"--mirror", mirror().string(), "--json", "import", later.string()});
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_EQ(nlohmann::json::parse(imported.out).at("copied"), 30) << imported.out;
  EXPECT_FALSE(fs::exists(mirror() / "articles" / "bbc")) << "no second BBC";
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(mirror() / "articles" / "BBC")) files += e.path().extension() == ".md";
  EXPECT_EQ(files, 30u);
  const auto list = read_file(mirror() / "lists" / "BBC.md");
  EXPECT_NE(list.find("](/articles/BBC/1043575.md)"), std::string::npos) << list.substr(0, 300);
}

TEST_F(RealMirror, TwoFilesOfOneStoryAreBothKeptListedAndCounted) {
  // Old mirrors hold one story under two numbers (RFA 1047535/1047536):
  // adoption knows both files, and the list page and README keep both.
  for (std::uint64_t n : {1047535, 1047536}) {
    archive::ArticleRecord r;
    r.published = core::TimePoint(std::chrono::milliseconds(1602300000000 + static_cast<std::int64_t>(n % 10) * 60000));
    r.title = "同一篇报道";
    r.link = "https://www.rfa.org/mandarin/same.html";
    r.html = "<p>正文</p>";
    write(mirror() / "articles" / "自由亚洲电台" / archive::article_file_name(n, r.title), archive::render_article(r));
  }
  adopt();
  serve_feeds({{"自由亚洲电台", new_items("rfa", {{"新的一篇", ""}})}});
  ASSERT_EQ(cycle().total_new(), 1u);
  auto lines = entry_lines(read_file(mirror() / "lists" / "自由亚洲电台.md"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[1].find("/1047535_"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("/1047536_"), std::string::npos) << lines[2];
  EXPECT_NE(read_file(mirror() / "README.md").find("共 3 篇"), std::string::npos);
}

TEST_F(RealMirror, TwoItemsCarryingOnePostIdGetTwoNumbers) {
  // A post id decides the number only once: a second item with the same id
  // (another GUID form, another link) counts down instead of sharing a file.
  rebuild_mirror(corpus("archive"), mirror());
  adopt();
  std::vector<Item> items = {
      {"同号甲", "https://chinadigitaltimes.net/chinese/a", "https://chinadigitaltimes.net/chinese/?p=658000",
       "Wed, 14 Oct 2020 01:00:00 GMT", "<p>甲</p>"},
      {"同号乙", "https://chinadigitaltimes.net/chinese/b", "https://chinadigitaltimes.net/chinese/?p=658000&lang=zh",
       "Wed, 14 Oct 2020 02:00:00 GMT", "<p>乙</p>"},
  };
  serve_feeds({{"中国数字时代", items}});
  ASSERT_EQ(cycle().total_new(), 2u);
  std::set<std::uint64_t> numbers;
  std::set<std::string> titles;
  for (const auto& e : fs::directory_iterator(mirror() / "articles" / "中国数字时代")) {
    auto article = archive::read_article(read_file(e.path()));
    if (article->title.starts_with("同号")) {
      titles.insert(article->title);
      numbers.insert(*archive::parse_article_number(e.path().filename().string()));
    }
  }
  EXPECT_EQ(titles.size(), 2u) << "neither overwrote the other";
  EXPECT_EQ(numbers.size(), 2u);
  EXPECT_TRUE(numbers.count(0xFFFFF ^ 658000));
}

TEST_F(RealMirror, AMirrorWhoseNumbersCrossedAMillionGoesOnBelowItsNumericMinimum) {
  // From September 2023 the old script kept taking 1000000.md as the first
  // file by name and wrote 999999.md again and again. Adopted in that
  // state, the site goes on below 999990 and overwrites nothing.
  for (std::uint64_t n = 999990; n <= 1000000; ++n) {
    archive::ArticleRecord r;
    r.published = core::TimePoint(std::chrono::milliseconds(1694000000000 + static_cast<std::int64_t>(n % 100) * 60000));
    r.title = "旧文章 " + std::to_string(n);
    r.link = "https://www.rfi.fr/cn/old/" + std::to_string(n);
    r.html = "<p>旧文章</p>";
    write(mirror() / "articles" / "rfi" / (std::to_string(n) + ".md"), archive::render_article(r));
  }
  write(mirror() / "lists" / "法广.md", "法广\n------\n\n9-7 [旧文章 1000000](/articles/rfi/1000000.md)\n\n");
  const auto before = files_under(mirror() / "articles");
  adopt();
  serve_feeds({{"法广", new_items("rfi", {{"新闻甲", ""}, {"新闻乙", ""}})}});
  auto report = cycle();
  ASSERT_EQ(report.total_new(), 2u);
  EXPECT_TRUE(fs::exists(mirror() / "articles" / "rfi" / "999989.md"));
  EXPECT_TRUE(fs::exists(mirror() / "articles" / "rfi" / "999988.md"));
  for (const auto& [path, bytes] : before) EXPECT_EQ(read_file(mirror() / "articles" / path), bytes) << path;
  auto lines = entry_lines(read_file(mirror() / "lists" / "法广.md"));
  ASSERT_EQ(lines.size(), 13u);
  EXPECT_NE(lines[0].find("/999988.md)"), std::string::npos) << lines[0];
  EXPECT_NE(lines[2].find("/999990.md)"), std::string::npos) << lines[2];
  EXPECT_NE(lines[12].find("/1000000.md)"), std::string::npos) << "numeric order, not name order";
}

}  // namespace
}  // namespace newsmirror
