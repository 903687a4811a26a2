// `newsmirror history ARTICLE`: the stored versions of one article.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "cli/text_table.hpp"

namespace newsmirror::cli {

namespace {

int run_history(const GlobalOptions& globals, const std::string& name) {
  auto opened = open_mirror_catalog(globals);
  if (!opened) return report_error(opened.error(), globals);
  auto& catalog = **opened;
  auto article = resolve_article(catalog, globals, name);
  if (!article) return report_error(article.error(), globals);
  auto zone = mirror_time_zone(globals);
  if (!zone) return report_error(zone.error(), globals);
  auto versions = catalog.versions(article->id);
  if (globals.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : versions)
      list.push_back({{"version", v.ordinal},
                      {"fetched_at", v.fetched_at.time_since_epoch().count()},
                      {"content_hash", v.content_hash},
                      {"size", v.size},
                      {"stored_size", v.stored_size},
                      {"title", v.title ? nlohmann::json(*v.title) : nlohmann::json()},
                      {"current", v.id == article->current_version}});
    nlohmann::json out = {{"site", article->site},   {"file", article->file},
                          {"title", article->title}, {"link", article->link},
                          {"versions", list}};
    fmt::print("{}\n", out.dump());
    return kExitOk;
  }
  fmt::print("{}\n{}\n{}\n\n", article->title, article->file, article->link);
  // A version's title is shown where it differs from the one before: a
  // retitled story is an edit of its own.
  TextTable table({"version", "fetched at", "content hash", "size", "", "title"});
  table.align_right(0);
  table.align_right(3);
  std::optional<std::string> previous_title;
  for (const auto& v : versions) {
    std::string title;
    if (v.title && previous_title && *v.title != *previous_title) title = "retitled: " + *v.title;
    if (v.title) previous_title = v.title;
    table.add_row({std::to_string(v.ordinal), time_text(v.fetched_at, *zone), v.content_hash.substr(0, 12),
                   fmt::format("{} B", v.size), v.id == article->current_version ? "current" : "", title});
  }
  fmt::print("{}", table.render());
  if (versions.size() > 1)
    fmt::print("\n`newsmirror diff {}` shows what changed between the last two.\n", name);
  return kExitOk;
}

}  // namespace

Command add_history_command(CLI::App& parent, const GlobalOptions& globals) {
  auto name = std::make_shared<std::string>();
  Command command;
  command.app = add_command(
      parent, "history", "List the stored versions of an article",
      "ARTICLE is the article's file (articles/SITE/N_TITLE.md, or SITE/N_TITLE.md), SITE/N, or "
      "its link. Every time an article arrives with other content a new version is stored; "
      "this lists them oldest first with when each was fetched (in the mirror's time zone, with its "
      "offset), its content hash and size. --json gives fetched_at in milliseconds since the epoch.");
  command.app->add_option("article", *name, "File, SITE/N, or link of the article")
      ->required()
      ->type_name("ARTICLE");
  command.run = [&globals, name] { return run_history(globals, *name); };
  return command;
}

}  // namespace newsmirror::cli
