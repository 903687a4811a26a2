#include "mirror/cycle.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unordered_set>

#include "archive/article_file.hpp"
#include "clean/article_cleaner.hpp"
#include "core/parallel.hpp"
#include "core/time_zone.hpp"
#include "extract/feed_links.hpp"
#include "fetch/http_client.hpp"
#include "mirror/identity.hpp"
#include "mirror/mirror_impl.hpp"
#include "mirror/stage_clock.hpp"
#include "parse/feed_parser.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::mirror {

std::size_t CycleReport::total_new() const {
  std::size_t total = 0;
  for (const auto& source : sources) total += source.new_articles;
  return total;
}

std::size_t CycleReport::failed_count() const {
  return std::count_if(sources.begin(), sources.end(), [](const auto& s) { return s.failed(); });
}

namespace {

std::string entry_link(const core::Entry& entry, const core::Feed& feed) {
  if (entry.link && !entry.link->empty()) return *entry.link;
  // A GUID that is a web address is the article's page (RSS isPermaLink).
  if (entry.id && (entry.id->starts_with("http://") || entry.id->starts_with("https://")))
    return *entry.id;
  return feed.link.value_or("");
}

// What a source's fetch came back with, across its URLs.
struct Fetched {
  std::size_t url_index = 0;
  std::optional<Result<fetch::Response>> result;
};

// An article about to be written.
// An entry parsed and rendered, before novelty is decided.
struct Candidate {
  std::vector<std::string> keys;  // identity keys, the primary first
  IncomingArticle article;             // seq and file name still unset
};

// A source's fetch result turned into candidates (or why there are none).
struct Prepared {
  std::optional<core::Error> error;
  bool not_modified = false;
  std::vector<Candidate> candidates;  // oldest first
  // This thread's CPU time in each part of the work (fetch --timings).
  std::chrono::nanoseconds parse_cpu{0}, clean_cpu{0}, render_cpu{0};
};

// A site's home page given as its feed fails as "not a feed"; when the page
// links its feeds, the error names them, since one of them is what the
// source's url should be.
core::Error explain_not_a_feed(const core::Error& error, const fetch::Response& response,
                               std::string_view page_url) {
  if (error.kind != ErrorKind::not_feed) return error;
  auto links = extract::find_feed_links(response.body, response.content_type, page_url);
  if (links.empty()) return error;
  return core::Error(ErrorKind::not_feed,
                     fmt::format("a web page, not a feed; it links {}: {} — put {} in newsmirror.toml instead",
                                 links.size() == 1 ? "this feed" : "these feeds", extract::describe_feed_links(links),
                                 links.size() == 1 ? "it" : "one of them"));
}

// Thread-safe: touches nothing shared.
// `rules` is null for a source archived as its feed has it (clean = false).
Prepared prepare_source(const config::Source& source, const std::string& url,
                        const Result<fetch::Response>& result, const std::string& time_zone,
                        const clean::CompiledRules* rules, TimePoint now) {
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
  auto cpu_mark = thread_cpu_time();
  // Charges the CPU time since the last call to `part`.
  auto charge = [&cpu_mark](std::chrono::nanoseconds& part) {
    const auto now = thread_cpu_time();
    part += now - cpu_mark;
    cpu_mark = now;
  };
  auto feed = parse::parse_feed(response.body, parse_options);
  charge(prepared.parse_cpu);
  if (!feed) {
    prepared.error = explain_not_a_feed(feed.error(), response, parse_options.base_url).with_context(url);
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
    // Cleaned before hashing, so that what decides "changed" is the article
    // a reader sees; relative URLs resolve against the article's own page.
    charge(prepared.parse_cpu);
    if (rules) {
      record.html = clean::clean_article(record.html, {record.link.empty() ? parse_options.base_url : record.link, rules});
      charge(prepared.clean_cpu);
    }
    auto& article = candidate.article;
    article.record.content_hash = content_hash_of_file(archive::render_article(record));
    charge(prepared.render_cpu);
    article.source = &source;
    article.guid = entry.id;
    article.record.identity = candidate.keys.front();
    article.record.aliases.assign(candidate.keys.begin() + 1, candidate.keys.end());
    article.record.site = source.name;
    article.record.title = record.title;
    article.record.link = record.link;
    article.record.published = record.published;
    article.record.first_seen = now;
    article.content = std::move(record);
    prepared.candidates.push_back(std::move(candidate));
  }
  return prepared;
}

}  // namespace

namespace {

// What novelty decided for the fetched sources, in config order.
struct Novelty {
  CycleReport report;
  std::vector<IncomingArticle> fresh;
  std::vector<ArticleChange> edits;
  // Stored only once the articles are recorded: before, a crash would
  // turn into a 304 that hides the unarchived items forever.
  std::vector<std::pair<std::string, fetch::Validators>> validators;
};

// One run of Mirror::run_cycle, step by step.
class Cycle {
 public:
  Cycle(Mirror::Impl& impl, const CycleOptions& options)
      : impl_(impl), options_(options), now_(options.now ? options.now() : system_now()) {}

