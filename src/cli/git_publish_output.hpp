// How `publish --git` and `run --publish` commit and push the mirror and
// show it: a line or two for people, one JSON object with --json.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "cli/command.hpp"
#include "core/result.hpp"
#include "publish/git_publisher.hpp"

namespace newsmirror::cli {

struct GitPublishSettings {
  std::string remote = "origin";
  bool push = false;
};

struct GitPublishOutcome {
  publish::CommitSummary commit;
  std::optional<publish::PushResult> pushed;  // set when the push succeeded
  std::optional<core::Error> push_error;      // the commit stands; only the push failed
};

// Commits what changed in the mirror and, when asked, pushes. An error
// result means nothing was committed. Site names (for the message) come
// from newsmirror.toml when it loads; otherwise folder names are shown.
core::Result<GitPublishOutcome> publish_to_git(const std::string& mirror_dir,
                                               const GitPublishSettings& settings,
                                               const GlobalOptions& globals);

// {committed, commit, branch, new, changed, removed, other_files, per_site,
//  pushed, remote, error}
nlohmann::json to_json(const GitPublishOutcome& outcome, const GitPublishSettings& settings);

// The human lines on stdout ("committed 1a2b3c4 on main: ..."); nothing
// with --quiet or --json. A push error is printed by the caller.
void print_git_publish(const GitPublishOutcome& outcome, const GitPublishSettings& settings,
                       const GlobalOptions& globals);

}  // namespace newsmirror::cli
