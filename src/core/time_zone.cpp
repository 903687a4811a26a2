#include "core/time_zone.hpp"

#include <fmt/format.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cctype>
#include <charconv>
#include <optional>

namespace newsmirror::core {

namespace {

// "+08:00", "+0800", "+8", "-05", "UTC+8", "GMT-03:30" -> seconds east of UTC.
std::optional<std::chrono::seconds> parse_fixed_offset(std::string_view text) {
  for (std::string_view prefix : {"UTC", "GMT", "utc", "gmt"})
    if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  if (text.empty()) return std::chrono::seconds(0);
  if (text == "Z" || text == "z") return std::chrono::seconds(0);
  int sign = 0;
  if (text.front() == '+') sign = 1;
  else if (text.front() == '-') sign = -1;
  else return std::nullopt;
  text.remove_prefix(1);
  std::string digits;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits.push_back(c);
  }
  int hours = 0, minutes = 0;
  if (digits.size() == 1 || digits.size() == 2) {
    hours = std::stoi(digits);
  } else if (digits.size() == 3 || digits.size() == 4) {
    hours = std::stoi(digits.substr(0, digits.size() - 2));
    minutes = std::stoi(digits.substr(digits.size() - 2));
  } else {
    return std::nullopt;
  }
  if (hours > 14 || minutes > 59) return std::nullopt;
  return std::chrono::seconds(sign * (hours * 3600 + minutes * 60));
}

// The two forms differ only in the separators around the time.
std::string time_text(std::chrono::sys_seconds utc, const TimeZone& zone, std::string_view date_time_separator,
                      std::string_view offset_separator) {
  using namespace std::chrono;
  const seconds offset = zone.offset_at_utc(utc);
  const sys_seconds local = utc + offset;
  const sys_days day = floor<days>(local);
  const year_month_day date{day};
  const hh_mm_ss clock{local - day};
  const auto offset_minutes = duration_cast<minutes>(offset).count();
  const auto magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return fmt::format("{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}{}{}{:02}:{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), date_time_separator,
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count(), offset_separator,
                     offset_minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}

const icu::TimeZone* icu_zone(const std::shared_ptr<const void>& holder) {
  return static_cast<const icu::TimeZone*>(holder.get());
}

}  // namespace

TimeZone::TimeZone() = default;

Result<TimeZone> TimeZone::from_name(std::string_view name) {
  TimeZone zone;
  zone.name_ = std::string(name);
  if (auto fixed = parse_fixed_offset(name)) {
    zone.fixed_offset_ = *fixed;
    return zone;
  }
  auto id = icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  std::shared_ptr<icu::TimeZone> icu(icu::TimeZone::createTimeZone(id));
  if (!icu || *icu == icu::TimeZone::getUnknown())
    return Error(ErrorKind::config, "unknown time zone \"" + std::string(name) +
                                        "\" (use an IANA name such as Asia/Shanghai, or +08:00)");
  zone.icu_zone_ = std::move(icu);
  return zone;
}

std::chrono::seconds TimeZone::offset_at_local(std::chrono::sys_seconds local) const {
  if (!icu_zone_) return fixed_offset_;
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  double millis = static_cast<double>(local.time_since_epoch().count()) * 1000.0;
  icu_zone(icu_zone_)->getOffset(millis, /*local=*/true, raw, dst, status);
  if (U_FAILURE(status)) return fixed_offset_;
  return std::chrono::seconds((raw + dst) / 1000);
}

std::chrono::seconds TimeZone::offset_at_utc(std::chrono::sys_seconds utc) const {
  if (!icu_zone_) return fixed_offset_;
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  double millis = static_cast<double>(utc.time_since_epoch().count()) * 1000.0;
  icu_zone(icu_zone_)->getOffset(millis, /*local=*/false, raw, dst, status);
  if (U_FAILURE(status)) return fixed_offset_;
  return std::chrono::seconds((raw + dst) / 1000);
}

std::string local_time_text(std::chrono::sys_seconds utc, const TimeZone& zone) {
  return time_text(utc, zone, " ", " ");
}

std::string iso_time_text(std::chrono::sys_seconds utc, const TimeZone& zone) {
  return time_text(utc, zone, "T", "");
}

}  // namespace newsmirror::core
