#include "support/cli.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/paths.hpp"

namespace newsmirror::test {

namespace {

std::string shell_quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace

CliOutcome run_newsmirror(const std::filesystem::path& scratch, const std::vector<std::string>& args) {
  return run_newsmirror_under(scratch, {}, args);
}

CliOutcome run_newsmirror_under(const std::filesystem::path& scratch, const std::vector<std::string>& wrapper,
                                const std::vector<std::string>& args) {
  std::string command;
  for (const auto& word : wrapper) command += shell_quote(word) + " ";
  command += shell_quote(binary().string());
  for (const auto& arg : args) command += " " + shell_quote(arg);
  auto out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
  int raw = std::system(command.c_str());
  CliOutcome run;
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  run.out = read_file(out);
  run.err = read_file(err);
  return run;
}

}  // namespace newsmirror::test
