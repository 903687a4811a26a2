// Dates as feeds write them: RFC 822/1123 (RSS), RFC 3339/ISO 8601 (Atom,
// JSON Feed, dc:date) and the forms Chinese news sites put in their feeds.
#pragma once

#include <optional>
#include <string_view>

#include "core/feed.hpp"
#include "core/time_zone.hpp"

namespace newsmirror::parse {

// Parses `text` into an instant. A date or time that carries no zone is read
// as wall-clock time in `default_zone`. Returns nullopt for anything it does
// not understand (never throws): a feed's bad date costs only that date.
std::optional<core::TimePoint> parse_date(std::string_view text, const core::TimeZone& default_zone);

}  // namespace newsmirror::parse
