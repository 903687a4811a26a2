// Runs the built `newsmirror` as a user would, for the command-line tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace newsmirror::test {

struct CliOutcome {
  int status = -1;  // exit status; -1 when it did not exit normally
  std::string out;
  std::string err;
};

// Runs `newsmirror ARGS...` with stdin closed and its output captured in
// files inside `scratch` (a folder the caller owns), and waits for it.
CliOutcome run_newsmirror(const std::filesystem::path& scratch, const std::vector<std::string>& args);
// The same under a wrapper command, e.g. {"fiu-run", "-x", ...}. A status
// above 128 is the shell's report of a signal (128 + its number).
CliOutcome run_newsmirror_under(const std::filesystem::path& scratch, const std::vector<std::string>& wrapper,
                                const std::vector<std::string>& args);

}  // namespace newsmirror::test
