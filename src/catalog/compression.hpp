// How the catalog stores the HTML of each version: zstd when it saves
// space, else the bytes as they are. The format is named beside each blob
// ("zstd" or "plain") so that either can be read back, and so can "zlib",
// which catalogs made before zstd hold.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace newsmirror::catalog {

struct StoredBlob {
  std::string encoding;  // "zstd" or "plain"
  std::string bytes;
};

// zstd's level 1: the import compresses hundreds of megabytes, and
// compression was the largest single cost of its workers. Measured on the
// archive's HTML (bench/catalog_stages, stage compress_html): zlib's
// fastest level took 67 us an article, zstd level 1 about a third of
// that, for output within a few percent of the same size.
StoredBlob compress_html(std::string_view html);

// The HTML back, `size` bytes long; a damaged blob or an unknown encoding
// is ErrorKind::database.
core::Result<std::string> decompress_html(std::string_view encoding, std::string_view bytes,
                                          std::size_t size);

}  // namespace newsmirror::catalog
