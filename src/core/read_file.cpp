#include "core/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace newsmirror::core {

namespace {

FileStamp stamp_from(const struct stat& info) {
  return {static_cast<std::int64_t>(info.st_size),
          static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

Error read_error(std::string_view reason) { return Error(ErrorKind::io, fmt::format("cannot read: {}", reason)); }

// Closes the descriptor on every way out.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<FileContents> read_file_stamped(const std::filesystem::path& file) {
  // O_NONBLOCK: opening a FIFO planted where a file should be must not
  // hang; it is refused below as not a regular file.
  Descriptor d{::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (d.fd < 0) return read_error(std::strerror(errno));
  struct stat info {};
  if (::fstat(d.fd, &info) != 0) return read_error(std::strerror(errno));
  if (!S_ISREG(info.st_mode)) return read_error("not a regular file");
  FileContents contents;
  contents.stamp = stamp_from(info);
  // Read straight into the string, one byte more than fstat said so that
  // the end is seen in the same call; a file that grew meanwhile grows it.
  std::string& bytes = contents.bytes;
  bytes.resize(static_cast<std::size_t>(info.st_size) + 1);
  std::size_t filled = 0;
  for (;;) {
    if (filled == bytes.size()) bytes.resize(bytes.size() * 2);
    const ssize_t n = ::read(d.fd, bytes.data() + filled, bytes.size() - filled);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return read_error(std::strerror(errno));
    }
    filled += static_cast<std::size_t>(n);
  }
  bytes.resize(filled);
  return contents;
}

Result<std::string> read_file(const std::filesystem::path& file) {
  auto contents = read_file_stamped(file);
  if (!contents) return contents.error();
  return std::move(contents->bytes);
}

std::optional<FileStamp> stamp_of(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return std::nullopt;
  return stamp_from(info);
}

}  // namespace newsmirror::core
