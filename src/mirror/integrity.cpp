#include "mirror/integrity.hpp"

#include <filesystem>
#include <iterator>
#include <set>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "catalog/catalog.hpp"
#include "core/mirror_layout.hpp"
#include "core/read_file.hpp"
#include "mirror/site_folders.hpp"
#include "state/state_db.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::mirror {

namespace fs = std::filesystem;

namespace {

// What the file holds; an unreadable file reads as empty (as a file the
// scan cannot parse, it is reported by what it lacks).
std::string read_bytes(const fs::path& file) {
  auto bytes = core::read_file(file);
  return bytes ? std::move(*bytes) : std::string();
}

class Checker {
 public:
  Checker(Mirror& mirror, bool repair) : mirror_(mirror), dir_(mirror.dir()), repair_(repair) {}

  core::Result<IntegrityReport> run() {
    if (auto s = leftovers(); !s) return s.error();
    auto state = state::StateDb::open(dir_);
    if (!state) return state.error();
    SiteFolders folders((*state)->site_folders(), mirror_.config());
    scan_articles(folders);
    against_state(**state, folders);
    if (auto catalog = catalog::Catalog::open(dir_)) against_catalog(**catalog);
    else problem("catalog", "cannot be opened: " + catalog.error().message + " (newsmirror reindex rebuilds it)");
    if (auto s = lists(); !s) return s.error();
    return std::move(report_);
  }

 private:
  void problem(std::string where, std::string what, bool repaired = false) {
    report_.problems.push_back({std::move(where), std::move(what), repaired});
  }

  // What an interrupted write or cycle left behind.
  core::Status leftovers() {
    if (fs::exists(dir_ / core::layout::kCycleJournal)) {
      bool repaired = false;
      if (repair_) {
        if (auto s = mirror_.recover(); !s) return s;
        repaired = true;
      }
      problem(std::string(core::layout::kCycleJournal), "an interrupted cycle's journal: its articles may be unlisted", repaired);
    }
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir_, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it->is_directory() && it->path().filename() == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      if (!core::layout::is_temp_file_name(it->path().filename().string())) continue;
      bool repaired = repair_ && fs::remove(it->path(), ec);
      problem(fs::relative(it->path(), dir_).generic_string(), "a temp file an interrupted write left", repaired);
    }
    return core::ok_status();
  }

  void scan_articles(const SiteFolders& folders) {
    std::error_code ec;
    for (const auto& folder : fs::directory_iterator(dir_ / core::layout::kArticles, ec)) {
      if (!folder.is_directory() || folder.is_symlink()) continue;
      const std::string folder_name = folder.path().filename().string();
      for (const auto& entry : fs::directory_iterator(folder.path(), ec)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || core::layout::is_temp_file_name(name) || !name.ends_with(".md")) continue;
        const std::string where = "articles/" + folder_name + "/" + name;
        ++report_.article_files;
        files_.insert(where);
        site_files_.insert({folders.site_in(folder_name), name});
        if (!archive::parse_article_number(name)) problem(where, "no article number in its name");
        std::string bytes = read_bytes(entry.path());
        if (bytes.empty() || bytes.back() != '\n') problem(where, "does not end with a newline (cut short?)");
        auto article = archive::read_article(bytes);
        if (!article) {
          problem(where, "unreadable: " + article.error().message);
          continue;
        }
        missing_assets(where, article->html);
      }
    }
  }

  // Local images an article links ("../../assets/ab/<sha256>.png").
  void missing_assets(const std::string& where, const std::string& html) {
    static constexpr std::string_view kLink = "../../assets/";
    for (std::size_t at = 0; (at = html.find(kLink, at)) != std::string::npos;) {
      at += kLink.size();
      std::size_t end = html.find_first_of("\"' )", at);
      std::string asset = "assets/" + html.substr(at, end == std::string::npos ? std::string::npos : end - at);
      if (!fs::exists(dir_ / asset)) problem(where, "links a local image that is missing: " + asset);
    }
  }

  void against_state(state::StateDb& state, const SiteFolders& folders) {
    std::set<std::pair<std::string, std::string>> recorded;
    for (const auto& count : state.site_summaries()) {
      for (const auto& article : state.newest(count.site, static_cast<std::size_t>(count.articles) + 1)) {
        recorded.insert({article.site, article.file_name});
        const std::string where = "articles/" + folders.folder_of(article.site) + "/" + article.file_name;
        if (!files_.count(where))
          problem(where, "recorded in the state (" + article.identity + ") but the file is gone");
      }
    }
    for (const auto& [site, name] : site_files_)
      if (!recorded.count({site, name}))
        problem("articles/" + folders.folder_of(site) + "/" + name,
                "not in the state: a feed carrying it again would archive it twice (newsmirror import adopts it)");
  }

  void against_catalog(catalog::Catalog& catalog) {
    std::set<std::string> cataloged;
    for (const auto& article : catalog.all_articles()) {
      cataloged.insert(article.file);
      if (!files_.count(article.file)) problem(article.file, "in the catalog but the file is gone");
    }
    for (const auto& file : files_)
      if (!cataloged.count(file)) problem(file, "not in the catalog, so neither searchable nor on the site");
    if (auto s = catalog.check_search_index(); !s) problem("search index", s.error().message);
  }

  core::Status lists() {
    auto expected = mirror_.expected_lists();
    bool differ = false;
    for (const auto& [path, bytes] : expected) {
      if (read_bytes(dir_ / path) == bytes) continue;
      differ = true;
      problem(path, fs::exists(dir_ / path) ? "does not list what the state holds" : "missing");
    }
    if (differ && repair_) {
      if (auto s = mirror_.rewrite_lists(); !s) return s;
      for (auto& p : report_.problems)
        if (expected.count(p.where)) p.repaired = true;
    }
    return core::ok_status();
  }

  Mirror& mirror_;
  fs::path dir_;
  bool repair_;
  IntegrityReport report_;
  std::set<std::string> files_;  // "articles/<folder>/<name>"
  std::set<std::pair<std::string, std::string>> site_files_;  // (site, name)
};

}  // namespace

bool IntegrityReport::consistent() const {
  for (const auto& p : problems)
    if (!p.repaired) return false;
  return true;
}

core::Result<IntegrityReport> check_integrity(Mirror& mirror, bool repair) { return Checker(mirror, repair).run(); }

}  // namespace newsmirror::mirror
