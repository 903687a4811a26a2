#include "publish/git_publisher.hpp"

#include <git2.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <utility>

#include "archive/file_name.hpp"
#include "core/mirror_layout.hpp"
#include "core/read_file.hpp"
#include "publish/git_credentials.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::publish {

namespace fs = std::filesystem;

namespace {

// libgit2 keeps global state (TLS, its allocator, OpenSSL setup). Its
// init/shutdown pair is reference counted, so each publisher holds one
// reference for as long as it holds repository handles.
class LibGit2 {
 public:
  LibGit2() {
    git_libgit2_init();
    // By default libgit2 reads back every object a new tree names, to check
    // that it exists: each article file of a changed site folder, inflated
    // from the object store, at every commit (0.9 of a 100-article publish
    // at 20,000 articles). The objects are the ones git_index_add_all has
    // just written or the index already named; git itself does not check.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
  }
  ~LibGit2() { git_libgit2_shutdown(); }
  LibGit2(const LibGit2&) = delete;
  LibGit2& operator=(const LibGit2&) = delete;
};

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* handle) const { Free(handle); }
};
template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Freer<T, Free>>;

using Repository = Owned<git_repository, git_repository_free>;
using Index = Owned<git_index, git_index_free>;
using Reference = Owned<git_reference, git_reference_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Diff = Owned<git_diff, git_diff_free>;
using Signature = Owned<git_signature, git_signature_free>;
using Remote = Owned<git_remote, git_remote_free>;

// The one translation of libgit2's errors: what we were doing, where, and
// libgit2's own words. Network trouble is a connection error (worth a retry
// on the next cycle); everything else concerns local files.
core::Error git_failure(std::string_view operation, const fs::path& where, int code) {
  const git_error* last = git_error_last();
  std::string detail = (last && last->message && *last->message)
                           ? std::string(last->message)
                           : "libgit2 error " + std::to_string(code);
  core::ErrorKind kind = core::ErrorKind::io;
  if (last && (last->klass == GIT_ERROR_NET || last->klass == GIT_ERROR_SSH ||
               last->klass == GIT_ERROR_HTTP || last->klass == GIT_ERROR_SSL))
    kind = core::ErrorKind::connection;
  return core::Error(kind, fmt::format("git: {} in {} failed: {}", operation, where.string(), detail));
}

std::string last_git_message() {
  const git_error* last = git_error_last();
  return (last && last->message) ? std::string(last->message) : std::string("unknown error");
}

// The lines the mirror's .gitignore must hold, so that git by hand agrees
// with the allowlist about the mirror's own private files. The temp
// pattern covers archive::is_temp_file_name (`.<name>.tmp-<pid>-<n>`) in
// every folder.
constexpr std::string_view kIgnoreComment =
    "# newsmirror: private state, configuration and unfinished writes, never published";
constexpr std::string_view kIgnoreLines[] = {"/.newsmirror/", "/newsmirror.toml", ".*.tmp-*"};

core::Status ensure_gitignore(const fs::path& dir) {
  const fs::path file = dir / ".gitignore";
  std::string text;
  std::error_code ec;
  if (fs::exists(file, ec)) {
    auto bytes = core::read_file(file);
    if (!bytes) return bytes.error().with_context(file.string());
    text = std::move(*bytes);
  }
  std::vector<std::string_view> missing;
  for (std::string_view wanted : kIgnoreLines) {
    bool present = false;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line == wanted) present = true;
    }
    if (!present) missing.push_back(wanted);
  }
  if (missing.empty()) return core::ok_status();
  if (!text.empty() && text.back() != '\n') text += '\n';
  if (!text.empty()) text += '\n';
  text += kIgnoreComment;
  text += '\n';
  for (auto line : missing) {
    text += line;
    text += '\n';
  }
  return storage::write_file_atomically(file, text);
}

// Staging callback for git_index_add_all / update_all: 0 stages the path,
// a positive value skips it.
int skip_unpublished(const char* path, const char* /*matched_pathspec*/, void* /*payload*/) {
  return is_published_path(path) ? 0 : 1;
}

// "refs/heads/main" for HEAD, also when the branch has no commit yet;
// "" when HEAD is detached.
std::string head_branch_ref(git_repository* repo) {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, "HEAD") < 0) return {};
  Reference head(raw);
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) return {};
  const char* target = git_reference_symbolic_target(head.get());
  return target ? target : "";
}

std::string short_branch(std::string_view ref) {
  constexpr std::string_view prefix = "refs/heads/";
  if (ref.starts_with(prefix)) ref.remove_prefix(prefix.size());
  return std::string(ref);
}

