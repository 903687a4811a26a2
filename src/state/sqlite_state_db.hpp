// The state kept by SQLite: one database file (WAL, synchronous=NORMAL),
// created and migrated forward on open. The rest of the program sees only
// state::StateDb; this is where StateDb::open finds its engine.
#pragma once

#include <filesystem>
#include <memory>

#include "core/result.hpp"
#include "state/state_db.hpp"

namespace newsmirror::state {

// Opens (creating when missing) and migrates the state database `db_file`.
core::Result<std::unique_ptr<StateDb>> open_sqlite_state_db(const std::filesystem::path& db_file);

}  // namespace newsmirror::state
