// What one mirror cycle (Mirror::run_cycle, mirror.hpp) is asked to do and
// what it reports: fetch every due source, parse, keep what is new by
// identity, write it in the classic format, refresh the list pages and the
// README. docs/ARCHITECTURE.md explains the order of the writes and why a
// kill at any moment loses and duplicates nothing.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/feed.hpp"
#include "core/result.hpp"

namespace newsmirror::mirror {

struct SourceReport {
  std::string name;
  std::string url;               // the URL that answered, or the last one tried
  std::size_t new_articles = 0;
  std::size_t changed = 0;       // known identity, different content (kept as first seen)
  std::size_t unchanged = 0;
  std::size_t deferred = 0;      // new, but past max_new_per_cycle: left for the next cycles
  bool not_modified = false;     // the server answered 304: nothing parsed
  std::optional<core::Error> error;
  bool failed() const { return error.has_value(); }
};

// One step of a cycle and the time it took, for `fetch --timings`.
struct StageTiming {
  std::string stage;
  double wall_seconds = 0;  // 0 for a part
  // The whole process's (every thread) over the step; for a part, the CPU
  // time the threads that did it spent on it, summed.
  double cpu_seconds = 0;
  bool part = false;  // a part of the step before it
};

struct CycleReport {
  std::vector<SourceReport> sources;  // in config order; skipped sources absent
  // The steps in the order they ran, each with the parts of it that worker
  // threads timed after it (mirror/stage_clock.hpp).
  std::vector<StageTiming> timings;
  // The catalog (search, history) could not take this cycle's articles: a
  // full disk, a damaged file. The archive has them all the same, and the
  // next cycle catalogs what is missing (or `newsmirror reindex`).
  std::optional<core::Error> catalog_error;
  std::size_t total_new() const;
  std::size_t failed_count() const;
  bool any_failed() const { return failed_count() > 0; }
};

struct CycleOptions {
  // Only this source (`fetch --source NAME`); unknown names are a usage error.
  std::optional<std::string> only_source;
  // Skip sources whose interval has not passed since their last attempt.
  bool only_due = false;
  // Progress for a terminal: `stage` is "fetch" or "parse", `item` the
  // source name. Called on the calling thread.
  std::function<void(std::string_view stage, std::size_t done, std::size_t total,
                     std::string_view item)>
      on_progress;
  // The clock, for tests.
  std::function<core::TimePoint()> now;
  // Set when the user asks to stop (Ctrl-C): feeds, pages and images not
  // fetched yet are skipped and transfers in flight are cut after a few
  // seconds; what was fetched is still archived. Not owned; null: never.
  const std::atomic<bool>* stop = nullptr;
  // Whether a writer may have died leaving temp files, which the cycle then
  // looks for in the whole mirror first. A command that holds the writer
  // lock knows better (WriterLock::previous_holder_finished): the walk
  // costs more than a cycle of 100 articles once the archive nears a
  // million files.
  bool look_for_temp_files = true;
};

}  // namespace newsmirror::mirror
