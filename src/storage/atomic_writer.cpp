#include "storage/atomic_writer.hpp"

#include "core/mirror_layout.hpp"
#include "core/parallel.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

namespace newsmirror::storage {
namespace fs = std::filesystem;
namespace {


core::Error io_error(std::string_view what, const fs::path& path, int err) {
  return core::Error(core::ErrorKind::io,
                     std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

core::Status check_fault(const FaultHook& hook, FileOp op, const fs::path& path) {
  if (!hook) return core::ok_status();
  return hook(op, path);
}

// Owns a file descriptor for the length of one step.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { if (fd_ >= 0) ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { int fd = fd_; fd_ = -1; return fd; }

 private:
  int fd_;
};

core::Status write_all(const FaultHook& hook, const fs::path& path, std::string_view bytes,
                       bool sync) {
  if (auto st = check_fault(hook, FileOp::create, path); !st) return st.error();
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return io_error("create", path, errno);
  if (auto st = check_fault(hook, FileOp::write, path); !st) return st.error();
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("write", path, errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (sync) {
    if (auto st = check_fault(hook, FileOp::sync, path); !st) return st.error();
    if (::fdatasync(fd.get()) != 0) return io_error("fdatasync", path, errno);
  }
  // close() can report a deferred write error (NFS, quotas).
  if (::close(fd.release()) != 0) return io_error("close", path, errno);
  return core::ok_status();
}

core::Status sync_path(const FaultHook& hook, FileOp op, const fs::path& path, int flags) {
  if (auto st = check_fault(hook, op, path); !st) return st.error();
  Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0) return io_error("open", path, errno);
  if (::fsync(fd.get()) != 0) return io_error("fsync", path, errno);
  return core::ok_status();
}

core::Status sync_dir(const FaultHook& hook, const fs::path& dir) {
  return sync_path(hook, FileOp::sync_dir, dir.empty() ? fs::path(".") : dir,
                   O_RDONLY | O_DIRECTORY);
}

// create_directories that remembers what it made: a new directory's entry
// lives in its parent, which must be synced too.
core::Status make_dirs(const fs::path& dir, std::vector<fs::path>& created) {
  if (dir.empty()) return core::ok_status();
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return core::ok_status();
  if (auto st = make_dirs(dir.parent_path(), created); !st) return st;
  if (!fs::create_directory(dir, ec) && ec) return io_error("mkdir", dir, ec.value());
  created.push_back(dir);
  return core::ok_status();
}

core::Status rename_into_place(const FaultHook& hook, const fs::path& temp,
                               const fs::path& target) {
  if (auto st = check_fault(hook, FileOp::rename, target); !st) return st.error();
  if (::rename(temp.c_str(), target.c_str()) != 0) return io_error("rename onto", target, errno);
  return core::ok_status();
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  if (pid == ::getpid()) return true;
  if (::kill(static_cast<pid_t>(pid), 0) == 0) return true;
  return errno == EPERM;  // alive, owned by someone else
}

}  // namespace

const char* to_string(FileOp op) {
  switch (op) {
    case FileOp::create: return "create";
    case FileOp::write: return "write";
    case FileOp::sync: return "sync";
    case FileOp::rename: return "rename";
    case FileOp::sync_dir: return "sync_dir";
  }
  return "?";
}

BatchWriter::BatchWriter(fs::path root, FaultHook fault_hook)
    : root_(std::move(root)), fault_hook_(std::move(fault_hook)) {}

BatchWriter::~BatchWriter() { abandon(); }

core::Status refuse_symlinked_folders(const fs::path& root, const fs::path& relative_path) {
  fs::path folder = root;
  const fs::path parent = relative_path.parent_path();
  for (const fs::path& part : parent) {
    folder /= part;
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(folder, ec))) continue;
    auto target = fs::read_symlink(folder, ec);
    return core::Error(core::ErrorKind::io,
                       "refusing to write " + (root / relative_path).string() + ": " + folder.string() +
                           " is a symbolic link (to " + target.string() +
                           "), and a mirror's folders must be its own so that no write can land outside it; "
                           "replace the link with a real folder");
  }
  return core::ok_status();
}

core::Result<fs::path> BatchWriter::target_of(const fs::path& relative_path) {
  if (relative_path.empty() || relative_path.is_absolute() || relative_path.has_root_name() ||
      !relative_path.has_filename())
    return core::Error(core::ErrorKind::usage,
                       "not a file path below the archive root: " + relative_path.string());
  for (const fs::path& part : relative_path) {
    if (part == "..")
      return core::Error(core::ErrorKind::usage,
                         "path leaves the archive root: " + relative_path.string());
  }
  fs::path target = (root_ / relative_path).lexically_normal();
  if (known_dirs_.insert(target.parent_path().native()).second) {
    auto st = refuse_symlinked_folders(root_, relative_path);
    if (st) st = make_dirs(target.parent_path(), created_dirs_);
    if (!st) {
      known_dirs_.erase(target.parent_path().native());
      return st.error();
    }
  }
  return target;
}

void BatchWriter::add_staged(fs::path target, fs::path temp) {
  if (auto it = staged_index_.find(target.native()); it != staged_index_.end()) {
    Staged& s = staged_[it->second];  // later bytes win
    std::error_code ec;
    fs::remove(s.temp, ec);
    s.temp = std::move(temp);
    return;
  }
  staged_index_.emplace(target.native(), staged_.size());
  staged_.push_back(Staged{std::move(temp), std::move(target)});
}

