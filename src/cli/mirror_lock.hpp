// The writer lock (mirror/writer_lock.hpp) as every command that writes a
// mirror takes it: waiting, with a line on stderr that says for whom, or
// failing at once with --no-wait (exit status 4).
#pragma once

#include <filesystem>
#include <string_view>

#include "cli/command.hpp"
#include "mirror/writer_lock.hpp"

namespace newsmirror::cli {

// Locks `mirror_dir` (default: --mirror) for `command` ("fetch", "import" ...).
core::Result<mirror::WriterLock> lock_mirror(const GlobalOptions& globals, std::string_view command);
core::Result<mirror::WriterLock> lock_mirror(const GlobalOptions& globals, std::string_view command,
                                             const std::filesystem::path& mirror_dir);

}  // namespace newsmirror::cli
