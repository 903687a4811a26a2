// `newsmirror save URL [--site NAME]`: archives one page on demand, as the
// "submit a link, get an archived copy" tools do, into the classic format.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/mirror_lock.hpp"
#include "mirror/mirror.hpp"

namespace newsmirror::cli {

namespace {

struct SaveOptions {
  std::string url;
  std::string site = "saved";
};

int run_save(const SaveOptions& options, const GlobalOptions& globals) {
  auto lock = lock_mirror(globals, "save");
  if (!lock) return report_error(lock.error(), globals);
  auto mirror = mirror::Mirror::open(globals.mirror);
  if (!mirror) return report_error(mirror.error(), globals);
  auto saved = mirror->save(options.url, options.site);
  if (!saved) return report_error(saved.error(), globals);
  std::string outcome = saved->is_new ? "new" : saved->changed ? "changed" : "unchanged";
  if (globals.json) {
    std::cout << nlohmann::json{{"file", saved->file}, {"outcome", outcome}}.dump() << "\n";
  } else if (!globals.quiet) {
    // The path alone on stdout, so that `$(newsmirror save URL)` is the file.
    std::cout << saved->file << "\n";
    if (!saved->is_new)
      std::cerr << (saved->changed ? "already archived; the page changed, stored as a new version\n"
                                   : "already archived, unchanged\n");
  }
  return kExitOk;
}

}  // namespace

Command add_save_command(CLI::App& parent, const GlobalOptions& globals) {
  auto options = std::make_shared<SaveOptions>();
  Command command;
  command.app = add_command(
      parent, "save", "Archive one web page now: fetch, extract, clean, write",
      "Fetch URL, decode it (charset from the header, the page or detection), extract\n"
      "the article, clean it and, with images = \"local\", keep its pictures, then write\n"
      "it in the classic format under articles/SITE/ and print the file's path\n"
      "(relative to the mirror). A page saved before is compared with its archived copy:\n"
      "new content becomes a new version. A page that cannot be fetched or holds no\n"
      "article is an error (exit 1) and nothing is written.");
  command.app->add_option("url", options->url, "The page's http:// or https:// address")->required();
  command.app->add_option("--site", options->site, "Site folder to save into (default: saved)");
  command.run = [options, &globals] { return run_save(*options, globals); };
  return command;
}

}  // namespace newsmirror::cli
