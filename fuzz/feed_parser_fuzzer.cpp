// libFuzzer target for the whole `newsmirror parse` path: bytes -> parse_feed
// -> feed_to_json -> text. The leading bytes choose the transport context
// (HTTP Content-Type, base URL, markup filter, default zone; see
// fuzz_inputs.hpp) so the encoding paths (header charset, BOM, XML
// declaration, detection) and xml:base resolution are exercised along with
// the document itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace newsmirror;
  auto input = fuzz::read_feed_input(std::string_view(reinterpret_cast<const char*>(bytes), size));
  (void)fuzz::parse_like_cli(input);
  return 0;
}
