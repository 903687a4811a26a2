// Runs one of the scorers in ../shared/tools (feed-conformance, xss-check,
// extract-score) against the built program, so that the thresholds the
// issues set are checked by ctest, with the scorer's own report on failure.
#pragma once

#include <string>
#include <vector>

namespace newsmirror::test {

struct ToolRun {
  int exit_code = -1;
  std::string output;     // stdout and stderr together
  std::string last_line;  // the scorer's summary line
};

// `tool` is a file name under ../shared/tools; `arguments` are passed as
// they are (no shell). The caller checks have_shared() first.
ToolRun run_shared_tool(const std::string& tool, const std::vector<std::string>& arguments);

// The command line of the built program, quoted for a scorer that splits its
// --sanitizer argument with shlex: "'/path/newsmirror' sanitize".
std::string quoted_binary_command(const std::string& subcommand);

}  // namespace newsmirror::test
