// `newsmirror build`: renders the archive to a static site.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/catalog_output.hpp"
#include "cli/command.hpp"
#include "cli/cycle_output.hpp"
#include "site/page_renderer.hpp"
#include "site/site_builder.hpp"

namespace newsmirror::cli {

namespace {

struct BuildArguments {
  std::string out;
  std::string base_url;
  std::vector<std::string> variants;
  std::string templates;
  std::string title = "newsmirror";
  bool force = false;
  int threads = 0;
};

core::Result<std::string> normalized_base_url(std::string url) {
  if (url.empty()) return url;
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return core::Error(core::ErrorKind::usage,
                       "--base-url must be an absolute http(s) URL such as https://example.org/news/, not \"" + url + "\"");
  }
  if (url.find_first_of(" \t\n\"<>") != std::string::npos) {
    return core::Error(core::ErrorKind::usage, "--base-url holds characters a URL cannot: \"" + url + "\"");
  }
  if (!url.ends_with("/")) url += '/';
  return url;
}

int run_build(const GlobalOptions& globals, const BuildArguments& args) {
  namespace fs = std::filesystem;
  auto catalog = open_mirror_catalog(globals);  // checks that this is a mirror
  if (!catalog) return report_error(catalog.error(), globals);

  site::BuildOptions options;
  options.out = args.out.empty() ? site::default_site_dir(globals.mirror) : fs::path(args.out);
  auto base_url = normalized_base_url(args.base_url);
  if (!base_url) return report_error(base_url.error(), globals);
  options.render.base_url = *base_url;
  options.render.title = args.title;
  for (const auto& variant : args.variants) {
    if (!site::is_known_variant(variant)) {
      return report_error(core::Error(core::ErrorKind::usage,
                                      "unknown variant \"" + variant + "\": use hant, hans or both"),
                          globals);
    }
    options.render.variants.push_back(variant);
  }
  if (!args.templates.empty()) options.render.templates_dir = args.templates;
  options.force = args.force;
  options.threads = args.threads;
  if (!globals.quiet && !globals.json && isatty(STDERR_FILENO)) {
    options.progress = [](std::size_t done, std::size_t total) {
      std::fprintf(stderr, "\r\033[Kbuild %zu/%zu files", done, total);
      if (done == total) std::fputs("\r\033[K", stderr);
      std::fflush(stderr);
    };
  }
  auto summary = site::build_site(globals.mirror, options);
  if (!summary) return report_error(summary.error(), globals);
  const auto& s = *summary;
  if (globals.json) {
    nlohmann::json out = {{"out", options.out.string()},     {"articles", s.articles},
                          {"outputs", s.outputs},            {"written", s.written},
                          {"unchanged", s.unchanged},        {"removed", s.removed},
                          {"images_copied", s.images_copied}, {"sitemap", s.sitemap},
                          {"incremental", s.incremental},    {"articles_read", s.articles_read},
                          {"seconds", s.seconds}};
    fmt::print("{}\n", out.dump());
  } else if (!globals.quiet) {
    fmt::print("Built {} ({} articles{}): {} files written, {} unchanged, {} removed, {} images copied in {:.2f} s.\n",
               options.out.string(), s.articles,
               s.incremental ? fmt::format(", {} read for what changed", s.articles_read) : "", s.written,
               s.unchanged, s.removed, s.images_copied, s.seconds);
    if (!s.sitemap) fmt::print("No sitemap: it needs absolute URLs; give --base-url.\n");
  }
  return kExitOk;
}

}  // namespace

Command add_build_command(CLI::App& parent, const GlobalOptions& globals) {
  auto args = std::make_shared<BuildArguments>();
  Command command;
  command.app = add_command(
      parent, "build", "Render the archive to a static site",
      "Writes a home page, a page per site and per month, a page per article (and per earlier "
      "version of an edited one), Atom, RSS and JSON feeds of the newest articles overall and "
      "per site, an OPML of the sources and, with --base-url, a sitemap. Links are relative, "
      "so the site works from file:// and from any sub-path; images are copied (hard-linked "
      "when possible) from the mirror. Builds are incremental: after a cycle, a build reads "
      "only the articles that changed and the lists they appear on, and rewrites only their "
      "pages; the first build, a build with other templates or options, and one after "
      "`newsmirror reindex` read the whole catalog and still rewrite only files whose content "
      "changed. Files the build did not write are never touched.");
  command.app->add_option("--out", args->out, "Folder to write the site to")
      ->type_name("DIR")
      ->default_str("MIRROR/.newsmirror/site");
  command.app->add_option("--base-url", args->base_url,
                          "Absolute URL the site is published at (feeds, sitemap, canonical links)")
      ->type_name("URL");
  command.app->add_option("--variants", args->variants,
                          "Also write each page converted to Traditional (hant) or Simplified "
                          "(hans) Chinese, with a link to switch")
      ->delimiter(',')
      ->type_name("hant,hans");
  command.app->add_option("--templates", args->templates,
                          "Folder whose files override the built-in templates and style.css")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory);
  command.app->add_option("--title", args->title, "The site's name")->default_str("newsmirror");
  command.app->add_flag("--force", args->force, "Read the whole catalog and rewrite every file, even unchanged ones "
                                                  "(after editing the catalog database by hand)");
  command.app->add_option("--threads", args->threads, "Rendering threads (default: one per core)")
      ->check(CLI::Range(1, 64));
  command.run = [&globals, args] { return run_build(globals, *args); };
  return command;
}

}  // namespace newsmirror::cli
