// libFuzzer target for the search text path: the tokenizer in its three
// modes, the pretokenized form the import hands SQLite, and the query
// parser (see query_inputs.hpp for what must hold).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "query_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace newsmirror;
  if (auto problem = fuzz::search_text_problem(std::string_view(reinterpret_cast<const char*>(bytes), size))) {
    std::fprintf(stderr, "query_parser_fuzzer: %s\n", problem->c_str());
    std::abort();  // libFuzzer keeps the input
  }
  return 0;
}
