#include "core/time_zone.hpp"

#include <gtest/gtest.h>

namespace newsmirror::core {

using namespace std::chrono;

TEST(TimeZone, FixedOffsetsInSeveralSpellings) {
  for (auto name : {"+08:00", "+0800", "UTC+8", "+8", "GMT+08"}) {
    auto zone = TimeZone::from_name(name);
    ASSERT_TRUE(zone.ok()) << name;
    EXPECT_EQ(zone->offset_at_local(sys_seconds{}), hours(8)) << name;
  }
  EXPECT_EQ(TimeZone::from_name("-05:30")->offset_at_local(sys_seconds{}), -(hours(5) + minutes(30)));
}

TEST(TimeZone, IanaNameUsesIcuRules) {
  auto shanghai = TimeZone::from_name("Asia/Shanghai");
  ASSERT_TRUE(shanghai.ok());
  EXPECT_EQ(shanghai->offset_at_utc(sys_seconds{seconds{1689335102}}), hours(8));
  auto berlin = TimeZone::from_name("Europe/Berlin");
  ASSERT_TRUE(berlin.ok());
  // 2023-07-14 is summer time, 2023-01-14 is not.
  EXPECT_EQ(berlin->offset_at_utc(sys_seconds{seconds{1689335102}}), hours(2));
  EXPECT_EQ(berlin->offset_at_utc(sys_seconds{seconds{1673700000}}), hours(1));
}

TEST(TimeZone, UnknownNameIsConfigError) {
  auto zone = TimeZone::from_name("Mars/Olympus");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().kind, ErrorKind::config);
}

TEST(TimeZone, ToUtcSubtractsOffset) {
  auto zone = TimeZone::from_name("+08:00");
  EXPECT_EQ(zone->to_utc(sys_seconds{hours(8)}), sys_seconds{});
}

TEST(TimeZone, TimeTextIsTheZonesWallClockWithItsOffset) {
  const sys_seconds instant{seconds{1795000000}};  // 2026-11-18 11:06:40 UTC
  auto shanghai = TimeZone::from_name("Asia/Shanghai");
  EXPECT_EQ(local_time_text(instant, *shanghai), "2026-11-18 19:06:40 +08:00");
  EXPECT_EQ(iso_time_text(instant, *shanghai), "2026-11-18T19:06:40+08:00");
  // West of UTC, a half-hour offset, and the day before.
  auto newfoundland = TimeZone::from_name("-03:30");
  EXPECT_EQ(local_time_text(sys_seconds{seconds{1795000000 - 12 * 3600}}, *newfoundland),
            "2026-11-17 19:36:40 -03:30");
  EXPECT_EQ(iso_time_text(instant, TimeZone()), "2026-11-18T11:06:40+00:00");
  // Summer time changes the offset shown, not just the hour.
  auto berlin = TimeZone::from_name("Europe/Berlin");
  EXPECT_EQ(local_time_text(sys_seconds{seconds{1689335102}}, *berlin), "2023-07-14 13:45:02 +02:00");
}

}  // namespace newsmirror::core
