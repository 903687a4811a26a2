#include "support/shared_tool.hpp"

#include <array>
#include <cstdio>
#include <memory>

#include "support/paths.hpp"

namespace newsmirror::test {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

struct PipeCloser {
  int* status;
  void operator()(FILE* f) const { *status = pclose(f); }
};

}  // namespace

ToolRun run_shared_tool(const std::string& tool, const std::vector<std::string>& arguments) {
  std::string command = shell_quote((shared_dir() / "tools" / tool).string());
  for (const auto& argument : arguments) command += " " + shell_quote(argument);
  command += " 2>&1";

  ToolRun run;
  int status = -1;
  {
    std::unique_ptr<FILE, PipeCloser> pipe(popen(command.c_str(), "r"), PipeCloser{&status});
    if (!pipe) {
      run.output = "cannot start: " + command;
      return run;
    }
    std::array<char, 4096> buffer{};
    while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get())) {
      run.output += buffer.data();
    }
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  size_t end = run.output.find_last_not_of("\r\n");
  if (end != std::string::npos) {
    size_t start = run.output.rfind('\n', end);
    run.last_line = run.output.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
  }
  return run;
}

std::string quoted_binary_command(const std::string& subcommand) {
  return shell_quote(binary().string()) + " " + subcommand;
}

}  // namespace newsmirror::test
