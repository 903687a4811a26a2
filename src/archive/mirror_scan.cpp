#include "archive/mirror_scan.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "archive/file_name.hpp"
#include "archive/list_page.hpp"
#include "archive/readme_page.hpp"
#include "core/mirror_layout.hpp"
#include "core/read_file.hpp"

namespace newsmirror::archive {

namespace fs = std::filesystem;

bool ScannedSite::later_layout() const {
  if (folder != site_dir_name(name)) return true;
  return has_list && !list_footer;
}

namespace {

// A list page or README is a few hundred KB; anything past this is not one.
constexpr std::uintmax_t kMaxPageBytes = 16 * 1024 * 1024;

// An adopted mirror is input like any other: a link or a device where a
// page or a folder should be is passed over, never followed.
bool is_plain_file(const fs::path& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() == fs::file_type::regular;
}
bool is_plain_folder(const fs::path& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() == fs::file_type::directory;
}

std::string read_all(const fs::path& file) {
  std::error_code ec;
  if (!is_plain_file(file) || fs::file_size(file, ec) > kMaxPageBytes || ec) return {};
  auto bytes = core::read_file(file);
  return bytes ? std::move(*bytes) : std::string();
}

// folder -> the list page that links into it.
std::map<std::string, ListPage> list_pages_by_folder(const fs::path& lists) {
  std::map<std::string, ListPage> pages;
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(lists, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".md") files.push_back(it->path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto page = parse_list_page(read_all(file));
    if (!page || page->entries.empty()) continue;
    // A page's name is its file's (the heading may differ in spacing).
    page->site = file.stem().string();
    pages.emplace(page->entries.front().folder, std::move(*page));
  }
  return pages;
}

}  // namespace

std::vector<std::string> readme_site_order(const fs::path& mirror) {
  return parse_readme_sites(read_all(mirror / core::layout::kReadme));
}

std::map<std::string, std::string> list_names_by_folder(const fs::path& mirror) {
  std::map<std::string, std::string> names;
  for (auto& [folder, page] : list_pages_by_folder(mirror / core::layout::kLists)) names.emplace(folder, std::move(page.site));
  return names;
}

core::Result<std::vector<ScannedSite>> scan_mirror(const fs::path& mirror) {
  const auto lists = list_pages_by_folder(mirror / core::layout::kLists);
  std::vector<ScannedSite> sites;
  std::error_code ec;
  const fs::path articles = mirror / core::layout::kArticles;
  for (fs::directory_iterator site(articles, ec), end; !ec && site != end; site.increment(ec)) {
    const std::string folder = site->path().filename().string();
    if (!is_plain_folder(site->path()) || folder.starts_with(".")) continue;
    ScannedSite found;
    found.folder = folder;
    found.name = folder;
    if (auto page = lists.find(folder); page != lists.end()) {
      found.name = page->second.site;
      found.has_list = true;
      found.list_footer = page->second.footer;
    }
    for (fs::directory_iterator file(site->path(), ec); !ec && file != end; file.increment(ec)) {
      const auto name = file->path().filename().string();
      if (!name.ends_with(".md") || name.starts_with(".")) continue;
      auto number = parse_article_number(name);
      if (!number) continue;
      ++found.files;
      found.smallest_number = std::min(found.smallest_number.value_or(*number), *number);
      found.highest_sequence = std::max(found.highest_sequence, sequence_of_number(*number));
    }
    if (ec) break;
    sites.push_back(std::move(found));
  }
  if (ec)
    return core::Error(core::ErrorKind::io,
                       fmt::format("{}: cannot read the existing archive: {}", articles.string(), ec.message()));
  std::sort(sites.begin(), sites.end(),
            [](const ScannedSite& a, const ScannedSite& b) { return a.folder < b.folder; });
  return sites;
}

}  // namespace newsmirror::archive
