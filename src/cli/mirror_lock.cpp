#include "cli/mirror_lock.hpp"

#include <fmt/format.h>

namespace newsmirror::cli {

core::Result<mirror::WriterLock> lock_mirror(const GlobalOptions& globals, std::string_view command) {
  return lock_mirror(globals, command, globals.mirror);
}

core::Result<mirror::WriterLock> lock_mirror(const GlobalOptions& globals, std::string_view command,
                                             const std::filesystem::path& mirror_dir) {
  const auto wait = globals.no_wait ? mirror::WriterLock::Wait::no : mirror::WriterLock::Wait::until_free;
  // Said even with --quiet: a command that seems to hang needs a reason.
  // --json keeps stderr for errors only.
  return mirror::WriterLock::acquire(mirror_dir, command, wait, [&](const mirror::LockHolder& holder) {
    if (!globals.json)
      fmt::print(stderr, "newsmirror: {} is being written by {}; waiting for it to finish "
                         "(Ctrl-C to give up, --no-wait to fail instead)\n",
                 mirror_dir.string(), holder.describe());
  });
}

}  // namespace newsmirror::cli
