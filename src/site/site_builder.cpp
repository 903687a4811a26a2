#include "site/site_builder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
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
#include "site/build_state.hpp"
#include "site/feeds.hpp"
#include "site/site_inputs.hpp"
#include "site/site_pages.hpp"

namespace newsmirror::site {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorKind;

namespace {

constexpr const char* kManifestName = ".newsmirror-build";
constexpr const char* kStateName = ".newsmirror-build-state";
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
    // An incremental build appends: a later line is the newer fingerprint.
    manifest.prints.insert_or_assign(line.substr(17), print);
  }
  return manifest;
}

// Writes all of `bytes` to `fd` and closes it; errno on failure (0: none).
int write_and_close(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return error;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ::close(fd) != 0 ? errno : 0;
}

core::Status write_file(const fs::path& target, std::string_view bytes) {
  const auto temp = core::layout::temp_path_for(target);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error(ErrorKind::io, fmt::format("cannot create {}: {}", temp.string(), std::strerror(errno)));
  if (int error = write_and_close(fd, bytes); error != 0) {
    ::unlink(temp.c_str());
    return Error(ErrorKind::io, fmt::format("cannot write {}: {}", target.string(), std::strerror(error)));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return Error(ErrorKind::io, fmt::format("cannot write {}: {}", target.string(), std::strerror(error)));
  }
  return core::ok_status();
}

// An image into the site: hard-linked (same file system), else copied.
core::Status link_or_copy(const fs::path& from, const fs::path& target) {
  std::error_code error;
  fs::create_directories(target.parent_path(), error);
  fs::create_hard_link(from, target, error);
  if (error) {
    error.clear();
    fs::copy_file(from, target, error);
  }
  if (error)
    return Error(ErrorKind::io, fmt::format("cannot copy image {} to {}: {}", from.string(), target.string(), error.message()));
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
    if (auto linked = link_or_copy(it->path(), target); !linked) return linked.error();
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
// `on_written`, when set, sees each page's bytes (from any thread).
using WrittenHook = std::function<void(const PageSpec&, std::string_view bytes)>;

core::Status write_pages(const fs::path& mirror_dir, const SiteInputs& inputs, const std::vector<PageSpec>& pages,
                         const std::vector<std::size_t>& to_write, const BuildOptions& options,
                         const WrittenHook& on_written = {}) {
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
    auto catalog = catalog::Catalog::open(mirror_dir, catalog::CatalogUse::reading);
    if (!catalog) return fail(catalog.error());
    auto maker = inputs.page_maker(**catalog);
    if (!maker) return fail(maker.error());
    for (std::size_t k; !failed && (k = next++) < to_write.size(); ++done) {
      const auto& page = pages[to_write[k]];
      auto bytes = (*maker)->make(page);
      if (!bytes) return fail(bytes.error().with_context(page.path));
      if (auto written = write_file(options.out / page.path, *bytes); !written) return fail(written.error());
      if (on_written) on_written(page, *bytes);
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

void add_manifest_line(std::string& text, std::string_view path, std::uint64_t print) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) text += kHex[(print >> shift) & 15];
  text += '\t';
  text += path;
  text += '\n';
}

core::Status write_manifest(const fs::path& out, const std::vector<PageSpec>& pages,
                            const std::vector<std::uint64_t>& prints) {
  std::string text(kManifestHeader);
  text.reserve(pages.size() * 64);
  for (std::size_t i = 0; i < pages.size(); ++i) add_manifest_line(text, pages[i].path, prints[i]);
  return write_file(out / kManifestName, text);
}

// The fingerprints of an incremental build's pages, after the others: the
// manifest is read last line first.
core::Status append_to_manifest(const fs::path& out, const std::vector<PageSpec>& pages,
                                const std::vector<std::uint64_t>& prints) {
  std::string text;
  for (std::size_t i = 0; i < pages.size(); ++i) add_manifest_line(text, pages[i].path, prints[i]);
  const auto file = out / kManifestName;
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Error(ErrorKind::io, fmt::format("cannot open {}: {}", file.string(), std::strerror(errno)));
  if (int error = write_and_close(fd, text); error != 0)
    return Error(ErrorKind::io, fmt::format("cannot write {}: {}", file.string(), std::strerror(error)));
  return core::ok_status();
}

// The manifest with one line per page again; returns how many.
core::Result<std::size_t> compact_manifest(const fs::path& out) {
  auto manifest = read_manifest(out / kManifestName);
  std::vector<std::pair<std::string_view, std::uint64_t>> lines(manifest.prints.begin(), manifest.prints.end());
  std::sort(lines.begin(), lines.end());
  std::string text(kManifestHeader);
  for (const auto& [path, print] : lines) add_manifest_line(text, path, print);
  if (auto written = write_file(out / kManifestName, text); !written) return written.error();
  return lines.size();
}

core::Status write_state(const fs::path& out, const BuildState& state) {
  auto text = build_state_text(state);
  if (!text) {
    // A site name no line can hold: the next build is a full one.
    std::error_code error;
    fs::remove(out / kStateName, error);
    return core::ok_status();
  }
  return write_file(out / kStateName, *text);
}

std::optional<BuildState> read_state(const fs::path& out) {
  auto text = core::read_file(out / kStateName);
  if (!text) return std::nullopt;
  return parse_build_state(*text);
}

// Every page worked out from every row of the catalog; the pages whose
// fingerprint differs from the manifest's are written.
// `mark` was taken before: versions stored from then on are rewritten by
// the next build, whether this one saw them or not.
core::Status build_everything(const fs::path& mirror_dir, SiteInputs& inputs, catalog::Catalog& catalog,
                              catalog::ChangeMark mark, const BuildOptions& options, BuildSummary& summary) {
  // The last article is the model's own, so that the counts kept for the
  // next build are exactly its.
  inputs.set_model(SiteModel::from_catalog(catalog, inputs.zone()));
  const SiteModel& model = inputs.model();
  mark.last_article = model.articles().empty() ? 0 : model.articles().back().id;

  // A page is written again when its fingerprint differs from the last
  // build's (the manifest's).
  auto pages = all_pages(model, options.render);
  std::vector<std::uint64_t> prints(pages.size());
  auto old_manifest = options.force ? Manifest{} : read_manifest(options.out / kManifestName);
  const auto& old_prints = old_manifest.prints;
  std::vector<std::size_t> to_write;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    prints[i] = fingerprint(pages[i], model, inputs.salt());
    auto found = old_prints.find(pages[i].path);
    if (found == old_prints.end() || found->second != prints[i]) to_write.push_back(i);
  }

  summary.outputs = pages.size();
  summary.articles = model.articles().size();
  summary.articles_read = summary.articles;
  if (auto created = create_folders(options.out, pages, to_write); !created) return created;
  if (auto written = write_pages(mirror_dir, inputs, pages, to_write, options); !written) return written;
  summary.written = to_write.size();
  summary.unchanged = pages.size() - to_write.size();
  summary.removed = remove_stale_pages(options.out, pages, old_prints);

  auto images = copy_images(mirror_dir, options.out);
  if (!images) return images.error();
  summary.images_copied = *images;

  if (summary.written > 0 || summary.removed > 0 || old_prints.size() != pages.size())
    if (auto written = write_manifest(options.out, pages, prints); !written) return written;
  return write_state(options.out, {.mark = mark,
                                   .salt = inputs.salt(),
                                   .counts = model.listing_counts(),
                                   .pages = pages.size(),
                                   .manifest_lines = pages.size()});
}

