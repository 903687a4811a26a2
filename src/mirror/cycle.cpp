#include "mirror/cycle.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_set>

#include "archive/article_file.hpp"
#include "archive/atomic_writer.hpp"
#include "archive/file_name.hpp"
#include "archive/list_page.hpp"
#include "archive/readme_page.hpp"
#include "core/hash.hpp"
#include "core/time_zone.hpp"
#include "fetch/http_client.hpp"
#include "mirror/identity.hpp"
#include "parse/feed_parser.hpp"
#include "state/state_db.hpp"

namespace newsmirror::mirror {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorKind;
using core::Result;
using core::Status;
using core::TimePoint;

std::size_t CycleReport::total_new() const {
  std::size_t total = 0;
  for (const auto& source : sources) total += source.new_articles;
  return total;
}

std::size_t CycleReport::failed_count() const {
  return std::count_if(sources.begin(), sources.end(), [](const auto& s) { return s.failed(); });
}

namespace {

// The intent log of a cycle's commit: written (durably) after the articles'
// temp files and before they are renamed into place; removed once the state
// database records them and the list pages and README show them. Its
// presence at start-up means a cycle died in between, and recover() finishes
// the bookkeeping and the lists for every file that made it.
constexpr const char* kJournalName = ".newsmirror/pending-articles.json";

nlohmann::json to_json(const state::ArchivedArticle& a) {
  return {{"identity", a.identity}, {"aliases", a.aliases},  {"site", a.site},
          {"file", a.file_name},    {"seq", a.seq},          {"title", a.title},
          {"link", a.link},         {"published", a.published.time_since_epoch().count()},
          {"first_seen", a.first_seen.time_since_epoch().count()},
          {"hash", a.content_hash}};
}

state::ArchivedArticle article_from_json(const nlohmann::json& j) {
  state::ArchivedArticle a;
  a.identity = j.at("identity").get<std::string>();
  a.aliases = j.at("aliases").get<std::vector<std::string>>();
  a.site = j.at("site").get<std::string>();
  a.file_name = j.at("file").get<std::string>();
  a.seq = j.at("seq").get<std::uint64_t>();
  a.title = j.at("title").get<std::string>();
  a.link = j.at("link").get<std::string>();
  a.published = TimePoint(std::chrono::milliseconds(j.at("published").get<std::int64_t>()));
  a.first_seen = TimePoint(std::chrono::milliseconds(j.at("first_seen").get<std::int64_t>()));
  a.content_hash = j.at("hash").get<std::string>();
  return a;
}

TimePoint system_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string entry_link(const core::Entry& entry, const core::Feed& feed) {
  if (entry.link && !entry.link->empty()) return *entry.link;
  // A GUID that is a web address is the article's page (RSS isPermaLink).
  if (entry.id && (entry.id->starts_with("http://") || entry.id->starts_with("https://")))
    return *entry.id;
  return feed.link.value_or("");
}

fs::path article_path(std::string_view site, std::string_view file_name) {
  return fs::path("articles") / archive::site_dir_name(site) / fs::path(std::string(file_name));
}

// What a source's fetch came back with, across its URLs.
struct Fetched {
  std::size_t url_index = 0;
  std::optional<Result<fetch::Response>> result;
};

// An article about to be written.
struct NewArticle {
  state::ArchivedArticle record;
  std::string bytes;
};

// An entry parsed and rendered, before novelty is decided.
struct Candidate {
  std::vector<std::string> keys;  // identity keys, the primary first
  NewArticle article;             // seq and file name still unset
};

// A source's fetch result turned into candidates (or why there are none).
struct Prepared {
  std::optional<core::Error> error;
  bool not_modified = false;
  std::vector<Candidate> candidates;  // oldest first
};

// Thread-safe: touches nothing shared.
Prepared prepare_source(const config::Source& source, const std::string& url,
                        const Result<fetch::Response>& result, const std::string& time_zone,
                        TimePoint now) {
  Prepared prepared;
  if (!result.ok()) {
    prepared.error = result.error();
    return prepared;
  }
  const auto& response = result.value();
  if (response.not_modified()) {
    prepared.not_modified = true;
    return prepared;
  }
  parse::ParseOptions parse_options;
  parse_options.content_type = response.content_type;
  parse_options.base_url = response.effective_url.empty() ? url : response.effective_url;
  if (auto zone = core::TimeZone::from_name(time_zone)) parse_options.default_zone = *zone;
  auto feed = parse::parse_feed(response.body, parse_options);
  if (!feed) {
    prepared.error = feed.error().with_context(url);
    return prepared;
  }

  // Feeds list newest first; numbering the oldest first keeps the old
  // mirrors' order, where a larger sequence number is a newer article.
  for (auto it = feed->entries.rbegin(); it != feed->entries.rend(); ++it) {
    const auto& entry = *it;
    Candidate candidate;
    candidate.keys = identity_keys(source.name, entry);
    archive::ArticleRecord record;
    record.published = entry.published ? *entry.published : entry.updated ? *entry.updated : now;
    record.title = archive::single_line(entry.title.value_or(""));
    record.link = entry_link(entry, *feed);
    record.html = entry.html().value_or("");
    auto& article = candidate.article;
    article.bytes = archive::render_article(record);
    // The hash leaves out line 1, the publish time: a feed that re-dates an
    // item has not edited it.
    article.record.content_hash =
        core::sha256_hex(std::string_view(article.bytes).substr(article.bytes.find('\n') + 1));
    article.record.identity = candidate.keys.front();
    article.record.aliases.assign(candidate.keys.begin() + 1, candidate.keys.end());
    article.record.site = source.name;
    article.record.title = std::move(record.title);
    article.record.link = std::move(record.link);
    article.record.published = record.published;
    article.record.first_seen = now;
    prepared.candidates.push_back(std::move(candidate));
  }
  return prepared;
}

}  // namespace

struct Mirror::Impl {
  fs::path dir;
  config::Config config;
  state::StateDb db;

