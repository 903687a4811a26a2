// libFuzzer target for the article sanitizer: any bytes as an article's
// HTML. Crashes, unbounded recursion (ASan reports the stack overflow) and
// hangs are found by libFuzzer itself; fuzz/page_inputs.hpp adds the
// checks on the output (a fixed point, no active content).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "page_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (auto problem = newsmirror::fuzz::sanitize_problem(std::string_view(reinterpret_cast<const char*>(bytes), size))) {
    std::fprintf(stderr, "sanitize: %s\n", problem->c_str());
    std::abort();
  }
  return 0;
}
