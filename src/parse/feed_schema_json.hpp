// The parsed-feed JSON of ../shared/corpus/feeds/SCHEMA.md: every key always
// present, missing values null or [], times "YYYY-MM-DDTHH:MM:SSZ".
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/feed.hpp"

namespace newsmirror::parse {

nlohmann::ordered_json feed_to_json(const core::Feed& feed);
// "2023-07-14T11:45:02Z" (whole seconds, UTC).
std::string format_time(core::TimePoint time);

}  // namespace newsmirror::parse
