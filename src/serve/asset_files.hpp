// The mirror's images (assets/<2 hex>/<sha256>.<ext>, assets/image_store.hpp),
// read for the server by a name from the request, never from outside the
// assets folder: the name must already be a checked relative path
// (request_target.hpp), and the file it resolves to — after every symbolic
// link — must still lie inside the folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::serve {

struct AssetFile {
  std::string_view content_type;
  std::string bytes;
};

class AssetFiles {
 public:
  explicit AssetFiles(std::filesystem::path assets_dir);

  // The file `name` ("ab/ab12…ef.png") names, when it is a regular file of
  // an image type inside the folder and at most max_bytes long; nullopt
  // otherwise (missing, a symlink leading out, a folder, another type).
  std::optional<AssetFile> read(std::string_view name, std::size_t max_bytes = 32 << 20) const;

  // "image/png" for "x.png"; nullopt for a type the server does not serve.
  static std::optional<std::string_view> content_type_of(std::string_view name);

 private:
  std::filesystem::path dir_;
};

}  // namespace newsmirror::serve
