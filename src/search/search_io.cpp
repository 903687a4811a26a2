#include "search/search_io.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace newsmirror::search {

core::Result<std::int64_t> utc_day_start(std::string_view text, std::string_view what) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  const std::string copy(text);  // sscanf needs the terminating NUL
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return core::Error(core::ErrorKind::usage, fmt::format("{} {}: expected a date like 2020-10-09", what, text));
  std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!day.ok()) return core::Error(core::ErrorKind::usage, fmt::format("{} {}: no such date", what, text));
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::sys_days(day).time_since_epoch())
      .count();
}

nlohmann::json hit_json(const SearchHit& hit) {
  return {{"site", hit.site},
          {"file", hit.file},
          {"title", hit.title},
          {"link", hit.link ? nlohmann::json(*hit.link) : nlohmann::json(nullptr)},
          {"published", hit.published ? nlohmann::json(*hit.published) : nlohmann::json(nullptr)},
          {"score", hit.score},
          {"snippet", hit.snippet}};
}

}  // namespace newsmirror::search
