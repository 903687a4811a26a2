#include "parse/date.hpp"

#include <gtest/gtest.h>

#include "parse/feed_schema_json.hpp"

namespace newsmirror::parse {

namespace {

std::string parsed(std::string_view text, const core::TimeZone& zone = core::TimeZone()) {
  auto t = parse_date(text, zone);
  return t ? format_time(*t) : "nullopt";
}

}  // namespace

TEST(DateParser, Rfc822WithAndWithoutWeekdayOrSeconds) {
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 11:45:02 GMT"), "2023-07-14T11:45:02Z");
  EXPECT_EQ(parsed("14 Jul 2023 11:45:02 GMT"), "2023-07-14T11:45:02Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 11:45 GMT"), "2023-07-14T11:45:00Z");
  EXPECT_EQ(parsed("Fri, 14 July 2023 11:45:02 +0000"), "2023-07-14T11:45:02Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023"), "2023-07-14T00:00:00Z");
  EXPECT_EQ(parsed("  Thu, 01 Jan 04 19:48:21 GMT  "), "2004-01-01T19:48:21Z");
  EXPECT_EQ(parsed("Thu, 01 Jan 99 19:48:21 GMT"), "1999-01-01T19:48:21Z");
}

TEST(DateParser, Rfc822Zones) {
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 +0800"), "2023-07-14T04:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 -05:30"), "2023-07-14T17:30:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 EST"), "2023-07-14T17:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 EDT"), "2023-07-14T16:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 CST"), "2023-07-14T18:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 PDT"), "2023-07-14T19:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 UT"), "2023-07-14T12:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 Z"), "2023-07-14T12:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 A"), "2023-07-14T13:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 N"), "2023-07-14T11:00:00Z");
  EXPECT_EQ(parsed("Fri, 14 Jul 2023 12:00:00 GMT+8"), "2023-07-14T04:00:00Z");
}

TEST(DateParser, Rfc3339AndIso8601) {
  EXPECT_EQ(parsed("2023-07-14T11:45:02Z"), "2023-07-14T11:45:02Z");
  EXPECT_EQ(parsed("2023-07-14T19:45:02+08:00"), "2023-07-14T11:45:02Z");
  EXPECT_EQ(parsed("2023-07-14T19:45:02.123456+0800"), "2023-07-14T11:45:02Z");
  EXPECT_EQ(parsed("2023-07-14t11:45:02z"), "2023-07-14T11:45:02Z");
  EXPECT_EQ(parsed("2023-07-14 11:45:02Z"), "2023-07-14T11:45:02Z");
  EXPECT_EQ(parsed("2023-07-14T11:45Z"), "2023-07-14T11:45:00Z");
  EXPECT_EQ(parsed("2023-07-14"), "2023-07-14T00:00:00Z");
  EXPECT_EQ(parsed("20230714T114502Z"), "2023-07-14T11:45:02Z");
  auto t = parse_date("2023-07-14T11:45:02.250Z", core::TimeZone());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch().count(), 1689335102250);
}

TEST(DateParser, ChineseSiteFormsUseTheDefaultZone) {
  auto shanghai = core::TimeZone::from_name("Asia/Shanghai");
  ASSERT_TRUE(shanghai.ok());
  EXPECT_EQ(parsed("2023-07-14 12:28:00", *shanghai), "2023-07-14T04:28:00Z");
  EXPECT_EQ(parsed("2023/07/14 12:28", *shanghai), "2023-07-14T04:28:00Z");
  EXPECT_EQ(parsed("2023年7月14日 12:28", *shanghai), "2023-07-14T04:28:00Z");
  EXPECT_EQ(parsed("2023年7月14日", *shanghai), "2023-07-13T16:00:00Z");
  // An explicit zone wins over the default.
  EXPECT_EQ(parsed("2023-07-14T12:28:00Z", *shanghai), "2023-07-14T12:28:00Z");
  // No zone and no default: UTC.
  EXPECT_EQ(parsed("2023-07-14 12:28:00"), "2023-07-14T12:28:00Z");
}

TEST(DateParser, GarbageIsRejectedWithoutThrowing) {
  for (const char* text : {"", "   ", "yesterday", "2023-13-01", "2023-02-30", "Fri, 32 Jul 2023", "12:00",
                           "Fri, 14 Foo 2023 12:00:00 GMT", "2023-07-14T25:61:00Z", "\xff\xfe\x00garbage",
                           "2023年", "Fri, 14 Jul 2023 12:00:00 +9999", "99999999999999999999"}) {
    EXPECT_FALSE(parse_date(text, core::TimeZone()).has_value()) << text;
  }
}

}  // namespace newsmirror::parse