  fetch::Options fetch_options() const {
    fetch::Options options;
    options.max_transfers = config.concurrency;
    options.max_per_host = config.per_host;
    options.connect_timeout = config.connect_timeout;
    options.total_timeout = config.timeout;
    return options;
  }

  archive::ListStyle list_style() const {
    archive::ListStyle style;
    style.max_entries = static_cast<std::size_t>(config.list_entries);
    style.footer = config.list_footer;
    if (auto zone = core::TimeZone::from_name(config.timezone)) style.zone = *zone;
    return style;
  }

  // The archived article any of `keys` names, if there is one.
  std::optional<state::ArchivedArticle> find_known(const std::vector<std::string>& keys) {
    for (const auto& key : keys)
      if (auto article = db.find(key)) return article;
    return std::nullopt;
  }

  // When `source` is next due: its last attempt plus its interval; `now`
  // when it was never tried.
  TimePoint due_at(const config::Source& source, const std::vector<state::SourceHealth>& health,
                   TimePoint now) const {
    for (const auto& h : health)
      if (h.source == source.name && h.last_attempt)
        return *h.last_attempt + config::effective_interval(config, source);
    return now;
  }

  // The list pages of `sites` and the README, as one batch: one flush for
  // all of them rather than one fsync per page.
  Status write_lists(const std::set<std::string>& sites) {
    auto style = list_style();
    archive::BatchWriter batch(dir);
    for (const auto& site : sites) {
      std::vector<archive::ListItem> items;
      for (auto& article : db.newest(site, style.max_entries))
        items.push_back({article.published, article.title, article.file_name});
      auto folder = archive::site_dir_name(site);
      auto page_style = style;
      if (folder != site) page_style.folder = folder;
      auto status = batch.stage(fs::path("lists") / (folder + ".md"),
                                archive::render_list_page(site, items, page_style));
      if (!status) return status;
    }
    if (auto status = batch.stage("README.md", render_readme()); !status) return status;
    return batch.commit();
  }

  std::string render_readme() {
    // Sites in config order first (as the classic README lists them), then
    // any site the state knows that the config no longer names.
    auto counts = db.site_summaries();
    std::vector<archive::SiteSummary> sites;
    std::set<std::string> listed;
    auto add = [&](const std::string& name) {
      if (!listed.insert(name).second) return;
      for (const auto& count : counts)
        if (count.site == name) {
          sites.push_back({name, static_cast<std::size_t>(count.articles), count.newest_published});
          return;
        }
    };
    for (const auto& source : config.sources) add(source.name);
    for (const auto& count : counts) add(count.site);
    return archive::render_readme(sites);
  }

