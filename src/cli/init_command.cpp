#include "cli/command.hpp"

namespace newsmirror::cli {

Command add_init_command(CLI::App& parent, const GlobalOptions& globals) {
  (void)globals;
  Command command;
  command.app = parent.add_subcommand("init", "(not yet implemented)");
  command.run = [] { return kExitFailure; };
  return command;
}

}  // namespace newsmirror::cli
