// The mirror's state: what the Markdown files cannot hold: which
// identities are archived and under which file, each site's folder and the
// counter that numbers its article files, HTTP cache validators, images
// still to fetch and per-source health.
//
// StateDb is the interface the rest of the program uses; an engine
// implements it. The one engine today is SQLite (state/sqlite_state_db.hpp:
// `.newsmirror/state.db`, schema versions migrated forward on open); the
// contract is StateDb's comments, and tests/state/state_db_test.cpp pins it.
//
// Thread-safety: a StateDb is NOT thread-safe. Use one per thread (the
// engine serializes writers between connections and processes; a busy
// database is waited on for a few seconds before failing).
//
// Errors: calls returning Result/Status report failures as
// ErrorKind::database with context. The read-only queries whose signatures
// return plain values (find, knows_file, newest, site_summaries,
// last_site_sequence, site_folders, get_validators, images_pending, health)
// throw state::DatabaseError instead: a failing read of a database that
// opened fine means corruption or a dying disk, which no caller can work
// around, and `main` reports it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/feed.hpp"
#include "core/result.hpp"
#include "storage/database_error.hpp"

namespace newsmirror::state {

inline constexpr int kSchemaVersion = 6;

// Thrown by the plain-value queries above; carries the same message an
// ErrorKind::database error would, and SQLite's code.
using DatabaseError = storage::DatabaseError;

struct ArchivedArticle {
  std::string identity;   // GUID, else normalized link, else hash (unique)
  // The article's other identity keys (e.g. its link when the GUID is the
  // identity). find() answers for them too. Written by record_articles;
  // find() and newest() leave it empty.
  std::vector<std::string> aliases;
  std::string site;       // the site (source) name; its folder is in site_folders()
  std::string file_name;  // relative to articles/<folder>/
  // The article's place in its site: 0xFFFFF ^ N for a file numbered N
  // (archive::sequence_of_number), so a newer article has a larger one, and
  // 0 for a file without a number. Sites number on their own, so two sites
  // share sequences; old mirrors also hold two files under one number.
  std::uint64_t seq = 0;
  std::string title;
  std::string link;
  core::TimePoint published{};
  core::TimePoint first_seen{};
  std::string content_hash;
  // Filled by mark_changed: how many versions were seen (1 = never changed)
  // and when the latest change was noticed.
  std::uint32_t versions = 1;
  std::optional<core::TimePoint> last_changed;

  bool operator==(const ArchivedArticle&) const = default;
};

struct SiteCount {
  std::string site;
  std::uint64_t articles = 0;
  std::optional<core::TimePoint> newest_published;
};

struct Validators {
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
};

struct SourceHealth {
  std::string source;
  std::optional<core::TimePoint> last_attempt;
  std::optional<core::TimePoint> last_success;
  std::optional<std::string> last_error;  // of the latest attempt, if it failed
  std::uint32_t consecutive_failures = 0;
  std::uint64_t articles_archived = 0;    // total over all attempts
  std::uint64_t last_new_count = 0;       // of the latest successful attempt
};

// An article some of whose images are still remote (local images only).
struct PendingImages {
  std::string site;
  std::string file_name;
  std::uint32_t attempts = 0;  // cycles that tried and left some remote
  bool operator==(const PendingImages&) const = default;
};

class StateDb {
 public:
  // Opens (creating `.newsmirror/` and the database when missing) and
  // migrates the state of the mirror in `mirror_dir`. The engine is
  // SQLite, `mirror_dir/.newsmirror/state.db` (state/sqlite_state_db.hpp);
  // a second engine is chosen here.
  static core::Result<std::unique_ptr<StateDb>> open(const std::filesystem::path& mirror_dir);

  StateDb() = default;
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;
  virtual ~StateDb() = default;