  Status record(const std::vector<NewArticle>& articles) {
    std::vector<state::ArchivedArticle> records;
    for (const auto& article : articles) records.push_back(article.record);
    return db.record_articles(records);
  }
};

Mirror::Mirror(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Mirror::Mirror(Mirror&&) noexcept = default;
Mirror& Mirror::operator=(Mirror&&) noexcept = default;
Mirror::~Mirror() = default;

const config::Config& Mirror::config() const { return impl_->config; }
const fs::path& Mirror::dir() const { return impl_->dir; }

Result<Mirror> Mirror::open(const fs::path& dir) {
  auto file = config::config_path(dir);
  if (!fs::exists(file))
    return Error(ErrorKind::config, file.string() + " not found: run `newsmirror init " +
                                        dir.string() + "` first, or pass --mirror DIR");
  auto config = config::load_config(file);
  if (!config) return config.error();
  // Names that differ can clean to one folder ("a/b" and "a／b"): the two
  // sources would then share articles/<folder> and overwrite each other's
  // lists/<folder>.md. The config module cannot see the cleaning rules
  // (archive/), so the check lives here, before anything is written.
  std::map<std::string, std::string> folders;
  for (const auto& source : config->sources) {
    auto [it, inserted] = folders.emplace(archive::site_dir_name(source.name), source.name);
    if (!inserted)
      return Error(ErrorKind::config, file.string() + ": sources \"" + it->second + "\" and \"" +
                                          source.name + "\" would share the folder articles/" +
                                          it->first + "; rename one of them");
  }
  auto db = state::StateDb::open(dir);
  if (!db) return db.error();
  auto impl = std::make_unique<Impl>(Impl{dir, std::move(*config), std::move(*db)});
  return Mirror(std::move(impl));
}

Status Mirror::recover() {
  auto& impl = *impl_;
  auto journal = impl.dir / kJournalName;
  if (fs::exists(journal)) {
    std::ifstream in(journal, std::ios::binary);
    nlohmann::json pending = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    std::vector<state::ArchivedArticle> finished;
    std::set<std::string> sites;
    if (pending.is_array()) {
      for (const auto& item : pending) {
        auto article = article_from_json(item);
        // Only files that were renamed into place count; the others were
        // never visible and will be fetched again.
        if (!fs::exists(impl.dir / article_path(article.site, article.file_name))) continue;
        // Recorded already (killed after the commit point) still means its
        // site's list page and the README may not show it yet.
        sites.insert(article.site);
        if (impl.db.find(article.identity)) continue;
        finished.push_back(std::move(article));
      }
    }
    if (!finished.empty()) {
      spdlog::info("recovering {} article(s) written by an interrupted cycle", finished.size());
      if (auto status = impl.db.record_articles(finished); !status) return status;
    }
    if (!sites.empty())
      if (auto status = impl.write_lists(sites); !status) return status;
    std::error_code ignored;
    fs::remove(journal, ignored);
  }
  auto removed = archive::remove_stale_temp_files(impl.dir);
  if (!removed) return removed.error();
  if (*removed > 0) spdlog::info("removed {} temporary file(s) left by an interrupted run", *removed);
  return core::ok_status();
}

std::optional<TimePoint> Mirror::next_due(TimePoint now) {
  std::optional<TimePoint> next;
  auto health = impl_->db.health();
  for (const auto& source : impl_->config.sources) {
    if (!source.enabled) continue;
    TimePoint due = impl_->due_at(source, health, now);
    if (!next || due < *next) next = due;
  }
  return next;
}

Result<CycleReport> Mirror::run_cycle(const CycleOptions& options) {
  auto& impl = *impl_;
  const auto now = options.now ? options.now() : system_now();
  const auto started = std::chrono::steady_clock::now();
  auto log_stage = [&](std::string_view stage) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    spdlog::debug("cycle: {} done at {} ms", stage, elapsed.count());
  };
  if (auto status = recover(); !status) return status.error();
  log_stage("recovery");

  // Which sources take part.
  std::vector<const config::Source*> sources;
  auto health = impl.db.health();
  for (const auto& source : impl.config.sources) {
    if (options.only_source) {
      if (source.name == *options.only_source) sources.push_back(&source);
      continue;
    }
    if (!source.enabled) continue;
    if (options.only_due && impl.due_at(source, health, now) > now) continue;
    sources.push_back(&source);
  }
  if (options.only_source && sources.empty())
    return Error(ErrorKind::usage, "no source named \"" + *options.only_source +
                                       "\" in " + config::config_path(impl.dir).string());

  // Fetch every source's first URL at once, then parse and render what came
  // back on all cores (the CPU-bound part of a first cycle). A source whose
  // URL failed — no answer, or an answer that is no feed, such as a block
  // page — tries its next URL in the following round.
  std::vector<Fetched> fetched(sources.size());
  std::vector<Prepared> prepared(sources.size());
  fetch::Client client(impl.fetch_options());
  for (std::size_t round = 0;; ++round) {
    std::vector<fetch::Request> requests;
    std::vector<std::size_t> owners;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const auto& source = *sources[i];
      bool needs_try = !fetched[i].result || prepared[i].error;
      if (!needs_try || round >= source.urls.size()) continue;
      fetch::Request request;
      request.url = source.urls[round];
      auto validators = impl.db.get_validators(request.url);
      request.validators = {validators.etag, validators.last_modified};
      request.proxy = config::effective_proxy(impl.config, source).value_or("");
      request.user_agent = config::effective_user_agent(impl.config, source).value_or("");
      requests.push_back(std::move(request));
      owners.push_back(i);
    }
    if (requests.empty()) break;
    std::size_t fetched_count = 0;
    auto results = client.fetch_all(requests, [&](std::size_t k, const auto&) {
      if (options.on_progress)
        options.on_progress("fetch", ++fetched_count, requests.size(), sources[owners[k]]->name);
    });
    for (std::size_t k = 0; k < results.size(); ++k) {
      if (!results[k].ok())
        spdlog::info("{}: {}", sources[owners[k]]->name, results[k].error().message);
      fetched[owners[k]] = {round, std::move(results[k])};
    }

    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t k = next++; k < owners.size(); k = next++) {
        std::size_t i = owners[k];
        prepared[i] = prepare_source(*sources[i], requests[k].url, *fetched[i].result,
                                     config::effective_timezone(impl.config, *sources[i]), now);
      }
    };
    std::size_t thread_count =
        std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), owners.size());
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < thread_count; ++t) threads.emplace_back(worker);
    worker();
    for (auto& thread : threads) thread.join();
  }
  log_stage("fetch and parse");

  // Novelty is decided in config order on this thread, which owns the
  // database.
  CycleReport report;
  std::vector<NewArticle> fresh;
  std::unordered_set<std::string> seen_this_cycle;
  std::vector<std::pair<std::string, fetch::Validators>> validators_to_store;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto& source = *sources[i];
    auto& ready = prepared[i];
    SourceReport source_report;
    source_report.name = source.name;
    source_report.url = source.urls[std::min(fetched[i].url_index, source.urls.size() - 1)];
    source_report.error = ready.error;
    source_report.not_modified = ready.not_modified;

    std::size_t fresh_before = fresh.size();
    for (auto& candidate : ready.candidates) {
      bool duplicate_in_cycle = false;
      for (const auto& key : candidate.keys) duplicate_in_cycle |= seen_this_cycle.count(key) > 0;
      if (duplicate_in_cycle) {
        ++source_report.unchanged;
        continue;
      }
      if (auto existing = impl.find_known(candidate.keys)) {
        if (existing->content_hash != candidate.article.record.content_hash)
          ++source_report.changed;
        else
          ++source_report.unchanged;
        continue;
      }
      for (const auto& key : candidate.keys) seen_this_cycle.insert(key);
      fresh.push_back(std::move(candidate.article));
    }
    source_report.new_articles = fresh.size() - fresh_before;
    if (!ready.error && !ready.not_modified)
      validators_to_store.push_back({source_report.url, fetched[i].result->value().validators});
    if (options.on_progress) options.on_progress("parse", i + 1, sources.size(), source.name);
    report.sources.push_back(std::move(source_report));
  }

  // Write: numbers first (durable before any file bears them), then the
  // temp files, the journal, the renames, and the state that makes it final.
  log_stage("novelty");
  std::set<std::string> touched_sites;
  if (!fresh.empty()) {
    auto first = impl.db.reserve_sequence(fresh.size());
    if (!first) return first.error();
    archive::BatchWriter batch(impl.dir);
    nlohmann::json journal = nlohmann::json::array();
    std::uint64_t seq = *first;
    for (auto& article : fresh) {
      article.record.seq = seq++;
      auto number = archive::article_number(article.record.seq);
      std::optional<std::string_view> title;
      if (!article.record.title.empty()) title = article.record.title;
      article.record.file_name = archive::article_file_name(number, title);
      if (auto status = batch.stage(article_path(article.record.site, article.record.file_name),
                                    article.bytes);
          !status)
        return status.error();
      journal.push_back(to_json(article.record));
      touched_sites.insert(article.record.site);
    }
    if (auto status = archive::write_file_atomically(impl.dir / kJournalName, journal.dump());
        !status)
      return status.error();
    log_stage("stage files");
    if (auto status = batch.commit(); !status) return status.error();
    log_stage("commit files");
    if (auto status = impl.record(fresh); !status) return status.error();
    log_stage("record articles");
  }

  // Validators only now: storing them before the articles were recorded
  // would turn a crash into a 304 that hides the unarchived items forever.
  auto bookkeeping = impl.db.transaction([&]() -> Status {
    for (const auto& [url, validators] : validators_to_store)
      if (auto status = impl.db.set_validators(url, validators.etag, validators.last_modified); !status)
        return status;
    for (const auto& source : report.sources) {
      Status outcome = source.error ? Status(*source.error) : core::ok_status();
      if (auto status = impl.db.record_attempt(source.name, now, outcome, source.new_articles); !status)
        return status;
    }
    return core::ok_status();
  });
  if (!bookkeeping) return bookkeeping.error();

  log_stage("bookkeeping");
  if (!touched_sites.empty()) {
    if (auto status = impl.write_lists(touched_sites); !status) return status.error();
    // The journal goes only now: a kill between recording the articles and
    // rewriting the lists must leave it, or no later run would list them
    // (a run without new articles for a site never rewrites its page).
    std::error_code ignored;
    fs::remove(impl.dir / kJournalName, ignored);
  }
  log_stage("lists");
  return report;
}

}  // namespace newsmirror::mirror
