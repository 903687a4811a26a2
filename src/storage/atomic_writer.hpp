// Writes that a crash cannot tear: every file is written to a hidden temp
// file beside its target, synced, then renamed over the target, and the
// directory is synced so the rename itself survives a power cut.
//
// A run writes hundreds of files (articles, lists, README). BatchWriter
// stages them all first and pays for durability once per batch: one
// syncfs() of the archive's file system (fdatasync per file where syncfs is
// unavailable), then the renames, then one fsync per touched directory.
//
// Temp files are named `.<target name>.tmp-<pid>-<n>` in the target's own
// directory (same file system, so rename is atomic). A crash leaves only
// such names behind; remove_stale_temp_files() deletes them on the next run.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"

namespace newsmirror::storage {

// The file system steps a writer takes, for fault injection in tests.
enum class FileOp { create, write, sync, rename, sync_dir };
const char* to_string(FileOp op);

// Called before each step with the path it is about to touch; an error
// returned here is reported as if the step had failed. Empty = no faults.
using FaultHook = std::function<core::Status(FileOp, const std::filesystem::path&)>;

// Not thread-safe: one batch belongs to one thread. A batch that is
// destroyed without commit() is abandoned (its temp files are removed).
class BatchWriter {
 public:
  explicit BatchWriter(std::filesystem::path root, FaultHook fault_hook = {});
  ~BatchWriter();
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Writes `bytes` to a temp file for `relative_path` (below root; created
  // directories included). The target is untouched until commit(). A path
  // that is absolute or has a `..` component is a usage error; one through
  // a symbolically linked folder an io error (refuse_symlinked_folders). Staging the
  // same path twice keeps the later bytes.
  core::Status stage(const std::filesystem::path& relative_path, std::string_view bytes);

  // stage() for every path of `relative_paths`, the bytes of the i-th
  // made by bytes_of(i). Files are made and written on the machine's cores
  // (one thread when a fault hook is set, so that it sees the steps in
  // order): creating ten thousand files costs the kernel as much as
  // rendering them. On the first error (in the order of the paths) none
  // of these files stays staged; those staged before do.
  core::Status stage_all(const std::vector<std::filesystem::path>& relative_paths,
                         const std::function<std::string(std::size_t)>& bytes_of);

  // Makes every staged file durable and puts it in place. On error the
  // remaining temp files are removed; each target then holds either its old
  // or its new bytes, never a mix.
  core::Status commit();

  // Removes the staged temp files; no target changes.
  void abandon();

  std::size_t staged_count() const { return staged_.size(); }
  const std::filesystem::path& root() const { return root_; }

 private:
  struct Staged {
    std::filesystem::path temp;
    std::filesystem::path target;
  };
  // The checked target of `relative_path`, its folders made.
  core::Result<std::filesystem::path> target_of(const std::filesystem::path& relative_path);
  // Records a written temp file; a target staged before loses its bytes.
  void add_staged(std::filesystem::path target, std::filesystem::path temp);
  std::filesystem::path root_;
  FaultHook fault_hook_;
  std::vector<Staged> staged_;
  // Target -> index in staged_, so that staging stays O(1) per file in a
  // batch of ten thousand.
  std::unordered_map<std::string, std::size_t> staged_index_;
  // Directories known to exist, so each is checked once per batch.
  std::unordered_set<std::string> known_dirs_;
  std::vector<std::filesystem::path> created_dirs_;
};

// One file, whole or not at all: temp file, fdatasync, rename, fsync of the
// directory. Missing parent directories are created.
core::Status write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                                   const FaultHook& fault_hook = {});

// Checks that no folder between `root` and the file `relative_path` names
// is a symbolic link. A mirror may be a clone of someone else's repository,
// whose `articles/<site>` or `assets` could point anywhere; a write through
// it would land outside the mirror. An error (io) names the link and where
// it points. Folders that do not exist yet pass: the writer creates them.
// BatchWriter::stage checks every path it is given.
core::Status refuse_symlinked_folders(const std::filesystem::path& root, const std::filesystem::path& relative_path);

// Deletes temp files left under `root` by writers that died (any process no
// longer running; `.git` is not entered). Returns how many were removed.
core::Result<std::size_t> remove_stale_temp_files(const std::filesystem::path& root);

}  // namespace newsmirror::storage