  // --- archived articles ---
  virtual std::optional<ArchivedArticle> find(std::string_view identity) = 0;
  // Whether an article of `site` is recorded under this file name.
  virtual bool knows_file(std::string_view site, std::string_view file_name) = 0;
  // All or nothing, in one transaction. Fails (and records nothing) when an
  // identity is already present. Moves each site's counter past the
  // highest seq recorded in it.
  virtual core::Status record_articles(const std::vector<ArchivedArticle>& articles) = 0;
  // A site's newest articles first: by seq, descending, then by file name
  // (as the old list pages order two files under one number).
  virtual std::vector<ArchivedArticle> newest(std::string_view site, std::size_t limit) = 0;
  // One row per site, by site name.
  virtual std::vector<SiteCount> site_summaries() = 0;
  // A new version of an archived article was written: stores its hash,
  // bumps `versions` and sets `last_changed`.
  virtual core::Status mark_changed(std::string_view identity, std::string_view content_hash,
                                    core::TimePoint when) = 0;
  // The article arrived with other bytes that read the same (not an edit):
  // stores the hash without counting a version.
  virtual core::Status accept_content_hash(std::string_view identity, std::string_view content_hash) = 0;

  // --- each site's numbering ---
  // Atomically reserves `count` consecutive sequences for `site` above any
  // it has reserved, claimed or recorded, and returns the first: numbers
  // count down from the site's smallest one, never reusing one and never
  // relying on the order of names. The reservation is committed before
  // this returns, so files numbered from it may be written at once; a crash
  // can skip numbers, never reuse them. Call it outside transaction():
  // inside one, it is only durable when the outer transaction commits.
  virtual core::Result<std::uint64_t> reserve_site_sequence(std::string_view site, std::size_t count) = 0;
  // Claims one given sequence for `site` (a number taken from the item,
  // such as a WordPress post id): false when an article of the site holds
  // it already. Committed like reserve_site_sequence, and raises the
  // site's counter past it.
  virtual core::Result<bool> claim_site_sequence(std::string_view site, std::uint64_t seq) = 0;
  // Raises the site's counter to at least `seq` (numbers an adopted mirror
  // used, whether or not its files are recorded).
  virtual core::Status raise_site_sequence(std::string_view site, std::uint64_t seq) = 0;
  // The highest sequence the site has reserved, claimed or recorded (0 for
  // a site without articles).
  virtual std::uint64_t last_site_sequence(std::string_view site) = 0;

  // --- site folders ---
  // Where each site's articles live (articles/<folder>), for the sites whose
  // folder was recorded; a site absent here uses archive::site_dir_name.
  virtual std::vector<std::pair<std::string, std::string>> site_folders() = 0;
  virtual core::Status set_site_folder(std::string_view site, std::string_view folder) = 0;

  // --- HTTP validators, per URL ---
  virtual Validators get_validators(std::string_view url) = 0;
  virtual core::Status set_validators(std::string_view url, const std::optional<std::string>& etag,
                                      const std::optional<std::string>& last_modified) = 0;

  // --- local images still to fetch ---
  // pending: one more attempt left images remote (counts attempts);
  // not pending: all are local now, or the article is given up.
  virtual core::Status set_images_pending(std::string_view site, std::string_view file_name, bool pending) = 0;
  // Articles tried fewer than `max_attempts` times, by site and file.
  virtual std::vector<PendingImages> images_pending(std::uint32_t max_attempts) = 0;

  // --- per-source health ---
  // One fetch attempt of `source` at `time`: `outcome` ok updates
  // last_success, resets the failure count and adds `new_count` to the
  // total; an error is stored as last_error and counted.
  virtual core::Status record_attempt(std::string_view source, core::TimePoint time,
                                      const core::Status& outcome, std::size_t new_count) = 0;
  // By source name.
  virtual std::vector<SourceHealth> health() = 0;

  // Runs `body` in a transaction: committed when it returns ok, rolled back
  // when it returns an error (which is passed on). Nests (savepoints).
  virtual core::Status transaction(const std::function<core::Status()>& body) = 0;

  // The schema version of the open database (kSchemaVersion after open).
  virtual int schema_version() = 0;
};

}  // namespace newsmirror::state
