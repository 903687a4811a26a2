#include "catalog/compression.hpp"

#include <zlib.h>
#include <zstd.h>

#include <memory>
#include <optional>

namespace newsmirror::catalog {

namespace {

constexpr int kLevel = 1;

// One compression context per thread, reused: creating one for each
// article would allocate and clear its tables every time.
struct ContextFree {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

std::optional<std::string> zstd_compress(std::string_view input) {
  thread_local std::unique_ptr<ZSTD_CCtx, ContextFree> context(ZSTD_createCCtx());
  if (!context) return std::nullopt;
  std::string out(ZSTD_compressBound(input.size()), '\0');
  const std::size_t written = ZSTD_compressCCtx(context.get(), out.data(), out.size(), input.data(), input.size(), kLevel);
  if (ZSTD_isError(written)) return std::nullopt;
  out.resize(written);
  return out;
}

core::Error damaged(std::string_view codec, std::string_view reason) {
  return core::Error(core::ErrorKind::database,
                     "catalog: a stored version is damaged (" + std::string(codec) + ": " + std::string(reason) + ")");
}

core::Result<std::string> zstd_decompress(std::string_view bytes, std::size_t size) {
  thread_local std::unique_ptr<ZSTD_DCtx, ContextFree> context(ZSTD_createDCtx());
  if (!context) return core::Error(core::ErrorKind::database, "catalog: zstd could not allocate its context");
  std::string out(size, '\0');
  const std::size_t length = ZSTD_decompressDCtx(context.get(), out.data(), out.size(), bytes.data(), bytes.size());
  if (ZSTD_isError(length)) return damaged("zstd", ZSTD_getErrorName(length));
  if (length != size)
    return damaged("zstd", std::to_string(length) + " bytes where " + std::to_string(size) + " were stored");
  return out;
}

// Catalogs written before zstd hold their versions deflated.
core::Result<std::string> zlib_decompress(std::string_view bytes, std::size_t size) {
  std::string out(size, '\0');
  uLongf length = static_cast<uLongf>(size);
  const int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &length,
                            reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uLong>(bytes.size()));
  if (rc != Z_OK) return damaged("zlib", "error " + std::to_string(rc));
  if (length != size)
    return damaged("zlib", std::to_string(length) + " bytes where " + std::to_string(size) + " were stored");
  return out;
}

}  // namespace

StoredBlob compress_html(std::string_view html) {
  auto compressed = zstd_compress(html);
  if (!compressed || compressed->size() >= html.size()) return {"plain", std::string(html)};
  return {"zstd", std::move(*compressed)};
}

core::Result<std::string> decompress_html(std::string_view encoding, std::string_view bytes,
                                          std::size_t size) {
  if (encoding == "plain") {
    if (bytes.size() != size)
      return damaged("plain", std::to_string(bytes.size()) + " bytes where " + std::to_string(size) + " were stored");
    return std::string(bytes);
  }
  if (encoding == "zstd") return zstd_decompress(bytes, size);
  if (encoding == "zlib") return zlib_decompress(bytes, size);
  return core::Error(core::ErrorKind::database,
                     "catalog: a version is stored in an unknown encoding \"" + std::string(encoding) + "\"");
}

}  // namespace newsmirror::catalog
