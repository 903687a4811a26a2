// `newsmirror init DIR`: a new mirror folder, or adoption of a classic one.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "archive/file_name.hpp"
#include "archive/mirror_scan.hpp"
#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/mirror_lock.hpp"
#include "cli/text_table.hpp"
#include "config/config.hpp"
#include "core/mirror_layout.hpp"
#include "state/state_db.hpp"

namespace newsmirror::cli {

namespace {

namespace fs = std::filesystem;

struct InitOptions {
  std::string dir;
  bool force = false;
  bool empty = false;
};

// The configuration that continues an adopted mirror exactly: each default
// source that the mirror already has (by its list page's name) keeps its
// folder and layout; when every adopted site uses the later layout, so do
// the sources it does not have yet.
void continue_layouts(config::Config& config, const std::vector<archive::ScannedSite>& sites) {
  if (sites.empty()) return;
  const bool all_later = std::all_of(sites.begin(), sites.end(), [](const auto& s) { return s.later_layout(); });
  if (all_later) config.layout = config::Layout::later;
  auto folder_taken = [&](const std::string& folder) {
    return std::any_of(sites.begin(), sites.end(), [&](const auto& s) { return s.folder == folder; });
  };
  for (auto& source : config.sources) {
    auto found = std::find_if(sites.begin(), sites.end(), [&](const auto& s) { return s.name == source.name; });
    if (found == sites.end()) {
      // A site yet to come takes the family's folder, unless a site of
      // another name already has it.
      auto folder = all_later ? config::later_layout_folder(source.name) : std::nullopt;
      if (folder && !folder_taken(*folder)) source.folder = folder;
      continue;
    }
    const auto layout = found->later_layout() ? config::Layout::later : config::Layout::early;
    if (layout != config.layout) source.layout = layout;
    if (found->folder != archive::site_dir_name(source.name)) source.folder = found->folder;
  }
}

// The sources in the order the adopted README lists their sites, so that
// the README newsmirror rewrites lists them as the old one did; sources it
// does not name follow in their own order.
void follow_readme_order(config::Config& config, const std::vector<std::string>& order) {
  auto rank = [&](const config::Source& source) {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), source.name) - order.begin());
  };
  std::stable_sort(config.sources.begin(), config.sources.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
}

// What the state must know of the adopted sites before anything is written:
// each site's folder (when it is not the name: a site no source names
// keeps its folder too) and the numbers its files use, so that numbering
// goes on below each site's numeric minimum.
core::Status record_adopted_sites(state::StateDb& db, const config::Config& config,
                                  const std::vector<archive::ScannedSite>& sites) {
  for (const auto& site : sites) {
    const bool configured = config::find_source(config, site.name) != nullptr;
    if (!configured && site.folder != archive::site_dir_name(site.name))
      if (auto s = db.set_site_folder(site.name, site.folder); !s) return s;
    if (site.files > 0)
      if (auto s = db.raise_site_sequence(site.name, site.highest_sequence); !s) return s;
  }
  return core::ok_status();
}

// The number a site's next article gets.
std::uint64_t next_number(state::StateDb& db, std::string_view site) {
  return archive::article_number(db.last_site_sequence(site) + 1);
}

// What init made, for its report.
struct InitOutcome {
  const fs::path& dir;
  const fs::path& config_file;
  std::size_t sources;
  const std::vector<archive::ScannedSite>* adopted;  // null: an empty folder
  const std::optional<catalog::ImportReport>& cataloged;
  state::StateDb& db;

  std::size_t adopted_files() const {
    std::size_t files = 0;
    if (adopted)
      for (const auto& site : *adopted) files += site.files;
    return files;
  }
};

nlohmann::json init_json(const InitOutcome& o) {
  nlohmann::json out = {{"mirror", fs::absolute(o.dir).string()},
                        {"config", fs::absolute(o.config_file).string()},
                        {"state", fs::absolute(core::layout::state_db(o.dir)).string()},
                        {"sources", o.sources}};
  if (!o.adopted) return out;
  nlohmann::json sites = nlohmann::json::array();
  for (const auto& site : *o.adopted) {
    nlohmann::json entry = {{"name", site.name},
                            {"folder", site.folder},
                            {"layout", site.later_layout() ? "later" : "early"},
                            {"article_files", site.files},
                            {"next_number", next_number(o.db, site.name)}};
    if (site.smallest_number) entry["smallest_number"] = *site.smallest_number;
    sites.push_back(std::move(entry));
  }
  out["adopted"] = {{"sites", sites},
                    {"article_files", o.adopted_files()},
                    {"cataloged", o.cataloged->added},
                    {"made_known", o.cataloged->made_known},
                    {"unreadable", o.cataloged->failures.size()}};
  return out;
}

