// Time zones for dates that carry none: a source's `timezone` setting such as
// "Asia/Shanghai", "UTC" or "+08:00".
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace newsmirror::core {

// Immutable once made; safe to share between threads.
class TimeZone {
 public:
  // UTC.
  TimeZone();
  // Accepts IANA names (via ICU), "UTC"/"GMT"/"Z", and fixed offsets
  // "+08:00", "+0800", "UTC+8", "-05". Unknown names are a config error.
  static Result<TimeZone> from_name(std::string_view name);

  // Offset from UTC in effect at the given local wall-clock time (seconds
  // since the epoch as if the wall clock were UTC).
  std::chrono::seconds offset_at_local(std::chrono::sys_seconds local_wall_clock) const;
  // Converts a wall-clock time in this zone to UTC.
  std::chrono::sys_seconds to_utc(std::chrono::sys_seconds local_wall_clock) const {
    return local_wall_clock - offset_at_local(local_wall_clock);
  }
  // Offset in effect at the given UTC instant.
  std::chrono::seconds offset_at_utc(std::chrono::sys_seconds utc) const;

  const std::string& name() const { return name_; }

 private:
  std::string name_ = "UTC";
  std::chrono::seconds fixed_offset_{0};
  std::shared_ptr<const void> icu_zone_;  // icu::TimeZone, when not fixed
};

// An instant on `zone`'s wall clock with the offset in effect then, so a
// reader needs neither the zone's rules nor UTC arithmetic to place it:
//   local_time_text: "2026-11-26 20:13:14 +08:00" (for people)
//   iso_time_text:   "2026-11-26T20:13:14+08:00"  (ISO 8601, for --json)
std::string local_time_text(std::chrono::sys_seconds utc, const TimeZone& zone);
std::string iso_time_text(std::chrono::sys_seconds utc, const TimeZone& zone);

}  // namespace newsmirror::core