// The rows an incremental build reads, each once, and which of them are
// listed on a page it writes (a list shows whether an article was edited;
// a sitemap does not).
class RowSet {
 public:
  void add(std::vector<catalog::Article> rows, bool listed = true) {
    for (auto& row : rows) {
      if (listed) listed_.insert(row.id);
      if (ids_.insert(row.id).second) rows_.push_back(std::move(row));
    }
  }
  // Article -> versions, for the listed rows edited at least once.
  std::unordered_map<catalog::ArticleId, int> version_counts(catalog::Catalog& catalog) const {
    std::unordered_map<catalog::ArticleId, int> counts;
    for (auto id : listed_)
      if (int versions = catalog.version_count(id); versions > 1) counts.emplace(id, versions);
    return counts;
  }
  std::vector<catalog::Article> take() { return std::move(rows_); }

 private:
  std::unordered_set<catalog::ArticleId> ids_, listed_;
  std::vector<catalog::Article> rows_;
};

// The UTC span that surely holds every article listed in `year_month`
// ("2026-11") in the mirror's zone: a day wider on both sides than the
// month, whatever the zone's offset (the model files the extra rows
// under their own months).
std::pair<core::TimePoint, core::TimePoint> month_span(std::string_view year_month) {
  using namespace std::chrono;
  int year = 0;
  unsigned month = 0;
  std::from_chars(year_month.data(), year_month.data() + 4, year);
  std::from_chars(year_month.data() + 5, year_month.data() + 7, month);
  const sys_days first{std::chrono::year{year} / std::chrono::month{month} / 1};
  const sys_days next{(std::chrono::year{year} / std::chrono::month{month} + months{1}) / 1};
  return {first - days{1}, next + days{1}};
}

