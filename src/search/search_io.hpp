// What a search looks like outside the program, shared by `newsmirror search`
// and the server's /api/search so that both speak the same forms: the days
// users bound a search with, and the JSON object of one hit.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "search/search_query.hpp"

namespace newsmirror::search {

// "YYYY-MM-DD" as the start of that day, UTC, in ms since the epoch. A usage
// error naming `what` (e.g. "--since", "since") for anything else.
core::Result<std::int64_t> utc_day_start(std::string_view text, std::string_view what);

// {"site", "file", "title", "link", "published", "score", "snippet"}; link
// and published are null when the article has none.
nlohmann::json hit_json(const SearchHit& hit);

}  // namespace newsmirror::search
