// libFuzzer target for parse_date: besides crashes and UB, the input is read
// in three default zones and must agree with itself across them (see
// fuzz_inputs.hpp).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace newsmirror;
  if (auto problem = fuzz::date_zone_disagreement(std::string_view(reinterpret_cast<const char*>(bytes), size))) {
    std::fprintf(stderr, "date_parser_fuzzer: %s\n", problem->c_str());
    std::abort();  // libFuzzer keeps the input
  }
  return 0;
}