  Result<CycleReport> run(Mirror& mirror) {
    impl_.clock = &clock_;
    if (auto status = mirror.recover(options_.look_for_temp_files); !status) return status.error();
    if (auto status = impl_.retry_pending_images(); !status) return status.error();
    if (auto status = impl_.catalog_catch_up(); !status) return status.error();
    clock_.lap("recovery");
    if (auto status = select_sources(); !status) return status.error();
    fetch_and_prepare();
    Novelty novelty = decide_novelty();
    clock_.lap("novelty");
    std::set<std::string> touched_sites;
    // write_new laps its own steps, up to the state.
    if (auto status = impl_.write_new(novelty.fresh, touched_sites); !status) return status.error();
    if (auto status = store_bookkeeping(novelty); !status) return status.error();
    clock_.lap("validators and health");
    if (auto status = impl_.apply_edits(novelty.edits, novelty.report, touched_sites, now_); !status)
      return status.error();
    clock_.lap("edits");
    if (auto status = impl_.finish_lists(touched_sites); !status) return status.error();
    clock_.lap("lists and README");
    // Durable and listed first; search catches up after. The catalog is
    // rebuildable from the files and the state is not, so a catalog that
    // fails here costs search its freshness, never an article: the next
    // cycle's catch-up (or `reindex`) catalogs what it lacks.
    impl_.catalog_new(novelty.fresh);
    novelty.report.catalog_error = impl_.catalog_error;
    novelty.report.timings = clock_.rows();
    for (const auto& row : novelty.report.timings)
      spdlog::debug("cycle: {}: {:.3f} s wall, {:.3f} s CPU", row.stage, row.wall_seconds, row.cpu_seconds);
    return std::move(novelty.report);
  }

 private:
  // The sources that take part: the one asked for, or the enabled ones
  // (those due, when only_due).
  Status select_sources() {
    auto health = impl_.db->health();
    for (const auto& source : impl_.config.sources) {
      if (options_.only_source) {
        if (source.name == *options_.only_source) sources_.push_back(&source);
        continue;
      }
      if (!source.enabled) continue;
      if (options_.only_due && impl_.due_at(source, health, now_) > now_) continue;
      sources_.push_back(&source);
    }
    if (options_.only_source && sources_.empty())
      return Error(ErrorKind::usage, "no source named \"" + *options_.only_source + "\" in " +
                                         config::config_path(impl_.dir).string());
    fetched_.resize(sources_.size());
    prepared_.resize(sources_.size());
    return core::ok_status();
  }

  // Fetches every source's first URL at once, then parses and renders what
  // came back on all cores (the CPU-bound part of a first cycle). A source
  // whose URL failed — no answer, or an answer that is no feed, such as a
  // block page — tries its next URL in the following round.
  void fetch_and_prepare() {
    fetch::Client client(impl_.fetch_options());
    for (std::size_t round = 0;; ++round) {
      std::vector<fetch::Request> requests;
      std::vector<std::size_t> owners;
      for (std::size_t i = 0; i < sources_.size(); ++i) {
        const auto& source = *sources_[i];
        const bool needs_try = !fetched_[i].result || prepared_[i].error;
        if (!needs_try || round >= source.urls.size()) continue;
        requests.push_back(request_for(source, source.urls[round]));
        owners.push_back(i);
      }
      if (requests.empty()) return;
      fetch_round(client, requests, owners, round);
      clock_.lap("fetch");
      core::parallel_for(owners.size(), [&](std::size_t k) { prepare(owners[k], requests[k].url); });
      for (std::size_t i : owners) {
        clock_.add_part("parse", prepared_[i].parse_cpu);
        clock_.add_part("clean", prepared_[i].clean_cpu);
        clock_.add_part("render and hash", prepared_[i].render_cpu);
      }
      clock_.lap("parse, clean and hash");
    }
  }

  fetch::Request request_for(const config::Source& source, const std::string& url) {
    fetch::Request request;
    request.url = url;
    auto validators = impl_.db->get_validators(request.url);
    request.validators = {validators.etag, validators.last_modified};
    request.proxy = config::effective_proxy(impl_.config, source).value_or("");
    request.user_agent = config::effective_user_agent(impl_.config, source).value_or("");
    return request;
  }

  void fetch_round(fetch::Client& client, const std::vector<fetch::Request>& requests,
                   const std::vector<std::size_t>& owners, std::size_t round) {
    std::size_t fetched_count = 0;
    if (options_.on_progress) options_.on_progress("fetch", 0, requests.size(), "");
    auto results = client.fetch_all(requests, [&](std::size_t k, const auto&) {
      if (options_.on_progress)
        options_.on_progress("fetch", ++fetched_count, requests.size(), sources_[owners[k]]->name);
    });
    for (std::size_t k = 0; k < results.size(); ++k) {
      if (!results[k].ok()) spdlog::info("{}: {}", sources_[owners[k]]->name, results[k].error().message);
      fetched_[owners[k]] = {round, std::move(results[k])};
    }
  }

