// Helpers for the git publishing tests: files in a mirror folder and the
// real git command line, which checks what libgit2 wrote from the outside.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace newsmirror::test::git_support {

namespace fs = std::filesystem;

inline std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Shell {
  int status = -1;
  std::string out;  // stdout and stderr together
};

// Runs a shell command line, capturing its output (stdout and stderr unless
// the command redirects them itself).
inline Shell shell(const std::string& command) {
  Shell result;
  FILE* pipe = ::popen(("{ " + command + " ; } 2>&1").c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) result.out.append(buffer, n);
  int raw = ::pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

// `git -C dir ARGS` with an identity given on the command line, so that
// commits made by the tests themselves do not depend on ~/.gitconfig.
inline Shell git(const fs::path& dir, const std::string& args) {
  return shell("git -c user.name=tester -c user.email=tester@example.org -C " + quote(dir.string()) +
               " " + args);
}

// Its output without the final newline; fails the test when git fails.
inline std::string git_line(const fs::path& dir, const std::string& args) {
  auto result = git(dir, args);
  EXPECT_EQ(result.status, 0) << "git " << args << ": " << result.out;
  while (!result.out.empty() && result.out.back() == '\n') result.out.pop_back();
  return result.out;
}

inline void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

inline std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace newsmirror::test::git_support
