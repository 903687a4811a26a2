// libFuzzer target for the site's article page: "title\nlink\nHTML" rendered
// as `build` and `serve` render one article (fuzz/page_inputs.hpp has the
// layout and the checks: no script, event handler or javascript: URL in
// the parsed page, the same bytes twice).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "page_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (auto problem = newsmirror::fuzz::page_problem(std::string_view(reinterpret_cast<const char*>(bytes), size))) {
    std::fprintf(stderr, "page: %s\n", problem->c_str());
    std::abort();
  }
  return 0;
}
