#include "catalog/importer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <unordered_set>

#include <fmt/format.h>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "archive/mirror_scan.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "core/mirror_layout.hpp"
#include "core/ordered_pipeline.hpp"
#include "core/parallel.hpp"
#include "core/read_file.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::catalog {

namespace {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorKind;

// Files per batch: one transaction and, in copy mode, one flush of the
// copied files. Workers keep preparing while the writer commits (Pipeline).
// Each commit writes FTS5's pending terms out as a segment: fewer, larger
// batches made the import slower, not faster (20,000 articles: 4,560/s at
// 500, 4,440 at 1,000, 4,390 at 2,000, 4,080 at 5,000), and the final
// merge costs the same whatever the number of segments (0.9 s).
constexpr std::size_t kBatch = 500;

struct Job {
  fs::path path;       // where the file is read from
  std::string site;    // the site folder name in the mirror
  std::string name;    // file name
  std::string file() const { return "articles/" + site + "/" + name; }
};

struct Outcome {
  enum Kind { unchanged, ready, failed } kind = failed;
  PreparedArticle prepared;
  std::string bytes;     // copy mode: the file's bytes, to write as they are
  std::string reason;    // failed
  std::optional<ArticleId> existing;
};

std::string default_identity(std::string_view site, std::string_view link) {
  return "link:" + std::string(site) + "\x1f" + std::string(link);
}

struct Known {
  std::unordered_map<std::string, std::pair<ArticleId, FileStamp>> stamps;
};

// Thread-safe: reads `known` only.
Outcome prepare_job(const Job& job, const Known* known, const ImportOptions& options, bool keep_bytes) {
  Outcome out;
  std::optional<std::pair<ArticleId, FileStamp>> cataloged;
  if (known) {
    if (auto it = known->stamps.find(job.file()); it != known->stamps.end()) cataloged = it->second;
  }
  if (cataloged) {
    if (core::stamp_of(job.path) == cataloged->second) {
      out.kind = Outcome::unchanged;
      return out;
    }
    out.existing = cataloged->first;
  }
  auto file = core::read_file_stamped(job.path);
  if (!file) {
    out.reason = file.error().message;
    return out;
  }
  std::string* bytes = &file->bytes;
  if (bytes->empty()) {
    out.reason = "empty file";
    return out;
  }
  auto record = archive::read_article(*bytes);
  if (!record) {
    out.reason = record.error().message;
    return out;
  }
  NewArticle article;
  article.site = job.site;
  article.file = job.file();
  article.number = archive::parse_article_number(job.name);
  article.title = std::move(record->title);
  article.link = std::move(record->link);
  article.identity = options.identity ? options.identity(job.site, article.link)
                                      : default_identity(job.site, article.link);
  if (record->published != core::TimePoint{}) article.published = record->published;
  article.html = std::move(record->html);
  const auto stamp = file->stamp;
  // The file's time is the best "first seen" an old archive offers.
  article.fetched_at = core::TimePoint(std::chrono::milliseconds(stamp.mtime_ns / 1'000'000));
  article.stamp = stamp;
  out.prepared = prepare_article(std::move(article));
  if (keep_bytes) out.bytes = std::move(*bytes);
  out.kind = Outcome::ready;
  return out;
}

bool is_article_name(const std::string& name) {
  return name.ends_with(".md") && !core::layout::is_temp_file_name(name) && !name.starts_with(".");
}

// The article files of one site folder, by name.
core::Status list_site(const fs::path& folder, const std::string& site, std::vector<Job>& jobs) {
  std::error_code ec;
  std::vector<Job> found;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!is_article_name(name)) continue;
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    found.push_back({it->path(), site, std::move(name)});
  }
  if (ec) return Error(ErrorKind::io, fmt::format("{}: cannot list: {}", folder.string(), ec.message()));
  std::sort(found.begin(), found.end(), [](const Job& a, const Job& b) { return a.name < b.name; });
  for (auto& job : found) jobs.push_back(std::move(job));
  return core::ok_status();
}

// Every site folder under `articles`, or only `only`.
core::Result<std::vector<Job>> list_archive(const fs::path& articles, const std::optional<std::string>& only) {
  std::vector<Job> jobs;
  std::error_code ec;
  if (only) {
    auto folder = articles / archive::site_dir_name(*only);
    if (!fs::is_directory(folder, ec))
      return Error(ErrorKind::usage, fmt::format("no site \"{}\": {} is not a folder", *only, folder.string()));
    if (auto s = list_site(folder, archive::site_dir_name(*only), jobs); !s) return s.error();
    return jobs;
  }
  if (!fs::is_directory(articles, ec)) return jobs;  // a mirror without articles yet
  std::vector<fs::path> sites;
  for (fs::directory_iterator it(articles, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->path().filename().string().starts_with("."))
      sites.push_back(it->path());
  }
  if (ec) return Error(ErrorKind::io, fmt::format("{}: cannot list: {}", articles.string(), ec.message()));
  std::sort(sites.begin(), sites.end());
  for (const auto& site : sites)
    if (auto s = list_site(site, site.filename().string(), jobs); !s) return s.error();
  return jobs;
}