std::string oid_hex(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

struct PushState {
  const PushOptions* options = nullptr;
  fs::path dir;
  int agent_offers = 0;          // credentials we handed to libgit2, per kind
  int helper_offers = 0;
  bool credentials_asked = false;
  std::string rejected_ref;
  std::string rejected_status;
};

// SSH: the agent, when one runs. HTTPS: git's credential helpers. Each is
// offered once: a second request means the server refused it, and the
// caller turns the failure into advice.
int acquire_credentials(git_credential** out, const char* url, const char* username_from_url,
                        unsigned int allowed_types, void* payload) {
  auto& state = *static_cast<PushState*>(payload);
  state.credentials_asked = true;
  const char* user = (username_from_url && *username_from_url) ? username_from_url : "git";
  if (allowed_types & GIT_CREDENTIAL_USERNAME) return git_credential_username_new(out, user);
  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) && std::getenv("SSH_AUTH_SOCK") &&
      state.agent_offers == 0) {
    ++state.agent_offers;
    return git_credential_ssh_key_from_agent(out, user);
  }
  if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && state.helper_offers == 0) {
    ++state.helper_offers;
    if (auto found = credential_from_helpers(state.dir, url ? url : "",
                                             username_from_url ? username_from_url : ""))
      return git_credential_userpass_plaintext_new(out, found->username.c_str(), found->password.c_str());
  }
  git_error_set_str(GIT_ERROR_NET, "authentication required");
  return GIT_EAUTH;
}

int report_push_progress(unsigned int current, unsigned int total, size_t bytes, void* payload) {
  auto& state = *static_cast<PushState*>(payload);
  if (state.options->on_progress) state.options->on_progress(current, total, bytes);
  return 0;
}

// The remote's verdict per ref: a non-null status is its reason to refuse.
int note_ref_update(const char* refname, const char* status, void* payload) {
  auto& state = *static_cast<PushState*>(payload);
  if (status) {
    state.rejected_ref = refname ? refname : "";
    state.rejected_status = status;
  }
  return 0;
}

// The path of a remote on this machine ("/srv/news.git", "file:///srv/news.git");
// "" for any other URL.
std::string local_remote_path(std::string_view url) {
  if (url.starts_with("file://")) url.remove_prefix(7);
  return url.starts_with("/") ? std::string(url) : std::string();
}

// A fresh `git init --bare` names in HEAD the branch of init.defaultBranch
// (`master` unless configured), whatever branch will be pushed to it. After
// a push of `main` its HEAD names a branch that does not exist, and `git
// clone` checks out nothing. Of the two cures, pushing to the branch the
// remote's HEAD names, or pointing that HEAD at the branch pushed, this
// takes the second: the first would give the mirror another branch name on
// each side and need an upstream mapping for every later push, while the
// second is what hosting services do for the first push to an empty
// repository. Only a bare repository that had no reference at all before the
// push is touched (no one's default is moved), and only one we can open:
// the protocol cannot set a remote's HEAD, so a server reached over SSH or
// HTTP keeps whatever its host decides.
class EmptyLocalRemote {
 public:
  // Remembers the remote at `url` if it is a bare repository on this
  // machine with no reference yet.
  explicit EmptyLocalRemote(std::string_view url) {
    const std::string path = local_remote_path(url);
    git_repository* raw = nullptr;
    if (path.empty() || git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) < 0)
      return;
    repo_.reset(raw);
    // A work tree's HEAD is someone's checkout: left alone.
    if (git_repository_is_bare(repo_.get()) != 1 || git_repository_is_empty(repo_.get()) != 1) repo_.reset();
  }

  // After a push of `branch_ref` to it: its HEAD names that branch.
  core::Status point_head_at(const std::string& branch_ref, const std::string& where) {
    if (!repo_) return core::ok_status();
    if (int rc = git_repository_set_head(repo_.get(), branch_ref.c_str()); rc < 0)
      return core::Error(core::ErrorKind::io,
                         fmt::format("{}: pushed, but could not point the remote's HEAD at {}: {}", where,
                                     short_branch(branch_ref), last_git_message()));
    return core::ok_status();
  }

 private:
  Repository repo_;
};

}  // namespace

bool is_published_path(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (core::layout::is_temp_file_name(name)) return false;
  if (path == core::layout::kReadme || path == ".gitignore") return true;
  for (std::string_view folder : {core::layout::kArticles, core::layout::kLists, core::layout::kAssets})
    if (path.size() > folder.size() + 1 && path.starts_with(folder) && path[folder.size()] == '/') return true;
  return false;
}

