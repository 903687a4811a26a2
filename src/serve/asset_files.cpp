#include "serve/asset_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace newsmirror::serve {

namespace {

// realpath(3): the path with every symlink, "." and ".." resolved.
std::optional<std::string> resolved(const std::filesystem::path& path) {
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  if (!real) return std::nullopt;
  return std::string(real.get());
}

struct FileDescriptor {
  explicit FileDescriptor(int f) : fd(f) {}
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  operator int() const { return fd; }
  int fd;
};

}  // namespace

AssetFiles::AssetFiles(std::filesystem::path assets_dir) : dir_(std::move(assets_dir)) {}

std::optional<std::string_view> AssetFiles::content_type_of(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view ext = name.substr(dot + 1);
  // The raster types the image store keeps (image_store.hpp); never SVG,
  // which runs scripts when opened on its own.
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "avif") return "image/avif";
  if (ext == "bmp") return "image/bmp";
  if (ext == "ico") return "image/x-icon";
  return std::nullopt;
}

std::optional<AssetFile> AssetFiles::read(std::string_view name, std::size_t max_bytes) const {
  auto type = content_type_of(name);
  if (!type || name.empty() || name.front() == '/') return std::nullopt;
  // Resolved again on each read: the folder may appear (or move) while the
  // server runs. Cached responses make this rare.
  auto root = resolved(dir_);
  auto file = resolved(dir_ / std::filesystem::path(std::string(name)));
  if (!root || !file || !file->starts_with(*root + "/")) return std::nullopt;

  const FileDescriptor fd(::open(file->c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > max_bytes)
    return std::nullopt;
  AssetFile out{*type, std::string(static_cast<std::size_t>(st.st_size), '\0')};
  std::size_t done = 0;
  while (done < out.bytes.size()) {
    const ssize_t n = ::read(fd, out.bytes.data() + done, out.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    done += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace newsmirror::serve
