// Images kept inside the mirror, so that an article's pictures load for a
// reader who cannot reach the publisher's CDN. Each image is stored once,
// named by its content: assets/<first 2 hex>/<sha256>.<ext>. The same
// picture used by a hundred articles is one file, and a file's name proves
// its content, so a half-written or tampered copy is easy to spot.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace newsmirror::assets {

// The extension to store an image under ("jpg", "png", "gif", "webp",
// "avif", "bmp", "ico"), decided by the bytes themselves (their magic
// numbers), with the Content-Type only as a cross-check: a server that labels
// an HTML error page "image/jpeg" must not get it stored as a picture.
// nullopt for anything that is not a raster image, including SVG: an SVG
// file opened on its own runs its scripts in the site's origin.
std::optional<std::string> raster_image_extension(std::string_view content_type,
                                                  std::string_view bytes);

// "assets/ab/ab12...ef.png": where `bytes` live relative to the mirror.
std::string asset_path(std::string_view bytes, std::string_view extension);

// Writes `bytes` to mirror_dir / asset_path(...) unless that file is already
// there (same name, same content), atomically. Returns the relative path.
core::Result<std::string> store_image(const std::filesystem::path& mirror_dir,
                                      std::string_view bytes, std::string_view extension);

// The path from an article file to an asset, both relative to the mirror:
// from "articles/法广/1_x.md" to "assets/ab/c.png" is "../../assets/ab/c.png".
// Relative, so it works on a code host's file view, on the static site and
// from file://.
std::string relative_asset_link(std::string_view article_path, std::string_view asset_path);

}  // namespace newsmirror::assets
