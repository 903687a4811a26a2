#include "mirror/writer_lock.hpp"

#include "core/mirror_layout.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <utility>

#include <fmt/format.h>

namespace newsmirror::mirror {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorKind;

namespace {

fs::path lock_file(const fs::path& mirror_dir) { return core::layout::writer_lock(mirror_dir); }

// The lock file's text: "<pid> <ms since the epoch> <command>\n".
std::optional<LockHolder> read_holder(int fd) {
  char buffer[512];
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return std::nullopt;
  std::istringstream in(std::string(buffer, static_cast<std::size_t>(n)));
  LockHolder holder;
  long long ms = 0;
  if (!(in >> holder.pid >> ms)) return std::nullopt;
  std::getline(in >> std::ws, holder.command);
  if (ms > 0) holder.since = core::TimePoint(std::chrono::milliseconds(ms));
  return holder;
}

// What the lock file holds once a writer has finished its work and let go.
constexpr std::string_view kFinished = "finished\n";

bool says_finished(int fd) {
  char buffer[kFinished.size() + 1];
  const ssize_t n = ::pread(fd, buffer, sizeof buffer, 0);
  return n == static_cast<ssize_t>(kFinished.size()) && std::string_view(buffer, kFinished.size()) == kFinished;
}

void write_holder(int fd, std::string_view command) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const std::string text = fmt::format("{} {} {}\n", static_cast<long>(::getpid()), now.count(), command);
  // Best effort: the lock is the flock, the text only tells others who has it.
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, text.data(), text.size(), 0);
}

}  // namespace

std::string LockHolder::describe() const {
  std::string out = fmt::format("`newsmirror {}` (pid {}", command.empty() ? "?" : command, pid);
  if (since) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(*since);
    const auto day = std::chrono::floor<std::chrono::days>(seconds);
    const std::chrono::hh_mm_ss time(seconds - day);
    out += fmt::format(", since {:02}:{:02}:{:02} UTC", time.hours().count(), time.minutes().count(),
                       time.seconds().count());
  }
  return out + ")";
}

core::Result<WriterLock> WriterLock::acquire(const fs::path& mirror_dir, std::string_view command, Wait wait,
                                             const std::function<void(const LockHolder&)>& on_wait) {
  std::error_code ec;
  const auto folder = core::layout::private_dir(mirror_dir);
  // A mirror cloned from elsewhere could ship `.newsmirror` (or the lock)
  // as a link to a file of the user's: never follow one, never truncate
  // anything but a plain file of our own.
  if (fs::is_symlink(folder, ec))
    return Error(ErrorKind::io, fmt::format("{} is a symbolic link; newsmirror keeps its state in a folder of "
                                            "its own there (remove the link to go on)",
                                            folder.string()));
  fs::create_directories(folder, ec);
  if (ec) return Error(ErrorKind::io, fmt::format("{}: cannot create folder: {}", folder.string(), ec.message()));
  const auto file = lock_file(mirror_dir);
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return Error(ErrorKind::io, fmt::format("{}: cannot open{}: {}", file.string(),
                                            errno == ELOOP ? " (it is a symbolic link)" : "", std::strerror(errno)));
  WriterLock lock(fd);
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
    return Error(ErrorKind::io, fmt::format("{} is not a plain file; remove it to go on", file.string()));
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK)
      return Error(ErrorKind::io, fmt::format("{}: cannot lock: {}", file.string(), std::strerror(errno)));
    const auto holder = read_holder(fd).value_or(LockHolder{});
    if (wait == Wait::no)
      return Error(ErrorKind::busy, fmt::format("{} is being written by {}; try again when it has finished "
                                                "(without --no-wait, newsmirror waits for it)",
                                                mirror_dir.string(), holder.describe()));
    if (on_wait) on_wait(holder);
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR)
        return Error(ErrorKind::io, fmt::format("{}: cannot lock: {}", file.string(), std::strerror(errno)));
    }
    break;
  }
  lock.previous_holder_finished_ = says_finished(fd);
  write_holder(fd, command);
  return lock;
}

std::optional<LockHolder> WriterLock::holder(const fs::path& mirror_dir) {
  const int fd = ::open(lock_file(mirror_dir).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::optional<LockHolder> found;
  // A shared lock we can take means no writer holds it.
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) ::flock(fd, LOCK_UN);
  else found = read_holder(fd);
  ::close(fd);
  return found;
}

WriterLock::WriterLock(WriterLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      previous_holder_finished_(other.previous_holder_finished_),
      finished_(std::exchange(other.finished_, false)) {}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  std::swap(fd_, other.fd_);
  std::swap(previous_holder_finished_, other.previous_holder_finished_);
  std::swap(finished_, other.finished_);
  return *this;
}

WriterLock::~WriterLock() {
  if (fd_ < 0) return;
  // Best effort, like the holder's name: a word that does not reach the
  // disk only costs the next writer a walk of the archive.
  if (finished_ && ::ftruncate(fd_, 0) == 0 &&
      ::pwrite(fd_, kFinished.data(), kFinished.size(), 0) == static_cast<ssize_t>(kFinished.size()))
    ::fdatasync(fd_);
  // Closing the last descriptor releases the flock.
  ::close(fd_);
}

}  // namespace newsmirror::mirror
