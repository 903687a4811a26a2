#include "clean/parse_arena.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iterator>

namespace newsmirror::clean {

namespace {

// Gumbo keeps pointers and 64-bit fields in what it allocates.
constexpr std::size_t kAlignment = alignof(std::max_align_t);
// Larger allocations are buffers growing by doubling: in a block, each
// size they went through would stay taken.
constexpr std::size_t kLargest = 16 * 1024;
constexpr std::size_t kSmallestBlock = 16 * 1024;
constexpr std::size_t kLargestBlock = 1024 * 1024;

std::size_t aligned(std::size_t size) { return (size + kAlignment - 1) & ~(kAlignment - 1); }

}  // namespace

// Gumbo's tree takes several times the bytes of its input.
ParseArena::ParseArena(std::size_t expected_input)
    : next_block_size_(std::clamp(aligned(expected_input * 4), kSmallestBlock, kLargestBlock)) {}

ParseArena::~ParseArena() {
  for (const auto& block : blocks_) std::free(block.start);
  for (void* pointer : large_) std::free(pointer);
}

void* ParseArena::allocate(std::size_t size) {
  size = aligned(std::max<std::size_t>(size, 1));
  if (size > kLargest) {
    void* pointer = std::malloc(size);
    if (pointer != nullptr) large_.push_back(pointer);
    return pointer;
  }
  if (left_ < size) add_block(size);
  if (left_ < size) return nullptr;
  void* pointer = next_;
  next_ += size;
  left_ -= size;
  return pointer;
}

void ParseArena::deallocate(void* pointer) {
  if (pointer == nullptr || in_a_block(pointer)) return;
  // The newest large allocation is the one most often freed: a buffer
  // replaced by its doubled copy.
  auto it = std::find(large_.rbegin(), large_.rend(), pointer);
  if (it == large_.rend()) return;
  std::free(pointer);
  large_.erase(std::next(it).base());
}

void ParseArena::add_block(std::size_t at_least) {
  const std::size_t size = std::max(next_block_size_, at_least);
  auto* start = static_cast<std::byte*>(std::calloc(1, size));
  if (start == nullptr) return;
  blocks_.push_back({start, size});
  next_ = start;
  left_ = size;
  next_block_size_ = std::min(next_block_size_ * 2, kLargestBlock);
}

bool ParseArena::in_a_block(const void* pointer) const {
  const auto* byte = static_cast<const std::byte*>(pointer);
  return std::any_of(blocks_.rbegin(), blocks_.rend(), [&](const Block& block) {
    return std::less_equal<const std::byte*>()(block.start, byte) &&
           std::less<const std::byte*>()(byte, block.start + block.size);
  });
}

void* ParseArena::allocate_for_gumbo(void* arena, std::size_t size) {
  return static_cast<ParseArena*>(arena)->allocate(size);
}

void ParseArena::deallocate_for_gumbo(void* arena, void* pointer) {
  static_cast<ParseArena*>(arena)->deallocate(pointer);
}

}  // namespace newsmirror::clean
