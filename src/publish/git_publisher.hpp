// Publishing the mirror folder to git: commit what changed (articles, lists,
// README, assets) and push it, so readers can pull a history.
//
// The mirror folder itself is the repository's work tree, and only an
// allowlist of its paths is committed (is_published_path): the folder also
// holds the operator's configuration, private state and whatever else was
// put there, none of which a reader should get. `.newsmirror/` and the
// writers' temp files are also kept in the mirror's `.gitignore`, for a
// person using git by hand.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace newsmirror::publish {

// What a commit did to one site's articles (`articles/<folder>/*.md`).
struct SiteChanges {
  std::string site;  // the site's name when known, else its folder
  std::size_t added = 0;
  std::size_t changed = 0;
  std::size_t removed = 0;
};

struct CommitSummary {
  bool committed = false;     // false: the mirror had nothing to commit
  std::string commit;         // full hex id of the new commit, "" when none
  std::string branch;         // e.g. "main"; "" on a detached HEAD
  std::size_t added = 0;      // article files, over all sites
  std::size_t changed = 0;
  std::size_t removed = 0;
  std::size_t other_files = 0;  // lists, README, assets, config ...
  std::vector<SiteChanges> per_site;  // sites in `site_order`, then by name
  std::string message;        // the whole commit message
};

// The counts of a commit, read from the changes themselves (so a commit
// after several cycles counts all of them). `paths` are the commit's
// changed paths, relative to the mirror, '/'-separated.
enum class ChangeKind { added, modified, removed };
struct PathChange {
  std::string path;
  ChangeKind kind;
};
// Fills the counts and per_site of a summary. `site_order` lists site names
// (config order); a folder `site_dir_name(name)` is shown as `name`.
void count_changes(const std::vector<PathChange>& changes,
                   const std::vector<std::string>& site_order, CommitSummary& summary);

// "newsmirror: 12 new, 1 changed — 法广 +5, BBC +7 ~1", a blank line, then
// one line per site ("BBC: 7 new, 1 changed").
std::string commit_message(const CommitSummary& summary);

// True for the mirror's own paths, the only ones ever committed: README.md,
// .gitignore, and what is under articles/, lists/ and assets/ — never a
// temp file of the atomic writers. Everything else in the folder stays
// out: .newsmirror/, newsmirror.toml (a proxy address can tell who runs
// the mirror, and how it gets past a firewall), a stray .env, notes.
bool is_published_path(std::string_view relative_path);

struct PushOptions {
  std::string remote = "origin";
  // Called while objects are sent: (objects sent, objects in all, bytes).
  std::function<void(std::size_t, std::size_t, std::size_t)> on_progress;
};

struct PushResult {
  std::string remote;
  std::string branch;
  std::string remote_url;
};

// One mirror folder's repository. Not thread-safe; one publisher per folder
// at a time (git's index lock turns a second one into a clear error).
class GitPublisher {
 public:
  // Opens `mirror_dir` as a repository (only the folder itself, never a
  // repository above it); initializes one on branch `main` when it is none.
  // An existing repository keeps its branch and config.
  static core::Result<GitPublisher> open(const std::filesystem::path& mirror_dir);
  GitPublisher(GitPublisher&&) noexcept;
  GitPublisher& operator=(GitPublisher&&) noexcept;
  ~GitPublisher();

  // Makes sure `.gitignore` excludes what must stay private, stages every
  // addition, modification and deletion, and commits when anything changed
  // (author and committer from user.name/user.email, else
  // "newsmirror <newsmirror@localhost>"). `site_order`: see count_changes.
  core::Result<CommitSummary> commit_changes(const std::vector<std::string>& site_order = {});

  // Pushes the current branch to the same branch of `options.remote`. A
  // push the remote would have to take as a non-fast-forward is an error;
  // nothing is ever forced. The first push to an empty bare repository on
  // this machine also points its HEAD at the branch pushed, so that a clone
  // of it checks the mirror out (a fresh `git init --bare` names `master`).
  core::Result<PushResult> push(const PushOptions& options);

  const std::filesystem::path& dir() const;

 private:
  struct Impl;
  explicit GitPublisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsmirror::publish