using Pipeline = core::OrderedPipeline<Outcome>;

// Prepares `jobs` on worker threads while `write` takes each batch of
// kBatch on this thread, one transaction each.
core::Status pipeline(const std::vector<Job>& jobs, const Known* known, const ImportOptions& options,
                      bool keep_bytes, const Pipeline::Write& write) {
  Pipeline pipeline(jobs.size(), kBatch, options.threads,
                    [&](std::size_t i) { return prepare_job(jobs[i], known, options, keep_bytes); });
  return pipeline.run(write, options.on_progress);
}

core::Status import_in_place(Catalog& catalog, const ImportOptions& options, ImportReport& report) {
  auto jobs = list_archive(options.mirror / core::layout::kArticles, options.site);
  if (!jobs) return jobs.error();
  Known known{catalog.file_stamps()};
  report.files += jobs->size();
  return pipeline(*jobs, &known, options, false, [&](std::size_t first, Pipeline::Batch& outcomes) -> core::Status {
    return catalog.transaction([&]() -> core::Status {
      for (std::size_t i = 0; i < outcomes.size(); ++i) {
        auto& out = outcomes[i];
        if (out.kind == Outcome::unchanged) {
          ++report.unchanged;
        } else if (out.kind == Outcome::failed) {
          report.failures.push_back({(*jobs)[first + i].path, out.reason});
        } else if (out.existing) {
          auto changed = catalog.record_prepared_version(*out.existing, out.prepared);
          if (!changed) return changed.error();
          if (*changed) {
            ++report.changed;
          } else {
            ++report.unchanged;  // touched, not edited
            if (auto s = catalog.set_stamp(*out.existing, *out.prepared.article.stamp); !s) return s;
          }
        } else {
          if (auto id = catalog.record_prepared(out.prepared); !id) return id.error();
          ++report.added;
        }
      }
      return core::ok_status();
    });
  });
}

// The site folders to copy from `source`: a mirror (with articles/) or one
// site folder.
core::Result<std::vector<Job>> list_source(const ImportOptions& options) {
  const fs::path& source = *options.source;
  std::error_code ec;
  if (!fs::is_directory(source, ec))
    return Error(ErrorKind::usage, fmt::format("{} is not a folder", source.string()));
  if (fs::is_directory(source / core::layout::kArticles, ec)) {
    auto jobs = list_archive(source / core::layout::kArticles, options.site);
    if (!jobs || !options.folder_of_site) return jobs;
    // Each of the other mirror's folders goes to the folder its site has here.
    const auto names = archive::list_names_by_folder(source);
    std::map<std::string, std::string> targets;
    for (auto& job : *jobs) {
      auto [target, inserted] = targets.try_emplace(job.site);
      if (inserted) {
        auto named = names.find(job.site);
        target->second = archive::site_dir_name(options.folder_of_site(named != names.end() ? named->second : job.site));
      }
      job.site = target->second;
    }
    return jobs;
  }
  fs::path folder = source;
  if (folder.filename().empty()) folder = folder.parent_path();  // "dir/"
  std::vector<Job> jobs;
  std::string site = archive::site_dir_name(options.site ? *options.site
                                                         : fs::weakly_canonical(folder).filename().string());
  if (auto s = list_site(source, site, jobs); !s) return s.error();
  if (jobs.empty())
    return Error(ErrorKind::usage,
                 fmt::format("{} holds neither articles/ nor article files (*.md); nothing to import",
                             source.string()));
  return jobs;
}

