// How the catalog stores the HTML of each version: zlib (deflate) when it
// saves space, else the bytes as they are. The format is named beside each
// blob ("zlib" or "plain") so that either can be read back.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace newsmirror::catalog {

struct StoredBlob {
  std::string encoding;  // "zlib" or "plain"
  std::string bytes;
};

// Level 1: the import compresses hundreds of megabytes; deflate's fastest
// level keeps most of the gain on HTML at several times the speed.
StoredBlob compress_html(std::string_view html);

// The HTML back; a damaged blob or an unknown encoding is ErrorKind::database.
core::Result<std::string> decompress_html(std::string_view encoding, std::string_view bytes,
                                          std::size_t size);

}  // namespace newsmirror::catalog
