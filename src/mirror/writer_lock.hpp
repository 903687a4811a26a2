// One writer at a time: every command that writes a mirror (fetch, run,
// save, import, reindex, publish, init, sources add/remove) holds this lock,
// an flock(2) on `.newsmirror/lock`. Two cycles at once would both decide an
// item is new and both write it; SQLite's own locking comes too late for
// that (the files are renamed into place before the state records them).
//
// Readers (search, serve, build, status) never take it and never wait. The
// kernel drops the lock when its holder dies, however it dies, so a killed
// run never leaves the mirror locked. The file also says who holds it, for
// the message a second writer prints, and, once a holder has let go after
// finishing its work, that it did: the next writer then knows that no temp
// file can be lying about and spares itself a walk of the whole archive
// (a million files) to look for one.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/feed.hpp"
#include "core/result.hpp"

namespace newsmirror::mirror {

// Who holds a mirror's lock, as the holder wrote it.
struct LockHolder {
  long pid = 0;
  std::string command;            // e.g. "fetch"
  std::optional<core::TimePoint> since;
  std::string describe() const;   // "`newsmirror fetch` (pid 4242, since 10:00:01 UTC)"
};

class WriterLock {
 public:
  enum class Wait { until_free, no };

  // Takes the lock of the mirror in `mirror_dir` for `command`, creating
  // `.newsmirror/` when needed. When another process holds it: with
  // Wait::until_free, calls `on_wait` once with the holder and blocks until
  // it is free; with Wait::no, fails at once with ErrorKind::busy naming the
  // holder.
  static core::Result<WriterLock> acquire(const std::filesystem::path& mirror_dir, std::string_view command,
                                          Wait wait,
                                          const std::function<void(const LockHolder&)>& on_wait = {});

  // The holder of the mirror's lock, or nullopt when nobody holds it.
  static std::optional<LockHolder> holder(const std::filesystem::path& mirror_dir);

  // Whether the writer before this one said its work was finished
  // (mark_finished). False after a writer that died or failed, and for a
  // lock file of an older release: it may have left temp files.
  bool previous_holder_finished() const { return previous_holder_finished_; }
  // This writer's work is done and it left no temp file anywhere: the lock
  // file says so when the lock is let go.
  void mark_finished() { finished_ = true; }

  WriterLock(WriterLock&& other) noexcept;
  WriterLock& operator=(WriterLock&& other) noexcept;
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  ~WriterLock();

 private:
  explicit WriterLock(int fd) : fd_(fd) {}
  int fd_ = -1;
  bool previous_holder_finished_ = false;
  bool finished_ = false;
};

}  // namespace newsmirror::mirror
