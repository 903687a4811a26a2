// `newsmirror diff ARTICLE [V1 V2]`: what changed between two versions, as
// a word-level diff of their visible text (character-level for CJK).
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "catalog/text_diff.hpp"
#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "search/plain_text.hpp"

namespace newsmirror::cli {

namespace {

struct DiffArgs {
  std::string article;
  std::vector<int> versions;
  int context = 40;
  std::string color = "auto";
};

const char* op_name(catalog::EditOp op) {
  switch (op) {
    case catalog::EditOp::equal: return "equal";
    case catalog::EditOp::remove: return "remove";
    case catalog::EditOp::insert: return "insert";
  }
  return "";
}

int run_diff(const GlobalOptions& globals, const DiffArgs& args) {
  if (!args.versions.empty() && args.versions.size() != 2)
    return report_error(core::Error(core::ErrorKind::usage,
                                    "give two versions to compare (V1 V2), or none for the last two"),
                        globals);
  auto opened = open_mirror_catalog(globals);
  if (!opened) return report_error(opened.error(), globals);
  auto& catalog = **opened;
  auto article = resolve_article(catalog, globals, args.article);
  if (!article) return report_error(article.error(), globals);
  auto versions = catalog.versions(article->id);
  const int count = static_cast<int>(versions.size());
  int v1 = count - 1, v2 = count;
  if (!args.versions.empty()) {
    v1 = args.versions[0];
    v2 = args.versions[1];
    for (int v : {v1, v2})
      if (v < 1 || v > count)
        return report_error(core::Error(core::ErrorKind::usage,
                                        fmt::format("{} has versions 1 to {}; there is no version {} "
                                                    "(`newsmirror history {}` lists them)",
                                                    article->file, count, v, args.article)),
                            globals);
  }
  if (count < 2 && args.versions.empty()) {
    if (globals.json) {
      fmt::print("{}\n", nlohmann::json({{"file", article->file}, {"versions", count}, {"edits", nlohmann::json::array()}}).dump());
    } else if (!globals.quiet) {
      fmt::print("{} has one version only: nothing to compare.\n", article->file);
    }
    return kExitOk;
  }
  auto before = catalog.version_html(versions[v1 - 1].id);
  if (!before) return report_error(before.error(), globals);
  auto after = catalog.version_html(versions[v2 - 1].id);
  if (!after) return report_error(after.error(), globals);
  auto edits = catalog::diff_text(search::visible_text(*before), search::visible_text(*after));
  // Titles are compared when both versions know theirs (versions stored
  // before titles were kept do not).
  const auto& from_title = versions[v1 - 1].title;
  const auto& to_title = versions[v2 - 1].title;
  std::vector<catalog::Edit> title_edits;
  if (from_title && to_title && *from_title != *to_title) title_edits = catalog::diff_text(*from_title, *to_title);

  if (globals.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : edits) list.push_back({{"op", op_name(e.op)}, {"text", e.text}});
    nlohmann::json title_list = nlohmann::json::array();
    for (const auto& e : title_edits) title_list.push_back({{"op", op_name(e.op)}, {"text", e.text}});
    fmt::print("{}\n", nlohmann::json({{"file", article->file},
                                       {"from", v1},
                                       {"to", v2},
                                       {"from_fetched_at", versions[v1 - 1].fetched_at.time_since_epoch().count()},
                                       {"to_fetched_at", versions[v2 - 1].fetched_at.time_since_epoch().count()},
                                       {"title_edits", title_list},
                                       {"edits", list}})
                           .dump());
    return kExitOk;
  }
  auto zone = mirror_time_zone(globals);
  if (!zone) return report_error(zone.error(), globals);
  catalog::DiffStyle style;
  style.context = args.context;
  bool color = args.color == "always" || (args.color == "auto" && isatty(STDOUT_FILENO));
  if (color) {
    style.remove_open = "\033[31m[-";
    style.remove_close = "-]\033[m";
    style.insert_open = "\033[32m{+";
    style.insert_close = "+}\033[m";
  }
  fmt::print("{}\nversion {} ({}) -> version {} ({})\n\n", article->file, v1,
             time_text(versions[v1 - 1].fetched_at, *zone), v2, time_text(versions[v2 - 1].fetched_at, *zone));
  if (!title_edits.empty()) {
    auto whole_title = style;
    whole_title.context = -1;
    fmt::print("Title: {}\n\n", catalog::render_diff(title_edits, whole_title));
  }
  std::string text = catalog::render_diff(edits, style);
  if (!text.empty()) fmt::print("{}\n", text);
  else if (title_edits.empty()) fmt::print("The visible text is the same (the HTML differs).\n");
  else fmt::print("The visible text is the same.\n");
  return kExitOk;
}

}  // namespace

Command add_diff_command(CLI::App& parent, const GlobalOptions& globals) {
  auto args = std::make_shared<DiffArgs>();
  Command command;
  command.app = add_command(
      parent, "diff", "Show what changed between two versions of an article",
      "Compares the visible text of two versions (default: the last two; numbers as `newsmirror "
      "history` lists them) word by word, and Chinese, Japanese and Korean text character by "
      "character. Removed text is shown as [-old-], inserted text as {+new+} (in colour on a "
      "terminal); long unchanged stretches are cut to their --context. With --json: the edits as "
      "a list of {op, text}.");
  command.app->add_option("article", args->article, "File, SITE/N, or link of the article")
      ->required()
      ->type_name("ARTICLE");
  command.app->add_option("versions", args->versions, "Two version numbers, older first")
      ->type_name("V1 V2")
      ->expected(0, 2);
  command.app->add_option("--context", args->context,
                          "Unchanged characters shown around each change (-1: the whole text)")
      ->default_str("40");
  command.app->add_option("--color", args->color, "Colour the changes: auto, always, never")
      ->default_str("auto")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command.run = [&globals, args] { return run_diff(globals, *args); };
  return command;
}

}  // namespace newsmirror::cli
