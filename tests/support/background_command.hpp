// A `newsmirror` command (`serve`) or a helper program left running in the
// background, its stdout piped to the test: for tests that talk to it while
// it runs.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace newsmirror::test {

class BackgroundCommand {
 public:
  // Starts `newsmirror ARGS...` with stdin from /dev/null and stderr to
  // `err_file` (or /dev/null).
  explicit BackgroundCommand(const std::vector<std::string>& args,
                             const std::filesystem::path& err_file = "/dev/null");
  // The same for another program (found on PATH), e.g. a helper server.
  BackgroundCommand(const std::string& program, const std::vector<std::string>& args,
                    const std::filesystem::path& err_file = "/dev/null");
  // Kills it (SIGKILL) if it still runs.
  ~BackgroundCommand();
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  // The first line on stdout ("" if none came within 30 seconds).
  std::string first_line();
  // Sends `signal` and waits for the exit status (-1: did not exit normally).
  int stop_with(int signal);

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool exited_ = false;
};

}  // namespace newsmirror::test
