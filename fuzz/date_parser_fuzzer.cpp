// libFuzzer target for parse_date. The whole input is the date text, read
// in three default zones; besides crashes and UB it checks what the zone may
// change: whether a text parses does not depend on the zone, and a parsed
// instant differs between zones by nothing (the text named its zone) or by
// exactly the zones' offset at that wall-clock time.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "core/time_zone.hpp"
#include "parse/date.hpp"

namespace {

using namespace newsmirror;
using std::chrono::seconds;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer keeps the input
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static const core::TimeZone utc;
  static const core::TimeZone shanghai = core::TimeZone::from_name("Asia/Shanghai").value();
  static const core::TimeZone fixed = core::TimeZone::from_name("-03:30").value();
  std::string_view text(reinterpret_cast<const char*>(bytes), size);

  auto in_utc = parse::parse_date(text, utc);
  auto in_shanghai = parse::parse_date(text, shanghai);
  auto in_fixed = parse::parse_date(text, fixed);
  require(in_utc.has_value() == in_shanghai.has_value() && in_utc.has_value() == in_fixed.has_value());
  if (!in_utc) return 0;

  // Read in UTC, the instant is the wall-clock time itself.
  auto wall = std::chrono::floor<seconds>(*in_utc);
  auto shift = [&](const core::TimeZone& zone, const std::optional<core::TimePoint>& t) {
    auto difference = std::chrono::duration_cast<seconds>(*in_utc - *t);
    require(difference == seconds{0} || difference == zone.offset_at_local(wall));
  };
  shift(shanghai, in_shanghai);
  shift(fixed, in_fixed);
  return 0;
}
