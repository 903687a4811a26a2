#include "state/state_db.hpp"

#include <system_error>

#include <fmt/format.h>

#include "core/mirror_layout.hpp"
#include "state/sqlite_state_db.hpp"

namespace newsmirror::state {

core::Result<std::unique_ptr<StateDb>> StateDb::open(const std::filesystem::path& mirror_dir) {
  const auto dir = core::layout::private_dir(mirror_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return core::Error(core::ErrorKind::io,
                       fmt::format("{}: cannot create folder: {}", dir.string(), ec.message()));
  return open_sqlite_state_db(core::layout::state_db(mirror_dir));
}

}  // namespace newsmirror::state
