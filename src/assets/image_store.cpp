#include "assets/image_store.hpp"

#include <algorithm>
#include <array>
#include <system_error>

#include "core/hash.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::assets {

namespace fs = std::filesystem;

namespace {

bool starts_with_bytes(std::string_view bytes, std::string_view magic, std::size_t at = 0) {
  return bytes.size() >= at + magic.size() && bytes.substr(at, magic.size()) == magic;
}

// What the bytes say they are, from their signatures.
std::optional<std::string> sniff(std::string_view bytes) {
  using namespace std::string_view_literals;
  if (starts_with_bytes(bytes, "\xFF\xD8\xFF"sv)) return "jpg";
  if (starts_with_bytes(bytes, "\x89PNG\r\n\x1A\n"sv)) return "png";
  if (starts_with_bytes(bytes, "GIF87a"sv) || starts_with_bytes(bytes, "GIF89a"sv)) return "gif";
  if (starts_with_bytes(bytes, "RIFF"sv) && starts_with_bytes(bytes, "WEBP"sv, 8)) return "webp";
  if (starts_with_bytes(bytes, "ftypavif"sv, 4) || starts_with_bytes(bytes, "ftypavis"sv, 4))
    return "avif";
  if (starts_with_bytes(bytes, "BM"sv) && bytes.size() > 26) return "bmp";
  if (starts_with_bytes(bytes, "\0\0\1\0"sv) && bytes.size() > 22) return "ico";
  return std::nullopt;
}

std::string lower_media_type(std::string_view content_type) {
  auto end = content_type.find(';');
  std::string type(content_type.substr(0, end));
  type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return c == ' ' || c == '\t'; }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type;
}

}  // namespace

std::optional<std::string> raster_image_extension(std::string_view content_type,
                                                  std::string_view bytes) {
  auto type = lower_media_type(content_type);
  // Servers often send images as octet-stream or with no type at all; what
  // they must not do is call something else an image's neighbour.
  bool type_allows_image = type.empty() || type.starts_with("image/") ||
                           type == "application/octet-stream" || type == "binary/octet-stream";
  if (!type_allows_image || type == "image/svg+xml") return std::nullopt;
  return sniff(bytes);
}

std::string asset_path(std::string_view bytes, std::string_view extension) {
  auto hash = core::sha256_hex(bytes);
  return "assets/" + hash.substr(0, 2) + "/" + hash + "." + std::string(extension);
}

core::Result<std::string> store_image(const fs::path& mirror_dir, std::string_view bytes,
                                      std::string_view extension) {
  auto relative = asset_path(bytes, extension);
  auto path = mirror_dir / relative;
  if (auto inside = storage::refuse_symlinked_folders(mirror_dir, relative); !inside) return inside.error();
  std::error_code error;
  // Content-addressed: a file of this name and size already holds these bytes
  // (a torn write never has the final name, thanks to the atomic rename).
  if (fs::is_regular_file(path, error) && fs::file_size(path, error) == bytes.size()) return relative;
  fs::create_directories(path.parent_path(), error);
  if (error)
    return core::Error(core::ErrorKind::io,
                       "cannot create " + path.parent_path().string() + ": " + error.message());
  if (auto status = storage::write_file_atomically(path, bytes); !status) return status.error();
  return relative;
}

std::string relative_asset_link(std::string_view article_path, std::string_view asset_path) {
  std::string link;
  auto depth = std::count(article_path.begin(), article_path.end(), '/');
  for (long i = 0; i < depth; ++i) link += "../";
  return link + std::string(asset_path);
}

}  // namespace newsmirror::assets