void count_changes(const std::vector<PathChange>& changes,
                   const std::vector<std::string>& site_order, CommitSummary& summary) {
  std::map<std::string, SiteChanges> by_folder;
  constexpr std::string_view articles = "articles/";
  for (const auto& change : changes) {
    std::string_view path = change.path;
    bool is_article = false;
    std::string folder;
    if (path.starts_with(articles)) {
      std::string_view rest = path.substr(articles.size());
      const std::size_t slash = rest.find('/');
      // Only files right inside a site folder are articles (not images or
      // anything a site folder might hold deeper down).
      if (slash != std::string_view::npos && slash > 0 &&
          rest.find('/', slash + 1) == std::string_view::npos && rest.ends_with(".md")) {
        folder = std::string(rest.substr(0, slash));
        is_article = true;
      }
    }
    if (!is_article) {
      ++summary.other_files;
      continue;
    }
    auto& site = by_folder[folder];
    site.site = folder;
    switch (change.kind) {
      case ChangeKind::added: ++site.added; ++summary.added; break;
      case ChangeKind::modified: ++site.changed; ++summary.changed; break;
      case ChangeKind::removed: ++site.removed; ++summary.removed; break;
    }
  }
  summary.per_site.clear();
  for (const auto& name : site_order) {
    auto found = by_folder.find(archive::site_dir_name(name));
    if (found == by_folder.end()) continue;
    found->second.site = name;
    summary.per_site.push_back(found->second);
    by_folder.erase(found);
  }
  for (auto& [folder, site] : by_folder) summary.per_site.push_back(site);
}

std::string commit_message(const CommitSummary& summary) {
  // Sites beyond this many are left to the body, so the subject line stays
  // readable in `git log --oneline` and on code hosts.
  constexpr std::size_t kSitesInSubject = 6;
  std::string subject = fmt::format("newsmirror: {} new, {} changed", summary.added, summary.changed);
  if (summary.removed > 0) subject += fmt::format(", {} removed", summary.removed);
  if (summary.per_site.empty()) {
    if (summary.other_files > 0)
      subject += fmt::format(" ({} other file{})", summary.other_files,
                             summary.other_files == 1 ? "" : "s");
  } else {
    subject += " —";
    for (std::size_t i = 0; i < summary.per_site.size() && i < kSitesInSubject; ++i) {
      const auto& site = summary.per_site[i];
      subject += (i == 0 ? " " : ", ") + site.site;
      if (site.added) subject += fmt::format(" +{}", site.added);
      if (site.changed) subject += fmt::format(" ~{}", site.changed);
      if (site.removed) subject += fmt::format(" -{}", site.removed);
    }
    if (summary.per_site.size() > kSitesInSubject)
      subject += fmt::format(", … ({} more)", summary.per_site.size() - kSitesInSubject);
  }
  std::string body;
  for (const auto& site : summary.per_site) {
    std::vector<std::string> parts;
    if (site.added) parts.push_back(fmt::format("{} new", site.added));
    if (site.changed) parts.push_back(fmt::format("{} changed", site.changed));
    if (site.removed) parts.push_back(fmt::format("{} removed", site.removed));
    body += fmt::format("{}: {}\n", site.site, fmt::join(parts, ", "));
  }
  if (!body.empty() && summary.other_files > 0)
    body += fmt::format("other files: {}\n", summary.other_files);
  return body.empty() ? subject + "\n" : subject + "\n\n" + body;
}

struct GitPublisher::Impl {
  LibGit2 library;  // first member: outlives the handles below
  fs::path dir;
  Repository repo;
};

GitPublisher::GitPublisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GitPublisher::GitPublisher(GitPublisher&&) noexcept = default;
GitPublisher& GitPublisher::operator=(GitPublisher&&) noexcept = default;
GitPublisher::~GitPublisher() = default;

const fs::path& GitPublisher::dir() const { return impl_->dir; }

