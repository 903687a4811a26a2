#include "serve/catalog_watch.hpp"

#include <sys/stat.h>

namespace newsmirror::serve {

CatalogWatch::CatalogWatch(std::filesystem::path db_file, std::chrono::milliseconds interval)
    : db_file_(std::move(db_file)), wal_file_(db_file_.string() + "-wal"), interval_(interval) {
  db_state_ = state_of(db_file_);
  wal_state_ = state_of(wal_file_);
}

CatalogWatch::FileState CatalogWatch::state_of(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  return {static_cast<std::int64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_ino)};
}

std::uint64_t CatalogWatch::generation() {
  const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  if (now < next_check_ns_.load(std::memory_order_relaxed)) return generation_.load(std::memory_order_acquire);
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return generation_.load(std::memory_order_acquire);
  const FileState db = state_of(db_file_), wal = state_of(wal_file_);
  if (db.inode != db_state_.inode) file_epoch_.fetch_add(1, std::memory_order_acq_rel);
  if (!(db == db_state_) || !(wal == wal_state_)) {
    db_state_ = db;
    wal_state_ = wal;
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  next_check_ns_.store(now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval_).count(),
                       std::memory_order_relaxed);
  return generation_.load(std::memory_order_acquire);
}

}  // namespace newsmirror::serve