core::Status BatchWriter::stage(const fs::path& relative_path, std::string_view bytes) {
  auto target = target_of(relative_path);
  if (!target) return target.error();
  fs::path temp = core::layout::temp_path_for(*target);
  if (auto st = write_all(fault_hook_, temp, bytes, /*sync=*/false); !st) {
    std::error_code ec;
    fs::remove(temp, ec);
    return st;
  }
  add_staged(std::move(*target), std::move(temp));
  return core::ok_status();
}

core::Status BatchWriter::stage_all(const std::vector<fs::path>& relative_paths,
                                    const std::function<std::string(std::size_t)>& bytes_of) {
  const std::size_t count = relative_paths.size();
  std::vector<fs::path> targets, temps;
  targets.reserve(count);
  temps.reserve(count);
  for (const auto& relative_path : relative_paths) {
    auto target = target_of(relative_path);
    if (!target) return target.error();
    temps.push_back(core::layout::temp_path_for(*target));
    targets.push_back(std::move(*target));
  }
  std::vector<core::Status> written(count, core::ok_status());
  core::parallel_for(
      count, [&](std::size_t i) { written[i] = write_all(fault_hook_, temps[i], bytes_of(i), /*sync=*/false); },
      fault_hook_ ? 1 : 0);
  const auto failed = std::find_if(written.begin(), written.end(), [](const core::Status& st) { return !st; });
  if (failed != written.end()) {
    for (const auto& temp : temps) {
      std::error_code ec;
      fs::remove(temp, ec);
    }
    return *failed;
  }
  for (std::size_t i = 0; i < count; ++i) add_staged(std::move(targets[i]), std::move(temps[i]));
  return core::ok_status();
}

core::Status BatchWriter::commit() {
  // 1. Data: the temp files were written without syncing; sync them all.
  core::Status synced = core::ok_status();
#ifdef __linux__
  if (staged_.size() > 1) {
    // One syncfs() flushes every staged file at once (and, as a side effect,
    // anything else dirty on that file system, usually little).
    if (auto st = check_fault(fault_hook_, FileOp::sync, root_); !st) {
      synced = st.error();
    } else {
      Fd fd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (fd.get() < 0 || ::syncfs(fd.get()) != 0) synced = io_error("syncfs", root_, errno);
    }
  } else
#endif
  {
    for (const Staged& s : staged_) {
      synced = sync_path(fault_hook_, FileOp::sync, s.temp, O_RDONLY);
      if (!synced) break;
    }
  }
  if (!synced) {
    abandon();
    return synced;
  }

  // 2. Renames. Each is atomic on its own; a failure stops the batch.
  std::set<fs::path> dirs;
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    if (auto st = rename_into_place(fault_hook_, staged_[i].temp, staged_[i].target); !st) {
      staged_.erase(staged_.begin(), staged_.begin() + static_cast<std::ptrdiff_t>(i));
      abandon();  // clears the index too
      return st;
    }
    dirs.insert(staged_[i].target.parent_path());
  }
  staged_.clear();
  staged_index_.clear();
  for (const fs::path& dir : created_dirs_) dirs.insert(dir.parent_path());
  created_dirs_.clear();

  // 3. Directory entries. With many directories one more syncfs() is
  // cheaper than an fsync per directory, each of which forces its own
  // journal commit; with one or two the fsyncs are cheaper.
#ifdef __linux__
  if (dirs.size() > 2) {
    if (auto st = check_fault(fault_hook_, FileOp::sync_dir, root_); !st) return st;
    Fd fd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::syncfs(fd.get()) != 0) return io_error("syncfs", root_, errno);
    return core::ok_status();
  }
#endif
  for (const fs::path& dir : dirs) {
    if (auto st = sync_dir(fault_hook_, dir); !st) return st;
  }
  return core::ok_status();
}

void BatchWriter::abandon() {
  for (const Staged& s : staged_) {
    std::error_code ec;
    fs::remove(s.temp, ec);
  }
  staged_.clear();
  staged_index_.clear();
  known_dirs_.clear();
  created_dirs_.clear();
}

core::Status write_file_atomically(const fs::path& path, std::string_view bytes,
                                   const FaultHook& fault_hook) {
  if (!path.has_filename())
    return core::Error(core::ErrorKind::usage, "not a file path: " + path.string());
  std::vector<fs::path> created;
  if (auto st = make_dirs(path.parent_path(), created); !st) return st;
  const fs::path temp = core::layout::temp_path_for(path);
  auto st = write_all(fault_hook, temp, bytes, /*sync=*/true);
  if (st) st = rename_into_place(fault_hook, temp, path);
  if (!st) {
    std::error_code ec;
    fs::remove(temp, ec);
    return st;
  }
  std::set<fs::path> dirs{path.parent_path()};
  for (const fs::path& dir : created) dirs.insert(dir.parent_path());
  for (const fs::path& dir : dirs) {
    if (auto synced = sync_dir(fault_hook, dir); !synced) return synced;
  }
  return core::ok_status();
}

core::Result<std::size_t> remove_stale_temp_files(const fs::path& root) {
  std::size_t removed = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return io_error("list", root, ec.value());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return io_error("list", root, ec.value());
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      if (name == ".git") it.disable_recursion_pending();
      continue;
    }
    if (!core::layout::is_temp_file_name(name) || process_alive(core::layout::temp_file_pid(name))) continue;
    if (!fs::remove(it->path(), ec) && ec) return io_error("remove", it->path(), ec.value());
    ++removed;
  }
  return removed;
}

}  // namespace newsmirror::storage