void print_init(const InitOutcome& o) {
  fmt::print("Created {} with {} sources\n    and {}\n", o.config_file.string(), o.sources,
             core::layout::state_db(o.dir).string());
  if (o.adopted) {
    fmt::print("Adopted the existing archive: {} article files in {} sites, left untouched.\n"
               "Each site goes on in its own layout, numbering below its smallest number:\n",
               o.adopted_files(), o.adopted->size());
    TextTable table({"SITE", "FOLDER", "LAYOUT", "FILES", "NEXT NUMBER"});
    table.align_right(3);
    table.align_right(4);
    for (const auto& site : *o.adopted)
      table.add_row({site.name, "articles/" + site.folder + "/", site.later_layout() ? "later" : "early",
                     std::to_string(site.files), std::to_string(next_number(o.db, site.name))});
    fmt::print("{}", table.render());
  }
  if (o.cataloged) {
    fmt::print("Cataloged {} articles for search and history in {:.1f} s", o.cataloged->added,
               o.cataloged->seconds);
    if (!o.cataloged->failures.empty())
      fmt::print("; {} unreadable files skipped (see above)", o.cataloged->failures.size());
    fmt::print(".\n");
    if (o.cataloged->made_known)
      fmt::print("{} of them are now known to the mirror: a feed that still carries one will not archive it "
                 "again.\n", o.cataloged->made_known);
  }
  std::string mirror_flag = o.dir == fs::path(".") ? "" : fmt::format(" --mirror {}", o.dir.string());
  const std::pair<std::string, std::string> next[] = {
      {"sources list", fmt::format("review the sources (or edit {})", o.config_file.filename().string())},
      {"sources add NAME URL", "add a feed"},
      {"run", "fetch and archive every source that is due"},
  };
  fmt::print("\nNext:\n");
  for (const auto& [what, why] : next)
    fmt::print("  {:<{}}  {}\n", fmt::format("newsmirror{} {}", mirror_flag, what), mirror_flag.size() + 31, why);
}

int run_init(const GlobalOptions& globals, const InitOptions& options) {
  fs::path dir = options.dir.empty() ? fs::path(globals.mirror) : fs::path(options.dir);
  auto file = config::config_path(dir);
  std::error_code ec;
  if (fs::exists(file, ec) && !options.force) {
    return report_error(
        core::Error(core::ErrorKind::usage,
                    fmt::format("{} already exists; not replacing it (use `newsmirror init --force {}` "
                                "to start over with the default configuration)",
                                file.string(), dir.string())),
        globals);
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return report_error(core::Error(core::ErrorKind::io, fmt::format("{}: cannot create folder: {}",
                                                                     dir.string(), ec.message())),
                        globals);
  }
  auto lock = lock_mirror(globals, "init", dir);
  if (!lock) return report_error(lock.error(), globals);

  std::optional<std::vector<archive::ScannedSite>> adopted;
  if (fs::is_directory(dir / core::layout::kArticles, ec)) {
    auto scan = archive::scan_mirror(dir);
    if (!scan) return report_error(scan.error(), globals);
    adopted = std::move(*scan);
  }

  auto config = config::default_config();
  if (options.empty) config.sources.clear();
  if (adopted) {
    continue_layouts(config, *adopted);
    follow_readme_order(config, archive::readme_site_order(dir));
  }
  if (auto saved = config::save_config(file, config); !saved) return report_error(saved.error(), globals);
  auto db = state::StateDb::open(dir);
  if (!db) return report_error(db.error(), globals);
  std::optional<catalog::ImportReport> cataloged;
  if (adopted) {
    if (auto recorded = record_adopted_sites(**db, config, *adopted); !recorded)
      return report_error(recorded.error(), globals);
    // The adopted articles become searchable at once (files untouched).
    auto at_dir = globals;
    at_dir.mirror = dir.string();
    auto imported = import_adopted_archive(at_dir);
    if (!imported) return report_error(imported.error(), globals);
    cataloged = std::move(*imported);
  }

  const InitOutcome outcome{dir, file, config.sources.size(), adopted ? &*adopted : nullptr, cataloged, **db};
  if (globals.json) {
    fmt::print("{}\n", init_json(outcome).dump(2));
    return kExitOk;
  }
  if (!globals.quiet) print_init(outcome);
  return kExitOk;
}

}  // namespace

Command add_init_command(CLI::App& parent, const GlobalOptions& globals) {
  auto options = std::make_shared<InitOptions>();
  Command command;
  command.app = add_command(
      parent, "init", "Create a mirror folder (or adopt an existing classic mirror)",
      "Create a mirror folder: newsmirror.toml with the default sources and the state database "
      "in .newsmirror/. A folder that already holds a classic mirror (articles/) is adopted "
      "as it is: its files are not touched, each site keeps its folder, file names and list "
      "layout, and its numbering goes on below its smallest number.");
  command.app->add_option("dir", options->dir, "Folder to create or adopt (default: --mirror, else .)")
      ->type_name("DIR");
  command.app->add_flag("--empty", options->empty,
                        "Start without sources (add them with `newsmirror sources add`) instead of the "
                        "nine default ones");
  command.app->add_flag("-f,--force", options->force,
                        "Replace an existing newsmirror.toml with the default configuration "
                        "(the state database and articles are kept)");
  command.run = [&globals, options] { return run_init(globals, *options); };
  return command;
}

}  // namespace newsmirror::cli
