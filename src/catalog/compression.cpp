#include "catalog/compression.hpp"

#include <zlib.h>

#include <cstdint>
#include <optional>

namespace newsmirror::catalog {

namespace {

// One deflate stream per thread, reset between uses: compress2() sets up
// and zeroes deflate's hash tables on every call, which cost as much as
// compressing an article's few kilobytes.
class Deflater {
 public:
  Deflater() { ready_ = deflateInit(&stream_, 1) == Z_OK; }
  ~Deflater() {
    if (ready_) deflateEnd(&stream_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // The deflated bytes, or nothing when zlib fails.
  std::optional<std::string> deflate_all(std::string_view input) {
    if (!ready_ || input.size() > UINT32_MAX / 2 || deflateReset(&stream_) != Z_OK) return std::nullopt;
    std::string out(deflateBound(&stream_, static_cast<uLong>(input.size())), '\0');
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_.avail_in = static_cast<uInt>(input.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out.data());
    stream_.avail_out = static_cast<uInt>(out.size());
    if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) return std::nullopt;
    out.resize(stream_.total_out);
    return out;
  }

 private:
  z_stream stream_{};
  bool ready_ = false;
};

}  // namespace

StoredBlob compress_html(std::string_view html) {
  thread_local Deflater deflater;
  auto deflated = deflater.deflate_all(html);
  if (!deflated || deflated->size() >= html.size()) return {"plain", std::string(html)};
  return {"zlib", std::move(*deflated)};
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
