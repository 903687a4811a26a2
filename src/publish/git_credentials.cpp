#include "publish/git_credentials.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <sstream>

namespace newsmirror::publish {

namespace {

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::optional<UserPass> credential_from_helpers(const std::filesystem::path& repo_dir,
                                                std::string_view url, std::string_view username) {
  // The protocol is one `key=value` per line: a line break or NUL in a value
  // would let it say something else.
  auto unsafe = [](std::string_view value) { return value.find_first_of(std::string_view("\n\0", 2)) != std::string_view::npos; };
  if (url.empty() || unsafe(url) || unsafe(username)) return std::nullopt;
  std::string request = "url=" + std::string(url) + "\n";
  if (!username.empty()) request += "username=" + std::string(username) + "\n";
  request += "\n";
  const std::string command = "printf '%s' " + shell_quote(request) +
                              " | GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=true SSH_ASKPASS=true git -C " +
                              shell_quote(repo_dir.string()) + " credential fill 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string answer;
  char buffer[1024];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) answer.append(buffer, n);
  int status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;

  UserPass found;
  std::istringstream lines(answer);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("username=")) found.username = line.substr(9);
    else if (line.starts_with("password=")) found.password = line.substr(9);
  }
  // GIT_ASKPASS=true answers every prompt with "": no password is no answer.
  if (found.username.empty() || found.password.empty()) return std::nullopt;
  return found;
}

}  // namespace newsmirror::publish