core::Status import_copies(Catalog& catalog, const ImportOptions& options, ImportReport& report) {
  if (!options.reserve_number || !options.keep_number)
    return Error(ErrorKind::internal, "import: copying needs the mirror's numbering");
  auto jobs = list_source(options);
  if (!jobs) return jobs.error();
  report.files += jobs->size();
  // Names taken in this run, per target file path (two source files with
  // the same number in one run collide too).
  std::unordered_set<std::string> taken;
  // Numbers copies took in this run, per site: a number is one file's even
  // before the catalog records it (two names under one number would sort
  // and list ambiguously).
  std::set<std::pair<std::string, std::uint64_t>> numbers_taken;
  // Identities copied in this run (two source files of one article).
  std::unordered_set<std::string> copied_identities;
  auto status = pipeline(*jobs, nullptr, options, true, [&](std::size_t first, Pipeline::Batch& outcomes) -> core::Status {
    storage::BatchWriter batch(options.mirror);
    std::vector<std::size_t> to_record;
    std::unordered_set<std::string> hashes_in_batch;
    std::vector<std::pair<std::string, std::uint64_t>> kept_numbers;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      auto& out = outcomes[i];
      const auto& job = (*jobs)[first + i];
      if (out.kind == Outcome::failed) {
        report.failures.push_back({job.path, out.reason});
        continue;
      }
      auto& article = out.prepared.article;
      // The same article is the same identity, whatever its bytes (a feed
      // fetched it cleaned, the other mirror kept it raw). Without a link
      // the identity says nothing: then only the same content is.
      const bool by_identity = !article.link.empty();
      const bool present =
          by_identity ? (options.known && options.known(article.identity)) ||
                            catalog.find_by_identity(article.identity).has_value() ||
                            !copied_identities.insert(article.identity).second
                      : catalog.has_content(article.site, article.identity, out.prepared.content_hash) ||
                            !hashes_in_batch.insert(article.site + "\x1f" + out.prepared.content_hash).second;
      if (present) {
        ++report.already_present;
        continue;
      }
      std::string name = job.name;
      auto collides = [&](const std::string& candidate) {
        const std::string file = "articles/" + article.site + "/" + candidate;
        std::error_code ec;
        if (taken.count(file) || fs::exists(options.mirror / file, ec)) return true;
        auto number = archive::parse_article_number(candidate);
        return number && (numbers_taken.count({article.site, *number}) ||
                          !catalog.find_by_number(article.site, *number).empty());
      };
      if (collides(name)) {
        // Same number, other content: a fresh number, the name's title kept.
        std::string suffix = archive::parse_article_number(name)
                                 ? name.substr(name.find_first_not_of("0123456789"))
                                 : "_" + name;
        do {
          auto number = options.reserve_number(article.site);
          if (!number) return number.error();
          article.number = *number;
          name = std::to_string(*article.number) + suffix;
        } while (collides(name));
        report.renamed.push_back({job.path, "articles/" + article.site + "/" + name});
      } else if (article.number) {
        kept_numbers.emplace_back(article.site, *article.number);
      }
      article.file = "articles/" + article.site + "/" + name;
      taken.insert(article.file);
      if (article.number) numbers_taken.insert({article.site, *article.number});
      if (auto s = batch.stage(fs::path(article.file), out.bytes); !s) return s;
      to_record.push_back(i);
    }
    // Numbers before files bear them, files before the catalog (which can
    // always be completed from them later).
    for (const auto& [site, number] : kept_numbers)
      if (auto s = options.keep_number(site, number); !s) return s;
    if (auto s = batch.commit(); !s) return s;
    report.copied += to_record.size();
    return catalog.transaction([&]() -> core::Status {
      for (auto i : to_record) {
        auto& article = outcomes[i].prepared.article;
        article.stamp = core::stamp_of(options.mirror / article.file);
        if (auto id = catalog.record_prepared(outcomes[i].prepared); !id) return id.error();
        ++report.added;
      }
      return core::ok_status();
    });
  });
  return status;
}

bool same_folder(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec);
}

}  // namespace

core::Result<ImportReport> import_articles(Catalog& catalog, const ImportOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ImportReport report;
  // An empty catalog (a first import, reindex) is filled the fast way.
  auto bulk = catalog.begin_bulk_load();
  if (!bulk) return bulk.error();
  // The mirror's own files first, so that copies see every number taken.
  ImportOptions in_place = options;
  if (options.source && !same_folder(*options.source, options.mirror)) in_place.site.reset();
  if (auto s = import_in_place(catalog, in_place, report); !s) return s.error();
  if (options.source && !same_folder(*options.source, options.mirror)) {
    // The walk of the mirror itself is not what the user asked about.
    report = ImportReport{};
    if (auto s = import_copies(catalog, options, report); !s) return s.error();
  }
  if (*bulk)
    if (auto s = catalog.end_bulk_load(); !s) return s.error();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

core::Result<ImportReport> rebuild_catalog(const ImportOptions& options) {
  if (options.source) return Error(ErrorKind::usage, "reindex reads only the mirror's own files");
  const fs::path target = core::layout::catalog_db(options.mirror);
  const fs::path fresh = fs::path(target.string() + ".rebuild");
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  for (const char* suffix : {"", "-wal", "-shm", "-journal", ".loading"}) fs::remove(fresh.string() + suffix, ec);
  core::Result<ImportReport> report = ImportReport{};
  {
    // Building a fresh file and renaming it into place is SQLite's way.
    auto catalog = SqliteCatalog::open_file(fresh);
    if (!catalog) return catalog.error();
    ImportOptions in_place = options;
    report = import_articles(**catalog, in_place);
    if (!report) return report.error();
    if (auto s = (*catalog)->checkpoint_and_close_wal(); !s) return s.error();
  }
  // The old catalog's WAL belongs to the old file: it must not be replayed
  // into the new one.
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(target.string() + suffix, ec);
  fs::rename(fresh, target, ec);
  if (ec)
    return Error(ErrorKind::io, fmt::format("{}: cannot put the rebuilt catalog in place: {}",
                                            target.string(), ec.message()));
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return report;
}

}  // namespace newsmirror::catalog
