// Reading a whole file, the one way the program does it: one descriptor,
// read straight into a string sized from fstat, and an error that gives
// the system's reason ("cannot read: Permission denied"). The caller
// decides what a failure costs and names the file in its own words
// (Error::with_context(path) at least).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace newsmirror::core {

// A file's size and modification time, as one look at it saw them: an
// import skips a file whose stamp is unchanged without reading it.
struct FileStamp {
  std::int64_t size = -1;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

struct FileContents {
  std::string bytes;
  FileStamp stamp;  // of the descriptor the bytes were read from
};

// The whole file. ErrorKind::io when it cannot be opened or read, or is
// not a regular file (a folder, a FIFO that would block).
Result<std::string> read_file(const std::filesystem::path& file);
// The same, with the stamp of what was read.
Result<FileContents> read_file_stamped(const std::filesystem::path& file);
// The file's stamp without reading it; nothing when it cannot be looked at.
std::optional<FileStamp> stamp_of(const std::filesystem::path& file);

}  // namespace newsmirror::core
