// Notices that the catalog changed — `newsmirror run`, `import` or
// `reindex` wrote to it from another process — so that cached pages are
// made again.
//
// It compares the size, modification time and inode of catalog.db and its
// WAL (catalog.db-wal), at most once per interval. Why files rather than
// SQLite's PRAGMA data_version: every commit in WAL mode appends to the WAL
// (and a checkpoint or a reindex's swap changes the main file), so two stat
// calls a second see every writer, cost nothing per request, and need no
// database connection in the server's hot path. A checkpoint alone counts
// as a change too; that only costs one round of re-rendering.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>

namespace newsmirror::serve {

class CatalogWatch {
 public:
  explicit CatalogWatch(std::filesystem::path db_file,
                        std::chrono::milliseconds interval = std::chrono::seconds(1));

  // A number that changes when the catalog's files did (checked when the
  // interval has passed since the last check; otherwise one atomic load).
  std::uint64_t generation();
  // A number that changes only when catalog.db became another file (a
  // reindex renames a new one into place): connections opened before then
  // still read the old file and must be opened again. As of the last
  // generation() call.
  std::uint64_t file_epoch() const { return file_epoch_.load(std::memory_order_acquire); }

 private:
  struct FileState {
    std::int64_t size = -1, mtime_ns = 0, inode = 0;
    bool operator==(const FileState&) const = default;
  };
  static FileState state_of(const std::filesystem::path& file);

  std::filesystem::path db_file_;
  std::filesystem::path wal_file_;
  std::chrono::milliseconds interval_;
  std::atomic<std::int64_t> next_check_ns_{0};
  std::atomic<std::uint64_t> generation_{1};
  std::atomic<std::uint64_t> file_epoch_{1};
  std::mutex mutex_;  // one thread checks at a time; the others use the last answer
  FileState db_state_, wal_state_;
};

}  // namespace newsmirror::serve