  // Source i's fetch result into candidates. Thread-safe; an exception out
  // of one feed's work (memory it cannot have, a library's throw) costs
  // that feed alone, not the cycle.
  void prepare(std::size_t i, const std::string& url) {
    try {
      prepared_[i] = prepare_source(*sources_[i], url, *fetched_[i].result,
                                    config::effective_timezone(impl_.config, *sources_[i]),
                                    impl_.rules_for(*sources_[i]), now_);
    } catch (const std::bad_alloc&) {
      prepared_[i] = {Error(ErrorKind::too_large, "ran out of memory reading the feed " + url), false, {}};
    } catch (const std::exception& e) {
      prepared_[i] = {Error(ErrorKind::internal, "reading the feed " + url + " failed: " + e.what()), false, {}};
    }
    // The feed's bytes are in its candidates now; only its validators are
    // needed later. Holding every body to the end of the cycle cost as much
    // memory as the feeds themselves.
    if (auto& result = *fetched_[i].result; result.ok()) std::string().swap(result.value().body);
  }

  // Novelty, decided in config order on this thread, which owns the
  // database: each candidate is new, a known article changed, or nothing.
  Novelty decide_novelty() {
    Novelty novelty;
    std::unordered_set<std::string> seen_this_cycle;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      novelty.report.sources.push_back(sort_candidates(i, novelty, seen_this_cycle));
      if (options_.on_progress) options_.on_progress("parse", i + 1, sources_.size(), sources_[i]->name);
    }
    return novelty;
  }

  SourceReport sort_candidates(std::size_t i, Novelty& novelty, std::unordered_set<std::string>& seen_this_cycle) {
    const auto& source = *sources_[i];
    auto& ready = prepared_[i];
    SourceReport report;
    report.name = source.name;
    report.url = source.urls[std::min(fetched_[i].url_index, source.urls.size() - 1)];
    report.error = ready.error;
    report.not_modified = ready.not_modified;
    const std::size_t fresh_before = novelty.fresh.size();
    for (auto& candidate : ready.candidates) {
      bool duplicate_in_cycle = false;
      for (const auto& key : candidate.keys) duplicate_in_cycle |= seen_this_cycle.count(key) > 0;
      if (duplicate_in_cycle) {
        ++report.unchanged;
        continue;
      }
      if (auto existing = impl_.find_known(candidate.keys)) {
        for (const auto& key : candidate.keys) seen_this_cycle.insert(key);
        if (existing->content_hash != candidate.article.record.content_hash)
          novelty.edits.push_back({std::move(*existing), std::move(candidate.article), novelty.report.sources.size()});
        else
          ++report.unchanged;
        continue;
      }
      // A feed of 20,000 items would write them all in one cycle: the
      // oldest `max_new_per_cycle` now, the rest in the cycles after.
      if (novelty.fresh.size() - fresh_before >= static_cast<std::size_t>(impl_.config.max_new_per_cycle)) {
        ++report.deferred;
        continue;
      }
      for (const auto& key : candidate.keys) seen_this_cycle.insert(key);
      novelty.fresh.push_back(std::move(candidate.article));
    }
    report.new_articles = novelty.fresh.size() - fresh_before;
    if (report.deferred > 0)
      spdlog::warn("{}: {} more new entries than max_new_per_cycle ({}) allows; they are archived in the next "
                   "cycles",
                   source.name, report.deferred, impl_.config.max_new_per_cycle);
    // A capped source keeps its old validators, so that the next cycle gets
    // the feed again (not a 304) and finds the rest.
    if (!ready.error && !ready.not_modified && report.deferred == 0)
      novelty.validators.push_back({report.url, fetched_[i].result->value().validators});
    return report;
  }

  // The sources' validators and health, once the articles are recorded.
  Status store_bookkeeping(const Novelty& novelty) {
    return impl_.db->transaction([&]() -> Status {
      for (const auto& [url, validators] : novelty.validators)
        if (auto status = impl_.db->set_validators(url, validators.etag, validators.last_modified); !status)
          return status;
      for (const auto& source : novelty.report.sources) {
        // A feed the user stopped is no failure of its source, and must
        // stay due: it was not fetched.
        if (source.error && source.error->kind == ErrorKind::cancelled) continue;
        Status outcome = source.error ? Status(*source.error) : core::ok_status();
        if (auto status = impl_.db->record_attempt(source.name, now_, outcome, source.new_articles); !status)
          return status;
      }
      return core::ok_status();
    });
  }

  Mirror::Impl& impl_;
  const CycleOptions& options_;
  const TimePoint now_;
  StageClock clock_;
  std::vector<const config::Source*> sources_;
  std::vector<Fetched> fetched_;    // by source
  std::vector<Prepared> prepared_;  // by source
};

}  // namespace

Result<CycleReport> Mirror::run_cycle(const CycleOptions& options) {
  // The flag is the caller's, the clock the cycle's: held for this cycle only.
  impl_->stop = options.stop;
  struct ForgetCycle {
    Impl& impl;
    ~ForgetCycle() {
      impl.stop = nullptr;
      impl.clock = nullptr;
    }
  } forget_cycle{*impl_};
  return Cycle(*impl_, options).run(*this);
}

}  // namespace newsmirror::mirror
