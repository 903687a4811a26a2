// Responses kept for the targets asked most, so that a page is rendered,
// hashed and compressed once per change of the catalog rather than once per
// request. Each entry carries the generation it was made in
// (catalog_watch.hpp); an entry of another generation is a miss.
//
// Bounded in bytes (Response::memory_size plus the key); the least recently
// used entries go first, and a response larger than an eighth of a shard's
// share is not kept at all. Thread-safe: sixteen shards, each behind its
// own mutex, held only for a lookup or an insert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "serve/response.hpp"

namespace newsmirror::serve {

class ResponseCache {
 public:
  explicit ResponseCache(std::size_t max_bytes);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The response kept for `key` in `generation`, or null. No allocation.
  std::shared_ptr<const Response> find(std::string_view key, std::uint64_t generation);
  // Keeps `response` (replacing any earlier one for `key`).
  void put(std::string_view key, std::uint64_t generation, std::shared_ptr<const Response> response);

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  struct Shard;
  std::unique_ptr<Shard[]> shards_;
  std::size_t shard_budget_;
};

}  // namespace newsmirror::serve
