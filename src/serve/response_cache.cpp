#include "serve/response_cache.hpp"

#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace newsmirror::serve {

namespace {

constexpr std::size_t kShards = 16;

struct Entry {
  std::string key;
  std::uint64_t generation = 0;
  std::shared_ptr<const Response> response;
  std::size_t bytes = 0;
};

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

}  // namespace

struct ResponseCache::Shard {
  mutable std::mutex mutex;
  std::list<Entry> order;  // most recently used first
  // Keys are views of the entries' own strings.
  std::unordered_map<std::string_view, std::list<Entry>::iterator, KeyHash, std::equal_to<>> index;
  std::size_t bytes = 0;

  void erase(std::list<Entry>::iterator it) {
    bytes -= it->bytes;
    index.erase(std::string_view(it->key));
    order.erase(it);
  }
};

ResponseCache::ResponseCache(std::size_t max_bytes)
    : shards_(new Shard[kShards]), shard_budget_(max_bytes / kShards) {}

ResponseCache::~ResponseCache() = default;

static std::size_t shard_of(std::string_view key) { return std::hash<std::string_view>{}(key) % kShards; }

std::shared_ptr<const Response> ResponseCache::find(std::string_view key, std::uint64_t generation) {
  Shard& shard = shards_[shard_of(key)];
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(key);
  if (found == shard.index.end()) return nullptr;
  auto it = found->second;
  if (it->generation != generation) {
    shard.erase(it);
    return nullptr;
  }
  shard.order.splice(shard.order.begin(), shard.order, it);
  return it->response;
}

void ResponseCache::put(std::string_view key, std::uint64_t generation, std::shared_ptr<const Response> response) {
  if (!response) return;
  const std::size_t bytes = response->memory_size() + key.size() + sizeof(Entry) + 64;
  if (bytes > shard_budget_ / 8) return;
  Shard& shard = shards_[shard_of(key)];
  std::lock_guard lock(shard.mutex);
  if (auto found = shard.index.find(key); found != shard.index.end()) shard.erase(found->second);
  while (!shard.order.empty() && shard.bytes + bytes > shard_budget_) shard.erase(std::prev(shard.order.end()));
  shard.order.push_front(Entry{std::string(key), generation, std::move(response), bytes});
  shard.index.emplace(std::string_view(shard.order.front().key), shard.order.begin());
  shard.bytes += bytes;
}

std::size_t ResponseCache::bytes() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].bytes;
  }
  return total;
}

std::size_t ResponseCache::entries() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].order.size();
  }
  return total;
}

}  // namespace newsmirror::serve
