// Credentials for pushing over HTTPS, from git's own credential helpers
// (`credential.helper`: store, cache, libsecret, a host's manager ...), so
// that a mirror pushes with whatever `git push` would use. libgit2 has no
// helper support of its own; this asks the git command line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::publish {

struct UserPass {
  std::string username;
  std::string password;
};

// Runs `git credential fill` in `repo_dir` (so the repository's own config
// counts) for `url`, with terminal prompts disabled. nullopt when no helper
// knows the URL, git is not installed, or the URL cannot be passed on.
std::optional<UserPass> credential_from_helpers(const std::filesystem::path& repo_dir,
                                                std::string_view url, std::string_view username);

}  // namespace newsmirror::publish
