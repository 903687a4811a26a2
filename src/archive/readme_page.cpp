#include "archive/readme_page.hpp"

#include <chrono>
#include <cstdio>

#include "archive/file_name.hpp"
#include "archive/list_page.hpp"

namespace newsmirror::archive {
namespace {

// The acknowledgements of the existing mirrors, kept as they are: the feeds
// still come from feedx.net for most operators.
constexpr std::string_view kAcknowledgements =
    "\xE9\xB8\xA3\xE8\xB0\xA2\n"  // 鸣谢
    "------\n"
    "\n"
    "https://feedx.net/\n"
    "\n"
    "\xE5\xA6\x82\xE6\x9E\x9C\xE6\x9C\xAC\xE9\xA1\xB9\xE7\x9B\xAE\xE5\xAF\xB9\xE4\xBD\xA0"
    "\xE6\x9C\x89\xE5\xB8\xAE\xE5\x8A\xA9\xEF\xBC\x8C\xE8\xAF\xB7\xE8\x80\x83\xE8\x99\x91"
    "\xE6\x8D\x90\xE8\xB5\xA0" "feedx\xEF\xBC\x8C\xE8\xB0\xA2\xE8\xB0\xA2\xEF\xBC\x81\n"  // 如果本项目对你有帮助，请考虑捐赠feedx，谢谢！
    "\n"
    "\xE5\x8F\x8B\xE6\x83\x85\xE9\x93\xBE\xE6\x8E\xA5\n"  // 友情链接
    "------\n"
    "\n"
    "\xE5\x85\xAC\xE7\x9B\x8A\xE7\xA4\xBE\xE4\xBC\x9A\xE7\xB1\xBB\xE9\xA1\xB9\xE7\x9B\xAE"
    "\xE6\xB1\x87\xE6\x80\xBB\xEF\xBC\x9A https://github.com/NodeBE4/impact/\n";  // 公益社会类项目汇总： ...

std::string format_utc8(core::TimePoint t) {
  using namespace std::chrono;
  const sys_seconds local = floor<seconds>(t) + hours(8);
  const sys_days day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{local - day};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  return buffer;
}

}  // namespace

std::string render_readme(const std::vector<SiteSummary>& sites) {
  std::string out = "\xE6\x8A\x93\xE5\x8F\x96\xE6\x96\xB0\xE9\x97\xBB\xE5\xAA\x92\xE4\xBD\x93"
                    "\xE6\x96\x87\xE7\xAB\xA0\n------\n\n";  // 抓取新闻媒体文章
  for (const SiteSummary& s : sites) {
    out += '[';
    out += s.site;
    out += "](lists/";
    out += escape_link_path(site_dir_name(s.site));
    out += ".md)\n";
    out += "\xE5\x85\xB1 " + std::to_string(s.article_count) + " \xE7\xAF\x87";  // 共 N 篇
    if (s.newest) {
      out += "\xEF\xBC\x8C\xE6\x9C\x80\xE6\x96\xB0 ";  // ，最新
      out += format_utc8(*s.newest);
      out += " (UTC+8)";
    }
    out += "\n\n";
  }
  out += kAcknowledgements;
  return out;
}

std::vector<std::string> parse_readme_sites(std::string_view bytes) {
  std::vector<std::string> names;
  while (!bytes.empty()) {
    const auto end = bytes.find('\n');
    const std::string_view line = bytes.substr(0, end);
    bytes = end == std::string_view::npos ? std::string_view() : bytes.substr(end + 1);
    if (!line.starts_with('[')) continue;
    if (auto close = line.find("](lists/"); close != std::string_view::npos)
      names.emplace_back(line.substr(1, close - 1));
  }
  return names;
}

}  // namespace newsmirror::archive
