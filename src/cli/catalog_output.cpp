#include "cli/catalog_output.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "archive/file_name.hpp"
#include "config/config.hpp"
#include "core/mirror_layout.hpp"
#include "core/suggest.hpp"
#include "core/url.hpp"
#include "mirror/identity.hpp"
#include "mirror/site_folders.hpp"
#include "state/state_db.hpp"

namespace newsmirror::cli {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorKind;

namespace {

core::Status require_mirror(const GlobalOptions& globals) {
  std::error_code ec;
  if (!fs::exists(config::config_path(globals.mirror), ec))
    return Error(ErrorKind::usage,
                 fmt::format("{} is not a mirror (no {}): run `newsmirror init {}` first",
                             globals.mirror, config::config_path(globals.mirror).string(), globals.mirror));
  return core::ok_status();
}

std::string describe(const catalog::Article& a) { return fmt::format("{} ({})", a.file, a.title); }

core::Result<catalog::Article> one_of(std::vector<catalog::Article> found, std::string_view name) {
  if (found.size() == 1) return std::move(found.front());
  std::string list;
  for (const auto& a : found) list += "\n  " + describe(a);
  return Error(ErrorKind::usage,
               fmt::format("\"{}\" names {} articles; give one by its file:{}", name, found.size(), list));
}

core::Error unknown(catalog::Catalog& catalog, std::string_view name, std::string_view site,
                    std::string_view file_name) {
  std::string message = fmt::format("no article \"{}\" in the catalog", name);
  if (!site.empty()) {
    auto files = catalog.files_of_site(site);
    if (files.empty()) {
      auto sites = catalog.sites();
      std::vector<std::string_view> names(sites.begin(), sites.end());
      if (auto best = core::closest_match(site, names))
        message += fmt::format("; no site \"{}\" — did you mean \"{}\"?", site, *best);
    } else if (!file_name.empty() && file_name.find_first_not_of("0123456789") == std::string_view::npos &&
               file_name.size() < 19) {
      // A number: the nearest number the site has.
      const std::uint64_t wanted = std::stoull(std::string(file_name));
      std::optional<std::uint64_t> nearest;
      auto distance = [&](std::uint64_t n) { return n > wanted ? n - wanted : wanted - n; };
      for (const auto& f : files)
        if (auto n = archive::parse_article_number(fs::path(f).filename().string()))
          if (!nearest || distance(*n) < distance(*nearest)) nearest = *n;
      if (nearest) message += fmt::format("; the nearest number in {} is {}/{}", site, site, *nearest);
    } else if (!file_name.empty()) {
      std::vector<std::string> names;
      for (auto& f : files) names.push_back(fs::path(f).filename().string());
      std::vector<std::string_view> views(names.begin(), names.end());
      if (auto best = core::closest_match(file_name, views))
        message += fmt::format("; did you mean \"{}/{}\"?", site, *best);
    }
  }
  if (catalog.article_count() == 0) message += " (the catalog is empty: run `newsmirror import`)";
  return Error(ErrorKind::usage, message);
}

}  // namespace

core::Result<std::unique_ptr<catalog::Catalog>> open_mirror_catalog(const GlobalOptions& globals) {
  if (auto s = require_mirror(globals); !s) return s.error();
  return catalog::Catalog::open(globals.mirror);
}

core::Result<catalog::Article> resolve_article(catalog::Catalog& catalog, const GlobalOptions& globals,
                                               std::string_view name) {
  std::string text(name);
  if (text.starts_with("http://") || text.starts_with("https://")) {
    auto found = catalog.find_by_link(text);
    if (found.empty())
      if (auto serialized = core::url::serialize(text)) found = catalog.find_by_link(*serialized);
    if (found.empty()) return unknown(catalog, name, "", "");
    return one_of(std::move(found), name);
  }
  // A path to the file itself, from wherever the user stands.
  std::error_code ec;
  if (fs::is_regular_file(text, ec)) {
    auto relative = fs::relative(fs::canonical(text, ec), fs::canonical(globals.mirror, ec), ec);
    if (!ec && !relative.empty() && *relative.begin() != "..") text = relative.generic_string();
  }
  if (text.starts_with("./")) text.erase(0, 2);
  if (!text.starts_with("articles/")) text = "articles/" + text;
  if (auto found = catalog.find_by_file(text)) return std::move(*found);
  // site/number
  const std::string rest = text.substr(std::string_view("articles/").size());
  const auto slash = rest.rfind('/');
  if (slash == std::string::npos || slash == 0)
    return Error(ErrorKind::usage,
                 fmt::format("\"{}\" names no article: give a file (articles/SITE/N_TITLE.md), SITE/N, "
                             "or the article's link",
                             name));
  std::string site = rest.substr(0, slash);
  std::string last = rest.substr(slash + 1);
  if (!last.empty() && last.find_first_not_of("0123456789") == std::string::npos && last.size() < 19) {
    auto found = catalog.find_by_number(site, std::stoull(last));
    if (found.empty()) found = catalog.find_by_number(archive::site_dir_name(site), std::stoull(last));
    if (!found.empty()) return one_of(std::move(found), name);
  }
  return unknown(catalog, name, site, last);
}

core::Result<catalog::ImportOptions> import_options(const GlobalOptions& globals) {
  if (auto s = require_mirror(globals); !s) return s.error();
  auto config = config::load_config(config::config_path(globals.mirror));
  if (!config) return config.error();
  auto db = state::StateDb::open(globals.mirror);
  if (!db) return db.error();
  // The catalog names sites by folder, the state and the identities by the
  // site's name (the later layout keeps 法广 in articles/rfi).
  auto folders = std::make_shared<const mirror::SiteFolders>((*db)->site_folders(), *config);
  auto site_of = [folders](std::string_view folder) { return folders->site_in(folder); };
  std::shared_ptr<state::StateDb> state = std::move(*db);
  catalog::ImportOptions options;
  options.mirror = globals.mirror;
  // The same link key the mirror's novelty check uses (mirror/identity).
  options.identity = [site_of](std::string_view folder, std::string_view link) {
    return mirror::link_key(site_of(folder), link);
  };
  options.folder_of_site = [folders](std::string_view site) { return folders->folder_of(site); };
  options.known = [state](std::string_view identity) { return state->find(identity).has_value(); };
  options.reserve_number = [state, site_of](std::string_view folder) -> core::Result<std::uint64_t> {
    auto seq = state->reserve_site_sequence(site_of(folder), 1);
    if (!seq) return seq.error();
    return archive::article_number(*seq);
  };
  options.keep_number = [state, site_of](std::string_view folder, std::uint64_t number) -> core::Status {
    return state->raise_site_sequence(site_of(folder), archive::sequence_of_number(number));
  };
  if (!globals.quiet && !globals.json && isatty(STDERR_FILENO)) {
    auto started = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    options.on_progress = [started](std::size_t done, std::size_t total) {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - *started).count();
      std::fprintf(stderr, "\r\033[Kimport %zu/%zu files (%.0f/s)", done, total,
                   seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
      if (done == total) std::fputs("\r\033[K", stderr);
      std::fflush(stderr);
    };
  }
  return options;
}

core::Result<catalog::ImportReport> import_adopted_archive(const GlobalOptions& globals) {
  auto options = import_options(globals);
  if (!options) return options.error();
  auto opened = open_mirror_catalog(globals);
  if (!opened) return opened.error();
  auto& catalog = **opened;
  auto report = catalog::import_articles(catalog, *options);
  if (report && !globals.json)
    for (const auto& f : report->failures) fmt::print(stderr, "skipped {}: {}\n", f.path.string(), f.reason);
  if (!report) return report;
  if (auto s = make_imported_known(globals, catalog, mirror::Mirror::ListPages::keep, *report); !s) return s.error();
  return report;
}

core::Status make_imported_known(const GlobalOptions& globals, catalog::Catalog& catalog,
                                 mirror::Mirror::ListPages lists, catalog::ImportReport& report) {
  auto mirror = mirror::Mirror::open(globals.mirror);
  if (!mirror) return mirror.error();
  auto known = mirror->adopt(catalog, lists);
  if (!known) return known.error();
  report.made_known = *known;
  return core::ok_status();
}

core::Result<core::TimeZone> mirror_time_zone(const GlobalOptions& globals) {
  if (auto s = require_mirror(globals); !s) return s.error();
  auto config = config::load_config(config::config_path(globals.mirror));
  if (!config) return config.error();
  return core::TimeZone::from_name(config->timezone);
}

std::string time_text(core::TimePoint time, const core::TimeZone& zone) {
  return core::local_time_text(std::chrono::floor<std::chrono::seconds>(time), zone);
}

void print_import_report(const catalog::ImportReport& report, const GlobalOptions& globals,
                         std::string_view verb) {
  const double rate = report.seconds > 0 ? static_cast<double>(report.files) / report.seconds : 0;
  if (globals.json) {
    nlohmann::json renamed = nlohmann::json::array(), failures = nlohmann::json::array();
    for (const auto& r : report.renamed) renamed.push_back({{"from", r.from.string()}, {"to", r.to}});
    for (const auto& f : report.failures) failures.push_back({{"path", f.path.string()}, {"reason", f.reason}});
    nlohmann::json out = {{"mirror", globals.mirror},
                          {"catalog", core::layout::catalog_db(globals.mirror).string()},
                          {"files", report.files},
                          {"added", report.added},
                          {"changed", report.changed},
                          {"unchanged", report.unchanged},
                          {"copied", report.copied},
                          {"already_present", report.already_present},
                          {"renamed", renamed},
                          {"made_known", report.made_known},
                          {"failed", report.failures.size()},
                          {"failures", failures},
                          {"seconds", report.seconds},
                          {"files_per_second", rate}};
    fmt::print("{}\n", out.dump());
    return;
  }
  for (const auto& f : report.failures) fmt::print(stderr, "skipped {}: {}\n", f.path.string(), f.reason);
  if (globals.quiet) return;
  fmt::print("{} {} article files in {:.2f} s ({:.0f} files/s): {} added, {} with a new version, "
             "{} unchanged",
             verb, report.files, report.seconds, rate, report.added, report.changed, report.unchanged);
  if (!report.failures.empty()) fmt::print(", {} skipped (unreadable)", report.failures.size());
  fmt::print(".\n");
  if (report.copied || report.already_present || !report.renamed.empty())
    fmt::print("Copied {} files into {}; {} were there already.\n", report.copied, globals.mirror,
               report.already_present);
  for (const auto& r : report.renamed)
    fmt::print("  {} took a number already used in its site: copied as {}\n", r.from.string(), r.to);
  if (report.made_known)
    fmt::print("{} articles are now known to the mirror: a feed that still carries them will not save them "
               "again.\n", report.made_known);
}

}  // namespace newsmirror::cli
