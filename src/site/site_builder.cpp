#include "site/site_builder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "catalog/catalog.hpp"
#include "config/config.hpp"
#include "config/opml.hpp"
#include "core/mirror_layout.hpp"
#include "core/parallel.hpp"
#include "core/read_file.hpp"
#include "site/site_inputs.hpp"
#include "site/site_pages.hpp"

namespace newsmirror::site {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorKind;

namespace {

constexpr const char* kManifestName = ".newsmirror-build";
constexpr std::string_view kManifestHeader = "newsmirror-build 1\n";

// Path -> fingerprint; the views point into `text`, the file as read.
struct Manifest {
  std::string text;
  std::unordered_map<std::string_view, std::uint64_t> prints;
};

// A missing or unreadable record only means a full build.
Manifest read_manifest(const fs::path& file) {
  Manifest manifest;
  auto text = core::read_file(file);
  if (!text) return manifest;
  manifest.text = std::move(*text);
  std::string_view rest(manifest.text);
  if (!rest.starts_with(kManifestHeader)) return manifest;
  rest.remove_prefix(kManifestHeader.size());
  manifest.prints.reserve(static_cast<std::size_t>(std::count(rest.begin(), rest.end(), '\n')));
  while (!rest.empty()) {
    auto end = rest.find('\n');
    auto line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    std::uint64_t print = 0;
    auto [after, error] = std::from_chars(line.data(), line.data() + line.size(), print, 16);
    if (error != std::errc() || after != line.data() + 16 || line.size() < 18 || line[16] != '\t') continue;
    manifest.prints.emplace(line.substr(17), print);
  }
  return manifest;
}

core::Status write_file(const fs::path& target, std::string_view bytes) {
  const auto temp = core::layout::temp_path_for(target);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error(ErrorKind::io, fmt::format("cannot create {}: {}", temp.string(), std::strerror(errno)));
  const char* at = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, at, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return Error(ErrorKind::io, fmt::format("cannot write {}: {}", target.string(), std::strerror(error)));
    }
    at += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(temp.c_str(), target.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return Error(ErrorKind::io, fmt::format("cannot write {}: {}", target.string(), std::strerror(error)));
  }
  return core::ok_status();
}

// Images are named by their content, so one that is there is the same:
// link it (same file system) or copy it when it is missing.
core::Result<std::size_t> copy_images(const fs::path& mirror_dir, const fs::path& out) {
  auto from = mirror_dir / core::layout::kAssets;
  std::error_code error;
  if (!fs::is_directory(from, error)) return std::size_t{0};
  std::size_t copied = 0;
  for (auto it = fs::recursive_directory_iterator(from, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    auto name = it->path().filename().string();
    if (name.starts_with(".")) continue;  // temp files of a running cycle
    auto target = out / core::layout::kAssets / fs::relative(it->path(), from);
    if (fs::exists(target, error)) continue;
    fs::create_directories(target.parent_path(), error);
    fs::create_hard_link(it->path(), target, error);
    if (error) {
      error.clear();
      fs::copy_file(it->path(), target, error);
    }
    if (error) return Error(ErrorKind::io, fmt::format("cannot copy image {} to {}: {}", it->path().string(), target.string(), error.message()));
    ++copied;
  }
  if (error) return Error(ErrorKind::io, fmt::format("cannot list {}: {}", from.string(), error.message()));
  return copied;
}

}  // namespace

fs::path default_site_dir(const fs::path& mirror_dir) { return core::layout::default_site_dir(mirror_dir); }

namespace {

using Prints = std::unordered_map<std::string_view, std::uint64_t>;

core::Status create_folders(const fs::path& out, const std::vector<PageSpec>& pages,
                            const std::vector<std::size_t>& to_write) {
  std::set<fs::path> folders = {out};
  for (auto i : to_write) folders.insert((out / pages[i].path).parent_path());
  std::error_code error;
  for (const auto& folder : folders) {
    fs::create_directories(folder, error);
    if (error) return Error(ErrorKind::io, fmt::format("cannot create {}: {}", folder.string(), error.message()));
  }
  return core::ok_status();
}

// Makes and writes pages[to_write[...]], on threads that take pages in
// turn; each has its own catalog connection.
core::Status write_pages(const fs::path& mirror_dir, const SiteInputs& inputs, const std::vector<PageSpec>& pages,
                         const std::vector<std::size_t>& to_write, const BuildOptions& options) {
  if (to_write.empty()) return core::ok_status();
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto fail = [&](Error e) {
    std::lock_guard lock(error_mutex);
    if (!first_error) first_error = std::move(e);
    failed = true;
  };
  auto work = [&] {
    auto catalog = catalog::Catalog::open(mirror_dir);
    if (!catalog) return fail(catalog.error());
    auto maker = inputs.page_maker(**catalog);
    if (!maker) return fail(maker.error());
    for (std::size_t k; !failed && (k = next++) < to_write.size(); ++done) {
      const auto& page = pages[to_write[k]];
      auto bytes = (*maker)->make(page);
      if (!bytes) return fail(bytes.error().with_context(page.path));
      if (auto written = write_file(options.out / page.path, *bytes); !written) return fail(written.error());
    }
  };
  // A thread opens a catalog connection and reads the site's model: not
  // worth it for fewer than 64 pages.
  const unsigned threads = core::thread_count(to_write.size(), static_cast<unsigned>(std::max(0, options.threads)), 64);
  std::jthread reporter;
  if (options.progress) {
    reporter = std::jthread([&](std::stop_token stop) {
      while (!stop.stop_requested() && done < to_write.size() && !failed) {
        options.progress(done, to_write.size());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });
  }
  core::run_on_threads(threads, work);
  reporter = {};  // stops and joins it
  if (options.progress) options.progress(done, to_write.size());
  if (first_error) return *first_error;
  return core::ok_status();
}

// Removes the pages of the last build that this one no longer makes;
// returns how many.
std::size_t remove_stale_pages(const fs::path& out, const std::vector<PageSpec>& pages, const Prints& old_prints) {
  std::unordered_set<std::string_view> current;
  current.reserve(pages.size());
  for (const auto& page : pages) current.insert(page.path);
  std::size_t removed = 0;
  std::error_code error;
  for (const auto& [path, print] : old_prints) {
    if (current.count(path)) continue;
    if (fs::remove(out / path, error) || !error) ++removed;
  }
  return removed;
}

core::Status write_manifest(const fs::path& out, const std::vector<PageSpec>& pages,
                            const std::vector<std::uint64_t>& prints) {
  std::string text(kManifestHeader);
  text.reserve(pages.size() * 64);
  for (std::size_t i = 0; i < pages.size(); ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4) text += kHex[(prints[i] >> shift) & 15];
    text += '\t';
    text += pages[i].path;
    text += '\n';
  }
  return write_file(out / kManifestName, text);
}

}  // namespace

core::Result<BuildSummary> build_site(const fs::path& mirror_dir, const BuildOptions& options) {
  auto started = std::chrono::steady_clock::now();
  std::error_code error;
  if (fs::exists(options.out, error) && fs::equivalent(options.out, mirror_dir, error)) {
    return Error(ErrorKind::usage, "the site cannot be built into the mirror folder itself; choose --out DIR");
  }
  auto inputs = SiteInputs::load(mirror_dir, options.render);
  if (!inputs) return inputs.error();
  const SiteModel& model = inputs->model();

  // A page is written again when its fingerprint differs from the last
  // build's (the manifest's).
  auto pages = all_pages(model, options.render);
  std::vector<std::uint64_t> prints(pages.size());
  auto old_manifest = options.force ? Manifest{} : read_manifest(options.out / kManifestName);
  const auto& old_prints = old_manifest.prints;
  std::vector<std::size_t> to_write;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    prints[i] = fingerprint(pages[i], model, inputs->salt());
    auto found = old_prints.find(pages[i].path);
    if (found == old_prints.end() || found->second != prints[i]) to_write.push_back(i);
  }

  BuildSummary summary;
  summary.outputs = pages.size();
  summary.articles = model.articles().size();
  summary.sitemap = !options.render.base_url.empty();
  if (auto created = create_folders(options.out, pages, to_write); !created) return created.error();
  if (auto written = write_pages(mirror_dir, *inputs, pages, to_write, options); !written) return written.error();
  summary.written = to_write.size();
  summary.unchanged = pages.size() - to_write.size();
  summary.removed = remove_stale_pages(options.out, pages, old_prints);

  auto images = copy_images(mirror_dir, options.out);
  if (!images) return images.error();
  summary.images_copied = *images;

  if (summary.written > 0 || summary.removed > 0 || old_prints.size() != pages.size())
    if (auto written = write_manifest(options.out, pages, prints); !written) return written.error();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace newsmirror::site
