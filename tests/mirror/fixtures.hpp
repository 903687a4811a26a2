// Helpers for the mirror integration tests: a mirror folder whose config
// points at a loopback server, RSS documents built from a few fields, and
// ways to look at what a cycle left on disk.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "archive/file_name.hpp"
#include "config/config.hpp"
#include "mirror/mirror.hpp"
#include "support/paths.hpp"

namespace newsmirror::test {

namespace mirror_fixtures {

namespace fs = std::filesystem;

// One <item>. Empty fields are left out of the XML, so an item can lack a
// date, a GUID or a link exactly as real feeds do.
struct Item {
  std::string title;
  std::string link;
  std::string guid;
  std::string date;  // RFC 822, e.g. "Fri, 14 Jul 2023 11:45:02 GMT"
  std::string html;  // goes into a CDATA section as content:encoded
};

inline std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// An RSS 2.0 document listing `items` in the given order (feeds list the
// newest first). `encoding` only labels the XML declaration; the caller
// converts the bytes when it names something other than UTF-8.
inline std::string rss(const std::vector<Item>& items, std::string_view encoding = "UTF-8") {
  std::string out = "<?xml version=\"1.0\" encoding=\"" + std::string(encoding) + "\"?>\n";
  out += "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n";
  out += "<channel><title>test feed</title><link>https://news.example/</link>\n";
  for (const auto& item : items) {
    out += "<item>";
    if (!item.title.empty()) out += "<title>" + xml_escape(item.title) + "</title>";
    if (!item.link.empty()) out += "<link>" + xml_escape(item.link) + "</link>";
    if (!item.guid.empty())
      out += "<guid isPermaLink=\"false\">" + xml_escape(item.guid) + "</guid>";
    if (!item.date.empty()) out += "<pubDate>" + item.date + "</pubDate>";
    if (!item.html.empty()) out += "<content:encoded><![CDATA[" + item.html + "]]></content:encoded>";
    out += "</item>\n";
  }
  out += "</channel></rss>\n";
  return out;
}

// A mirror folder in a temp dir. Sources are added before the first cycle;
// each cycle opens the mirror afresh, as separate `newsmirror fetch` runs do.
class MirrorFolder {
 public:
  MirrorFolder() {
    // Short limits: a test that needs a timeout waits seconds, not a minute.
    config_.timeout = std::chrono::seconds(2);
    config_.connect_timeout = std::chrono::seconds(2);
    config_.concurrency = 16;
    config_.per_host = 16;
    config_.sources.clear();
  }

  const fs::path& dir() const { return temp_.path(); }
  config::Config& config() { return config_; }

  void add_source(std::string name, std::vector<std::string> urls) {
    config::Source source;
    source.name = std::move(name);
    source.urls = std::move(urls);
    config_.sources.push_back(std::move(source));
  }

  // Saves the config and runs one cycle; a failure to open or to write the
  // archive fails the test (per-source failures are in the report).
  mirror::CycleReport cycle(mirror::CycleOptions options = {}) {
    auto saved = config::save_config(config::config_path(dir()), config_);
    EXPECT_TRUE(saved) << saved.error().message;
    auto mirror = mirror::Mirror::open(dir());
    EXPECT_TRUE(mirror) << mirror.error().message;
    if (!mirror) return {};
    auto report = mirror->run_cycle(options);
    EXPECT_TRUE(report) << report.error().message;
    if (!report) return {};
    return *report;
  }

  fs::path site_dir(std::string_view site) const {
    return dir() / "articles" / archive::site_dir_name(site);
  }
  fs::path list_page(std::string_view site) const {
    return dir() / "lists" / (archive::site_dir_name(site) + ".md");
  }

  // The article files of a site, by file name.
  std::vector<std::string> article_names(std::string_view site) const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(site_dir(site), ec))
      if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  // Every file of the archive (not the state folder), path -> bytes.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir())) {
      auto relative = fs::relative(entry.path(), dir());
      if (*relative.begin() == ".newsmirror") continue;
      if (entry.is_regular_file()) files[relative.string()] = read_file(entry.path());
    }
    return files;
  }

 private:
  TempDir temp_;
  config::Config config_;
};

// The report of `name`, or a test failure.
inline const mirror::SourceReport* find_report(const mirror::CycleReport& report,
                                               std::string_view name) {
  for (const auto& source : report.sources)
    if (source.name == name) return &source;
  ADD_FAILURE() << "no report for source " << name;
  return nullptr;
}

// The entries of a list page in order: the file names they link to
// (unescaped the way the list page escapes them: %20 and %7C).
inline std::vector<std::string> list_links(const std::string& page) {
  std::vector<std::string> links;
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0]))) continue;
    auto open = line.rfind("](");
    if (open == std::string::npos || line.back() != ')') continue;
    auto target = line.substr(open + 2, line.size() - open - 3);
    auto slash = target.rfind('/');
    auto name = target.substr(slash + 1);
    std::string plain;
    for (std::size_t i = 0; i < name.size(); ++i) {
      if (name.compare(i, 3, "%20") == 0) plain += ' ', i += 2;
      else if (name.compare(i, 3, "%7C") == 0) plain += '|', i += 2;
      else plain += name[i];
    }
    links.push_back(plain);
  }
  return links;
}

}  // namespace mirror_fixtures
}  // namespace newsmirror::test