// Asset files a page links to ("…assets/ab/cdef.jpg"), as paths under
// assets/: what an incremental build copies beside its new pages.
void collect_asset_links(std::string_view page, std::set<std::string>& links) {
  constexpr std::string_view kAssets = "assets/";
  for (auto at = page.find(kAssets); at != std::string_view::npos; at = page.find(kAssets, at + 1)) {
    if (at > 0 && page[at - 1] != '/' && page[at - 1] != '"' && page[at - 1] != '\'') continue;
    auto end = at + kAssets.size();
    while (end < page.size() && (std::isalnum(static_cast<unsigned char>(page[end])) || page[end] == '/' ||
                                 page[end] == '.' || page[end] == '_' || page[end] == '-'))
      ++end;
    auto path = page.substr(at + kAssets.size(), end - at - kAssets.size());
    if (path.empty() || path.find("..") != std::string_view::npos || path.starts_with("/")) continue;
    links.emplace(path);
  }
}

core::Result<std::size_t> copy_linked_images(const fs::path& mirror_dir, const fs::path& out,
                                             const std::set<std::string>& links) {
  std::size_t copied = 0;
  std::error_code error;
  for (const auto& link : links) {
    auto from = mirror_dir / core::layout::kAssets / link;
    auto target = out / core::layout::kAssets / link;
    if (!fs::is_regular_file(from, error) || fs::exists(target, error)) continue;
    if (auto linked = link_or_copy(from, target); !linked) return linked.error();
    ++copied;
  }
  return copied;
}

