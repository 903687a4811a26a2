#include "cli/git_publish_output.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "config/config.hpp"

namespace newsmirror::cli {

namespace {

// Site names in config order, so that the commit message says "法广", not a
// folder name, and lists the sites as the config does.
std::vector<std::string> site_order(const std::string& mirror_dir) {
  std::vector<std::string> names;
  auto file = config::config_path(mirror_dir);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return names;
  auto loaded = config::load_config(file);
  if (!loaded) {
    spdlog::warn("{}; the commit message names sites by folder", loaded.error().message);
    return names;
  }
  for (const auto& source : loaded->sources) names.push_back(source.name);
  return names;
}

std::function<void(std::size_t, std::size_t, std::size_t)> push_progress(const GlobalOptions& globals) {
  if (globals.quiet || globals.json || !isatty(STDERR_FILENO)) return {};
  return [](std::size_t done, std::size_t total, std::size_t bytes) {
    std::fprintf(stderr, "\r\033[Kpush %zu/%zu objects, %.1f MiB", done, total,
                 static_cast<double>(bytes) / (1024.0 * 1024.0));
    std::fflush(stderr);
  };
}

}  // namespace

core::Result<GitPublishOutcome> publish_to_git(const std::string& mirror_dir,
                                               const GitPublishSettings& settings,
                                               const GlobalOptions& globals) {
  auto publisher = publish::GitPublisher::open(mirror_dir);
  if (!publisher) return publisher.error();
  auto committed = publisher->commit_changes(site_order(mirror_dir));
  if (!committed) return committed.error();
  GitPublishOutcome outcome;
  outcome.commit = std::move(*committed);
  if (!settings.push) return outcome;

  publish::PushOptions options;
  options.remote = settings.remote;
  options.on_progress = push_progress(globals);
  auto pushed = publisher->push(options);
  if (options.on_progress) std::fputs("\r\033[K", stderr);
  if (pushed) outcome.pushed = std::move(*pushed);
  else outcome.push_error = pushed.error();
  return outcome;
}

nlohmann::json to_json(const GitPublishOutcome& outcome, const GitPublishSettings& settings) {
  const auto& commit = outcome.commit;
  nlohmann::json per_site = nlohmann::json::array();
  for (const auto& site : commit.per_site)
    per_site.push_back({{"site", site.site},
                        {"new", site.added},
                        {"changed", site.changed},
                        {"removed", site.removed}});
  nlohmann::json out = {{"committed", commit.committed},
                        {"commit", commit.committed ? nlohmann::json(commit.commit) : nullptr},
                        {"branch", commit.branch},
                        {"new", commit.added},
                        {"changed", commit.changed},
                        {"removed", commit.removed},
                        {"other_files", commit.other_files},
                        {"per_site", std::move(per_site)},
                        {"pushed", outcome.pushed.has_value()},
                        {"remote", settings.push ? nlohmann::json(settings.remote) : nullptr},
                        {"error", nullptr}};
  if (outcome.push_error)
    out["error"] = {{"kind", core::to_string(outcome.push_error->kind)},
                    {"message", outcome.push_error->message}};
  return out;
}

void print_git_publish(const GitPublishOutcome& outcome, const GitPublishSettings& settings,
                       const GlobalOptions& globals) {
  if (globals.quiet || globals.json) return;
  const auto& commit = outcome.commit;
  if (commit.committed) {
    std::string subject = commit.message.substr(0, commit.message.find('\n'));
    std::cout << "committed " << commit.commit.substr(0, 12) << " on "
              << (commit.branch.empty() ? "a detached HEAD" : commit.branch) << ": " << subject << "\n";
  } else {
    std::cout << "nothing to commit: the mirror matches its last commit\n";
  }
  if (outcome.pushed)
    std::cout << "pushed " << outcome.pushed->branch << " to " << settings.remote << " ("
              << outcome.pushed->remote_url << ")\n";
  std::cout << std::flush;
}

}  // namespace newsmirror::cli
