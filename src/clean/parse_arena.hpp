// The memory of one gumbo parse. Gumbo allocates every token, string
// buffer, node and vector of its tree on its own and frees them one by one
// when the tree is destroyed; but the tree lives exactly as long as the
// parse that copies it out (clean/dom.cpp). So its small allocations come
// from blocks handed out in order and freed all at once, and the tree is
// never walked to be destroyed: malloc and free took a fifth of an
// article's cleaning. Large allocations (a long text's buffer as it
// doubles) still go to malloc and back as gumbo frees them, so that
// hostile input costs no more memory than before.
//
// The blocks are zeroed: gumbo 0.10.1 reads a fragment's quirks mode from
// a field it never sets (see dom.cpp), and in zeroed memory that field
// reads as "no quirks", the mode of the pages that show articles.
// Internal to src/clean.
#pragma once

#include <cstddef>
#include <vector>

namespace newsmirror::clean {

class ParseArena {
 public:
  // `expected_input` (bytes) sizes the first block.
  explicit ParseArena(std::size_t expected_input);
  ~ParseArena();
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;

  void* allocate(std::size_t size);  // nullptr when out of memory, as malloc
  void deallocate(void* pointer);

  // GumboOptions' allocator and deallocator, `userdata` being the arena.
  static void* allocate_for_gumbo(void* arena, std::size_t size);
  static void deallocate_for_gumbo(void* arena, void* pointer);

 private:
  struct Block {
    std::byte* start;
    std::size_t size;
  };
  void add_block(std::size_t at_least);
  bool in_a_block(const void* pointer) const;

  std::vector<Block> blocks_;
  std::vector<void*> large_;  // from malloc, not yet freed
  std::byte* next_ = nullptr;
  std::size_t left_ = 0;
  std::size_t next_block_size_;
};

}  // namespace newsmirror::clean