// What changed in the catalog since the last build, and the pages that
// show it: the changed articles' own pages, the month pages they are
// listed on (and, when a month is new, its neighbours', which link to it),
// their sites' index pages and feeds, the home page and its feeds, and the
// sitemaps. Reads those rows and the newest of each site, not the archive.
core::Status build_changes(const fs::path& mirror_dir, SiteInputs& inputs, catalog::Catalog& catalog,
                           catalog::ChangeMark mark, const BuildState& last, const BuildOptions& options,
                           BuildSummary& summary) {
  auto changed = catalog.listed_changed_since(last.mark);
  summary.incremental = true;
  summary.articles = catalog.article_count();
  summary.outputs = last.pages;
  summary.unchanged = last.pages;
  if (changed.empty()) return core::ok_status();

  // The counts follow the new articles; an edit moves none.
  ListingCounts counts = last.counts;
  std::set<std::pair<std::string, std::string>> touched_months, new_months;
  std::set<std::string> touched_sites;
  std::set<std::size_t> touched_chunks;
  mark.last_article = last.mark.last_article;
  for (const auto& row : changed) {
    auto month = year_month_in(inputs.zone(), listed_time(row));
    touched_sites.insert(row.site);
    touched_months.emplace(row.site, month);
    if (row.id <= last.mark.last_article) continue;
    mark.last_article = std::max(mark.last_article, row.id);
    auto& count = counts.months[row.site][month];
    if (count++ == 0) new_months.emplace(row.site, month);
    touched_chunks.insert(sitemap_chunk_of(row.id, kSitemapLimit));
    counts.chunks.insert(sitemap_chunk_of(row.id, kSitemapLimit));
  }
  // A new month's neighbours link to it.
  for (const auto& [site, month] : new_months) {
    const auto& months = counts.months[site];
    auto at = months.find(month);
    if (at != months.begin()) touched_months.emplace(site, std::prev(at)->first);
    if (std::next(at) != months.end()) touched_months.emplace(site, std::next(at)->first);
  }

  std::vector<catalog::ArticleId> changed_ids;
  for (const auto& row : changed) changed_ids.push_back(row.id);
  RowSet rows;
  rows.add(std::move(changed));
  for (const auto& [site, month] : touched_months) {
    auto [from, until] = month_span(month);
    rows.add(catalog.listed_between(site, from, until));
  }
  for (const auto& [site, months] : counts.months) rows.add(catalog.listed_newest(site, kNewestCount));
  if (!options.render.base_url.empty()) {
    for (auto chunk : touched_chunks) {
      const auto first = static_cast<catalog::ArticleId>(chunk * kSitemapLimit) + 1;
      rows.add(catalog.listed_by_id(first, first + static_cast<catalog::ArticleId>(kSitemapLimit) - 1),
               /*listed=*/false);
    }
  }
  auto version_counts = rows.version_counts(catalog);
  auto read = rows.take();
  summary.articles_read = read.size();
  inputs.set_model(SiteModel::partial(std::move(read), std::move(version_counts), inputs.zone(), counts));
  const SiteModel& model = inputs.model();

  // The pages to write, and how many of them the site did not have.
  const std::size_t html_variants = 1 + options.render.variants.size();
  std::size_t added = 0;
  std::vector<PageSpec> pages;
  add_home_pages(pages, options.render);
  for (const auto& name : touched_sites) {
    const auto* site = model.find_site(name);
    if (!site) continue;
    const auto before = pages.size();
    add_site_pages(pages, *site, options.render);
    if (!last.counts.months.count(name)) added += pages.size() - before;
  }
  for (const auto& [name, month] : touched_months) {
    const auto* site = model.find_site(name);
    const auto before = pages.size();
    for (std::size_t i = 0; site && i < site->months.size(); ++i)
      if (site->months[i].year_month == month) add_month_pages(pages, *site, i, options.render);
    if (new_months.count({name, month})) added += pages.size() - before;
  }
  for (auto id : changed_ids) {
    auto found = model.articles_by_id(id, id);
    if (found.empty()) continue;
    add_article_pages(pages, found.front(), model, options.render);
    if (id > last.mark.last_article) {
      added += html_variants * static_cast<std::size_t>(model.version_count(found.front()));
    } else {
      // An edited article: a page for each version its last one replaced.
      for (const auto& version : catalog.versions(id)) added += version.id > last.mark.last_version ? html_variants : 0;
    }
  }
  if (!options.render.base_url.empty()) added += counts.chunks.size() - last.counts.chunks.size();
  {
    // The sitemap index lists the chunks, the lists' sitemap the months.
    std::vector<PageSpec> sitemaps;
    add_sitemap_pages(sitemaps, {touched_chunks.begin(), touched_chunks.end()}, options.render);
    for (auto& page : sitemaps) {
      if (page.kind == PageKind::sitemap_index && counts.chunks == last.counts.chunks) continue;
      if (page.kind == PageKind::sitemap_lists && new_months.empty()) continue;
      pages.push_back(std::move(page));
    }
  }

  std::vector<std::uint64_t> prints(pages.size());
  std::vector<std::size_t> to_write(pages.size());
  for (std::size_t i = 0; i < pages.size(); ++i) {
    prints[i] = fingerprint(pages[i], model, inputs.salt());
    to_write[i] = i;
  }
  if (auto created = create_folders(options.out, pages, to_write); !created) return created;
  std::mutex links_mutex;
  std::set<std::string> image_links;
  auto collect_images = [&](const PageSpec& page, std::string_view bytes) {
    if (page.kind != PageKind::article && page.kind != PageKind::version) return;
    std::lock_guard lock(links_mutex);
    collect_asset_links(bytes, image_links);
  };
  if (auto written = write_pages(mirror_dir, inputs, pages, to_write, options, collect_images); !written)
    return written;
  auto images = copy_linked_images(mirror_dir, options.out, image_links);
  if (!images) return images.error();
  summary.images_copied = *images;
  if (auto appended = append_to_manifest(options.out, pages, prints); !appended) return appended;

  BuildState state{.mark = mark,
                   .salt = inputs.salt(),
                   .counts = std::move(counts),
                   .pages = last.pages + added,
                   .manifest_lines = last.manifest_lines,
                   .manifest_appended = last.manifest_appended + pages.size()};
  if (state.manifest_appended > state.manifest_lines) {
    auto lines = compact_manifest(options.out);
    if (!lines) return lines.error();
    state.manifest_lines = *lines;
    state.manifest_appended = 0;
  }
  summary.outputs = state.pages;
  summary.written = pages.size();
  summary.unchanged = state.pages - std::min(state.pages, pages.size());
  return write_state(options.out, state);
}

}  // namespace

core::Result<BuildSummary> build_site(const fs::path& mirror_dir, const BuildOptions& options) {
  auto started = std::chrono::steady_clock::now();
  std::error_code error;
  if (fs::exists(options.out, error) && fs::equivalent(options.out, mirror_dir, error)) {
    return Error(ErrorKind::usage, "the site cannot be built into the mirror folder itself; choose --out DIR");
  }
  auto inputs = SiteInputs::load_settings(mirror_dir, options.render);
  if (!inputs) return inputs.error();
  auto catalog = catalog::Catalog::open(mirror_dir, catalog::CatalogUse::reading);
  if (!catalog) return catalog.error();

  BuildSummary summary;
  summary.sitemap = !options.render.base_url.empty();
  auto last = options.force ? std::nullopt : read_state(options.out);
  // Taken before anything is read: what is stored from now on is the next
  // build's to see.
  const auto mark = (*catalog)->change_mark();
  const bool incremental = last && last->salt == inputs->salt() && last->mark.catalog == mark.catalog &&
                           fs::is_regular_file(options.out / kManifestName, error);
  auto built = incremental ? build_changes(mirror_dir, *inputs, **catalog, mark, *last, options, summary)
                           : build_everything(mirror_dir, *inputs, **catalog, mark, options, summary);
  if (!built) return built.error();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace newsmirror::site