core::Result<GitPublisher> GitPublisher::open(const fs::path& mirror_dir) {
  auto impl = std::make_unique<Impl>();
  std::error_code ec;
  impl->dir = fs::absolute(mirror_dir, ec).lexically_normal();
  if (!impl->dir.has_filename()) impl->dir = impl->dir.parent_path();  // "/m/." -> "/m"
  if (ec || !fs::is_directory(impl->dir, ec))
    return core::Error(core::ErrorKind::usage,
                       "mirror folder " + mirror_dir.string() + " does not exist");

  git_repository* raw = nullptr;
  // NO_SEARCH: the mirror folder is the repository; a repository in some
  // folder above it (a home directory under git, say) is not ours to commit to.
  int rc = git_repository_open_ext(&raw, impl->dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  if (rc == GIT_ENOTFOUND) {
    git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    init.flags = GIT_REPOSITORY_INIT_NO_REINIT;
    init.initial_head = "main";
    rc = git_repository_init_ext(&raw, impl->dir.c_str(), &init);
    if (rc < 0) return git_failure("init", impl->dir, rc);
  } else if (rc < 0) {
    return git_failure("open", impl->dir, rc);
  }
  impl->repo.reset(raw);
  if (git_repository_is_bare(impl->repo.get()))
    return core::Error(core::ErrorKind::usage,
                       impl->dir.string() + " is a bare git repository; a mirror needs a work tree");
  return GitPublisher(std::move(impl));
}

core::Result<CommitSummary> GitPublisher::commit_changes(const std::vector<std::string>& site_order) {
  git_repository* repo = impl_->repo.get();
  const fs::path& dir = impl_->dir;
  if (auto ignored = ensure_gitignore(dir); !ignored) return ignored.error();

  git_index* raw_index = nullptr;
  if (int rc = git_repository_index(&raw_index, repo); rc < 0) return git_failure("open index", dir, rc);
  Index index(raw_index);
  // Someone (a person with the git CLI) may have changed the index on disk.
  if (int rc = git_index_read(index.get(), 0); rc < 0) return git_failure("read index", dir, rc);
  // What an older setup once committed outside the allowlist (private
  // state, the configuration, a stray file) is dropped from now on; the
  // files stay on disk.
  std::vector<std::string> unpublished;
  for (std::size_t i = 0, n = git_index_entrycount(index.get()); i < n; ++i)
    if (const git_index_entry* entry = git_index_get_byindex(index.get(), i); entry && !is_published_path(entry->path))
      unpublished.push_back(entry->path);
  for (const auto& path : unpublished) git_index_remove_bypath(index.get(), path.c_str());

  char everything_pattern[] = "*";
  char* patterns[] = {everything_pattern};
  git_strarray everything = {patterns, 1};
  if (int rc = git_index_add_all(index.get(), &everything, GIT_INDEX_ADD_DEFAULT, skip_unpublished, nullptr);
      rc < 0)
    return git_failure("stage changes", dir, rc);
  // add_all never drops entries whose files are gone; update_all does.
  if (int rc = git_index_update_all(index.get(), &everything, skip_unpublished, nullptr); rc < 0)
    return git_failure("stage deletions", dir, rc);
  if (int rc = git_index_write(index.get()); rc < 0) return git_failure("write index", dir, rc);

  CommitSummary summary;
  summary.branch = short_branch(head_branch_ref(repo));

  Commit parent;
  Tree parent_tree;
  git_reference* raw_head = nullptr;
  int rc = git_repository_head(&raw_head, repo);
  if (rc == 0) {
    Reference head(raw_head);
    git_object* peeled = nullptr;
    if (rc = git_reference_peel(&peeled, head.get(), GIT_OBJECT_COMMIT); rc < 0)
      return git_failure("read HEAD", dir, rc);
    parent.reset(reinterpret_cast<git_commit*>(peeled));
    git_tree* raw_tree = nullptr;
    if (rc = git_commit_tree(&raw_tree, parent.get()); rc < 0) return git_failure("read HEAD's tree", dir, rc);
    parent_tree.reset(raw_tree);
  } else if (rc != GIT_EUNBORNBRANCH && rc != GIT_ENOTFOUND) {
    return git_failure("read HEAD", dir, rc);
  }

  git_diff* raw_diff = nullptr;
  git_diff_options diff_options = GIT_DIFF_OPTIONS_INIT;
  if (rc = git_diff_tree_to_index(&raw_diff, repo, parent_tree.get(), index.get(), &diff_options); rc < 0)
    return git_failure("compare the index with HEAD", dir, rc);
  Diff diff(raw_diff);
  std::vector<PathChange> changes;
  for (std::size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    switch (delta->status) {
      case GIT_DELTA_ADDED: changes.push_back({delta->new_file.path, ChangeKind::added}); break;
      case GIT_DELTA_DELETED: changes.push_back({delta->old_file.path, ChangeKind::removed}); break;
      default: changes.push_back({delta->new_file.path, ChangeKind::modified}); break;
    }
  }
  if (changes.empty()) return summary;

  count_changes(changes, site_order, summary);
  summary.message = commit_message(summary);

  git_oid tree_id;
  if (rc = git_index_write_tree(&tree_id, index.get()); rc < 0) return git_failure("write tree", dir, rc);
  git_tree* raw_tree = nullptr;
  if (rc = git_tree_lookup(&raw_tree, repo, &tree_id); rc < 0) return git_failure("read tree", dir, rc);
  Tree tree(raw_tree);

  git_signature* raw_signature = nullptr;
  rc = git_signature_default(&raw_signature, repo);
  if (rc == GIT_ENOTFOUND)  // user.name or user.email unset
    rc = git_signature_now(&raw_signature, "newsmirror", "newsmirror@localhost");
  if (rc < 0) return git_failure("make the commit's signature", dir, rc);
  Signature signature(raw_signature);

  const git_commit* parents[] = {parent.get()};
  git_oid commit_id;
  rc = git_commit_create(&commit_id, repo, "HEAD", signature.get(), signature.get(), nullptr,
                         summary.message.c_str(), tree.get(), parent ? 1 : 0, parents);
  if (rc < 0) return git_failure("commit", dir, rc);
  summary.committed = true;
  summary.commit = oid_hex(commit_id);
  return summary;
}

core::Result<PushResult> GitPublisher::push(const PushOptions& options) {
  git_repository* repo = impl_->repo.get();
  const fs::path& dir = impl_->dir;
  const std::string branch_ref = head_branch_ref(repo);
  if (branch_ref.empty())
    return core::Error(core::ErrorKind::usage,
                       "cannot push " + dir.string() + ": HEAD is detached; check out a branch first");
  if (git_repository_head_unborn(repo) == 1)
    return core::Error(core::ErrorKind::usage,
                       "cannot push " + dir.string() + ": branch " + short_branch(branch_ref) +
                           " has no commit yet");

  PushResult result;
  result.remote = options.remote;
  result.branch = short_branch(branch_ref);
  git_remote* raw_remote = nullptr;
  int rc = git_remote_lookup(&raw_remote, repo, options.remote.c_str());
  if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
    return core::Error(core::ErrorKind::usage,
                       fmt::format("no git remote named \"{}\" in {}; add one with `git -C {} remote "
                                   "add {} URL`",
                                   options.remote, dir.string(), dir.string(), options.remote));
  if (rc < 0) return git_failure("look up remote " + options.remote, dir, rc);
  Remote remote(raw_remote);
  const char* url = git_remote_pushurl(remote.get());
  if (!url) url = git_remote_url(remote.get());
  result.remote_url = url ? url : "";
  const std::string where = fmt::format("push to {} ({})", options.remote, result.remote_url);
  // libgit2 takes a local path that does not exist for a URL it cannot
  // parse ("unsupported URL protocol"); say what is actually wrong.
  const std::string local = local_remote_path(result.remote_url);
  std::error_code ec;
  if (!local.empty() && !fs::exists(fs::path(local), ec))
    return core::Error(core::ErrorKind::io, fmt::format("{} failed: {} does not exist", where, local));

  EmptyLocalRemote empty_remote(result.remote_url);

  // No '+': the remote must fast-forward, or the push fails.
  std::string refspec = branch_ref + ":" + branch_ref;
  char* specs[] = {refspec.data()};
  git_strarray refspecs = {specs, 1};
  PushState state;
  state.options = &options;
  state.dir = dir;
  git_push_options push_options = GIT_PUSH_OPTIONS_INIT;
  push_options.callbacks.credentials = acquire_credentials;
  push_options.callbacks.push_transfer_progress = report_push_progress;
  push_options.callbacks.push_update_reference = note_ref_update;
  push_options.callbacks.payload = &state;
  rc = git_remote_push(remote.get(), &refspecs, &push_options);

  if (rc == GIT_ENONFASTFORWARD)
    return core::Error(core::ErrorKind::io,
                       fmt::format("{} rejected: its branch {} has commits this mirror lacks (not a "
                                   "fast-forward); fetch and merge them first — newsmirror never "
                                   "force-pushes ({})",
                                   where, result.branch, last_git_message()));
  const bool auth_failed =
      rc == GIT_EAUTH || (state.credentials_asked && last_git_message().find("authentication") !=
                                                         std::string::npos);
  if (rc < 0 && auth_failed)
    return core::Error(core::ErrorKind::connection,
                       fmt::format("{} failed: authentication required; configure a credential "
                                   "helper or use an SSH agent ({})",
                                   where, last_git_message()));
  if (rc < 0) return git_failure(where, dir, rc);
  if (!state.rejected_status.empty())
    return core::Error(core::ErrorKind::io, fmt::format("{} rejected: the remote refused {}: {}", where,
                                                        state.rejected_ref, state.rejected_status));
  if (auto pointed = empty_remote.point_head_at(branch_ref, where); !pointed) return pointed.error();
  return result;
}

}  // namespace newsmirror::publish
