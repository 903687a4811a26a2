#include "catalog/compression.hpp"

#include <zlib.h>

namespace newsmirror::catalog {

StoredBlob compress_html(std::string_view html) {
  uLongf capacity = compressBound(static_cast<uLong>(html.size()));
  std::string out(capacity, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &capacity,
                     reinterpret_cast<const Bytef*>(html.data()), static_cast<uLong>(html.size()), 1);
  if (rc != Z_OK || capacity >= html.size()) return {"plain", std::string(html)};
  out.resize(capacity);
  return {"zlib", std::move(out)};
}

core::Result<std::string> decompress_html(std::string_view encoding, std::string_view bytes,
                                          std::size_t size) {
  if (encoding == "plain") return std::string(bytes);
  if (encoding != "zlib")
    return core::Error(core::ErrorKind::database,
                       "catalog: a version is stored in an unknown encoding \"" + std::string(encoding) + "\"");
  std::string out(size, '\0');
  uLongf length = static_cast<uLongf>(size);
  int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &length,
                      reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uLong>(bytes.size()));
  if (rc != Z_OK || length != size)
    return core::Error(core::ErrorKind::database,
                       "catalog: a stored version is damaged (zlib error " + std::to_string(rc) + ")");
  return out;
}

}  // namespace newsmirror::catalog
