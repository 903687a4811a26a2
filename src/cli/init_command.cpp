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
#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "config/config.hpp"
#include "state/state_db.hpp"

namespace newsmirror::cli {

namespace {

namespace fs = std::filesystem;

struct InitOptions {
  std::string dir;
  bool force = false;
};

struct Adoption {
  std::size_t sites = 0;
  std::size_t files = 0;
  std::uint64_t highest_seq = 0;
};

// Scans articles/<site>/<N>_*.md of a classic mirror without touching it.
// The highest seq found is where numbering must continue, so new files
// never take a number an existing file already has.
core::Result<Adoption> scan_classic_mirror(const fs::path& articles) {
  Adoption found;
  std::error_code ec;
  for (fs::directory_iterator site(articles, ec), end; !ec && site != end; site.increment(ec)) {
    if (!site->is_directory(ec)) continue;
    ++found.sites;
    for (fs::directory_iterator file(site->path(), ec); !ec && file != end; file.increment(ec)) {
      auto name = file->path().filename().string();
      if (!name.ends_with(".md")) continue;
      auto number = archive::parse_article_number(name);
      if (!number) continue;
      ++found.files;
      // N = 0xFFFFF ^ seq, and XOR is its own inverse.
      found.highest_seq = std::max(found.highest_seq, archive::article_number(*number));
    }
  }
  if (ec)
    return core::Error(core::ErrorKind::io,
                       fmt::format("{}: cannot read the existing archive: {}", articles.string(), ec.message()));
  return found;
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

  std::optional<Adoption> adopted;
  if (fs::is_directory(dir / "articles", ec)) {
    auto scan = scan_classic_mirror(dir / "articles");
    if (!scan) return report_error(scan.error(), globals);
    adopted = *scan;
  }

  auto config = config::default_config();
  if (auto saved = config::save_config(file, config); !saved) return report_error(saved.error(), globals);
  auto db = state::StateDb::open(dir);
  if (!db) return report_error(db.error(), globals);
  std::optional<catalog::ImportReport> cataloged;
  if (adopted) {
    if (auto raised = db->ensure_sequence_at_least(adopted->highest_seq); !raised)
      return report_error(raised.error(), globals);
    // The adopted articles become searchable at once (files untouched).
    auto at_dir = globals;
    at_dir.mirror = dir.string();
    auto imported = import_adopted_archive(at_dir);
    if (!imported) return report_error(imported.error(), globals);
    cataloged = std::move(*imported);
  }

  auto state_file = dir / ".newsmirror" / "state.db";
  if (globals.json) {
    nlohmann::json out = {{"mirror", fs::absolute(dir).string()},
                          {"config", fs::absolute(file).string()},
                          {"state", fs::absolute(state_file).string()},
                          {"sources", config.sources.size()},
                          {"next_sequence", db->last_sequence() + 1}};
    if (adopted)
      out["adopted"] = {{"sites", adopted->sites},
                        {"article_files", adopted->files},
                        {"highest_sequence", adopted->highest_seq},
                        {"cataloged", cataloged->added},
                        {"made_known", cataloged->made_known},
                        {"unreadable", cataloged->failures.size()}};
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (globals.quiet) return kExitOk;
  fmt::print("Created {} with {} sources\n    and {}\n", file.string(), config.sources.size(),
             state_file.string());
  if (adopted)
    fmt::print("Adopted the existing archive: {} article files in {} sites, left untouched;\n"
               "    new articles are numbered from seq {} on.\n",
               adopted->files, adopted->sites, db->last_sequence() + 1);
  if (cataloged) {
    fmt::print("Cataloged {} articles for search and history in {:.1f} s", cataloged->added,
               cataloged->seconds);
    if (!cataloged->failures.empty())
      fmt::print("; {} unreadable files skipped (see above)", cataloged->failures.size());
    fmt::print(".\n");
    if (cataloged->made_known)
      fmt::print("{} of them are now known to the mirror: a feed that still carries one will not archive it "
                 "again.\n", cataloged->made_known);
  }
  std::string mirror_flag = dir == fs::path(".") ? "" : fmt::format(" --mirror {}", dir.string());
  const std::pair<std::string, std::string> next[] = {
      {"sources list", fmt::format("review the sources (or edit {})", file.filename().string())},
      {"sources add NAME URL", "add a feed"},
      {"run", "fetch and archive every source that is due"},
  };
  fmt::print("\nNext:\n");
  for (const auto& [what, why] : next)
    fmt::print("  {:<{}}  {}\n", fmt::format("newsmirror{} {}", mirror_flag, what),
               mirror_flag.size() + 31, why);
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
      "as it is: its files are not touched and numbering continues after its highest article.");
  command.app->add_option("dir", options->dir, "Folder to create or adopt (default: --mirror, else .)")
      ->type_name("DIR");
  command.app->add_flag("-f,--force", options->force,
                        "Replace an existing newsmirror.toml with the default configuration "
                        "(the state database and articles are kept)");
  command.run = [&globals, options] { return run_init(globals, *options); };
  return command;
}

}  // namespace newsmirror::cli
