#include "mirror/cycle.hpp"

#include <fmt/format.h>
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
#include "archive/text.hpp"
#include "catalog/catalog.hpp"
#include "catalog/importer.hpp"
#include "clean/article_cleaner.hpp"
#include "core/hash.hpp"
#include "core/mirror_layout.hpp"
#include "core/parallel.hpp"
#include "core/time_zone.hpp"
#include "core/url.hpp"
#include "extract/feed_links.hpp"
#include "fetch/http_client.hpp"
#include "mirror/identity.hpp"
#include "mirror/image_localizer.hpp"
#include "mirror/page_fetcher.hpp"
#include "mirror/site_folders.hpp"
#include "parse/date.hpp"
#include "parse/feed_parser.hpp"
#include "search/plain_text.hpp"
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

// What decides "changed": the hash of an article file's bytes without line
// 1, the publish time (a feed that re-dates an item has not edited it).
std::string content_hash_of_file(std::string_view bytes) {
  const auto first_line_end = bytes.find('\n');
  return core::sha256_hex(first_line_end == std::string_view::npos ? bytes : bytes.substr(first_line_end + 1));
}

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

// What a source's fetch came back with, across its URLs.
struct Fetched {
  std::size_t url_index = 0;
  std::optional<Result<fetch::Response>> result;
};

// An article about to be written.
struct NewArticle {
  state::ArchivedArticle record;
  archive::ArticleRecord content;  // rendered when staged, after full text and images
  const config::Source* source = nullptr;
  std::optional<std::string> guid;  // the feed item's, for numbering = "guid-post-id"
  bool images_pending = false;     // some images stayed remote: try again next cycle
};

// A known article that came back with other content.
struct Edit {
  state::ArchivedArticle known;
  NewArticle incoming;
  std::size_t source_index;  // into CycleReport::sources
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
  auto feed = parse::parse_feed(response.body, parse_options);
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
    if (rules)
      record.html = clean::clean_article(record.html, {record.link.empty() ? parse_options.base_url : record.link, rules});
    auto& article = candidate.article;
    article.record.content_hash = content_hash_of_file(archive::render_article(record));
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

// Cycles that may try an article's remote images again before giving up:
// an image gone for this long is gone for good.
constexpr std::uint32_t kImageAttempts = 10;

struct Mirror::Impl {
  fs::path dir;
  config::Config config;
  state::StateDb db;
  // Each cleaned source's site rules, compiled once; absent for a source
  // archived as its feed has it.
  std::map<std::string, clean::CompiledRules> rules;
  // The catalog when it opened. A damaged catalog costs search and
  // history, never the archive: `newsmirror reindex` rebuilds it.
  std::optional<catalog::Catalog> catalog;
  // Each site's folder under articles/ (Mirror::open checks that the state
  // and the config agree on them).
  SiteFolders folders;
  // The cycle's Ctrl-C flag (CycleOptions::stop), for every fetch it makes:
  // feeds, full-text pages, images. A page or picture cut keeps the feed's
  // text or the picture's URL, as a failed one does.
  const std::atomic<bool>* stop = nullptr;

  std::string folder_of(std::string_view site) const { return folders.folder_of(site); }

  fs::path article_path(std::string_view site, std::string_view file_name) const {
    return core::layout::article_file(folder_of(site), file_name);
  }

  // A site's layout: its source's; a site no source names any more is
  // later when its folder is not its name (the mark of that layout).
  config::Layout layout_of(std::string_view site) const {
    if (const auto* source = source_named(site)) return config::effective_layout(config, *source);
    return folder_of(site) == archive::site_dir_name(site) ? config::Layout::early : config::Layout::later;
  }

  catalog::NewArticle catalog_entry(const state::ArchivedArticle& record,
                                           const archive::ArticleRecord& content, TimePoint fetched_at) {
    catalog::NewArticle entry;
    entry.site = folder_of(record.site);
    entry.file = article_path(record.site, record.file_name).generic_string();
    entry.number = archive::parse_article_number(record.file_name);
    entry.identity = record.identity;
    entry.title = content.title;
    entry.link = content.link;
    entry.published = content.published;
    entry.html = content.html;
    entry.fetched_at = fetched_at;
    return entry;
  }

  // A cycle whose catalog failed (a full disk, say) archived its articles
  // all the same; the state has them and the catalog does not, and no later
  // cycle sees them as new. When the state holds more articles than the
  // catalog, the files it lacks are cataloged in place, as `import` does
  // (files already cataloged are skipped by their size and time).
  Status catalog_catch_up() {
    if (!catalog) return core::ok_status();
    std::uint64_t recorded = 0;
    for (const auto& count : db.site_summaries()) recorded += count.articles;
    const std::size_t cataloged = catalog->article_count();
    if (recorded <= cataloged) return core::ok_status();
    spdlog::info("catalog: {} articles behind the state; cataloging their files", recorded - cataloged);
    catalog::ImportOptions options;
    options.mirror = dir;
    options.identity = [this](std::string_view folder, std::string_view link) {
      return link_key(folders.site_in(folder), link);
    };
    auto imported = catalog::import_articles(*catalog, options);
    if (!imported) catalog_failed(imported.error());
    return core::ok_status();
  }

  void catalog_failed(const core::Error& error) {
    spdlog::error("catalog: {}; the archive is intact, run `newsmirror reindex` to rebuild the catalog",
                  error.message);
    catalog.reset();
  }

  // New articles into the catalog (and its search index), prepared on all
  // cores and written in one transaction.
  void catalog_new(const std::vector<NewArticle>& fresh) {
    if (!catalog || fresh.empty()) return;
    std::vector<catalog::PreparedArticle> prepared(fresh.size());
    core::parallel_for(fresh.size(), [&](std::size_t i) {
      prepared[i] = catalog::prepare_article(catalog_entry(fresh[i].record, fresh[i].content, fresh[i].record.first_seen));
    });
    auto status = catalog->transaction([&]() -> Status {
      for (const auto& article : prepared) {
        // A file cataloged already (a cycle that died after this point) is fine.
        if (catalog->find_by_file(article.article.file)) continue;
        if (auto id = catalog->record_prepared(article); !id) return id.error();
      }
      return core::ok_status();
    });
    if (!status) catalog_failed(status.error());
  }

  // The catalog's row for an archived article, cataloging its file as it
  // is now (its first version) when the catalog does not know it yet.
  std::optional<catalog::ArticleId> catalog_id(const state::ArchivedArticle& known) {
    auto file = article_path(known.site, known.file_name);
    if (auto article = catalog->find_by_file(file.generic_string())) return article->id;
    std::ifstream in(dir / file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto content = archive::read_article(bytes);
    if (!in.good() && !in.eof()) return std::nullopt;
    if (!content) return std::nullopt;
    content->html = archive::flatten_html(content->html);
    auto id = catalog->record_new_article(catalog_entry(known, *content, known.first_seen));
    if (!id) {
      catalog_failed(id.error());
      return std::nullopt;
    }
    return *id;
  }

  // New articles into files and state: numbers first (durable before any
  // file bears them), then the temp files, the journal, the renames, and the
  // state that makes it final. Full text and local images come before the
  // first write, so a file is written once.
  Status write_new(std::vector<NewArticle>& fresh, std::set<std::string>& touched_sites) {
    if (fresh.empty()) return core::ok_status();
    fill_full_text(fresh);
    if (auto status = number_articles(fresh); !status) return status;
    localize_images(fresh);
    archive::BatchWriter batch(dir);
    nlohmann::json journal = nlohmann::json::array();
    for (auto& article : fresh) {
      auto path = article_path(article.record.site, article.record.file_name);
      if (auto status = batch.stage(path, archive::render_article(article.content)); !status) return status;
      journal.push_back(to_json(article.record));
      touched_sites.insert(article.record.site);
    }
    if (auto status = archive::write_file_atomically(dir / core::layout::kCycleJournal, journal.dump()); !status) return status;
    if (auto status = batch.commit(); !status) return status;
    if (auto status = record(fresh); !status) {
      // The files are in place and the journal names them: what recovers
      // from a kill here recovers from this error too, now rather than at
      // the next start, so that no file stays that the state does not know.
      if (auto recovered = recover_journal(); !recovered)
        spdlog::error("{}; the next run will finish it", recovered.error().message);
      return status;
    }
    for (const auto& article : fresh)
      if (article.images_pending)
        if (auto status = db.set_images_pending(article.record.site, article.record.file_name, true); !status)
          return status;
    return core::ok_status();
  }

  // Each site numbers its own articles (docs/archive-format.md): by the
  // post id in the GUID where the source says so and the number is free,
  // else counting down below the site's smallest number. Oldest first, as
  // `fresh` comes, so a newer article gets a smaller number. A number is
  // durable in the state before any file bears it, and a target that exists
  // on disk (a file the state never knew) is passed over, never replaced.
  Status number_articles(std::vector<NewArticle>& fresh) {
    std::map<std::string, std::vector<NewArticle*>> by_site;
    for (auto& article : fresh) by_site[article.record.site].push_back(&article);
    for (auto& [site, articles] : by_site) {
      const bool titled = layout_of(site) == config::Layout::early;
      auto name_of = [&](const NewArticle& article, std::uint64_t seq) {
        std::optional<std::string_view> title;
        if (titled && !article.record.title.empty()) title = article.record.title;
        return archive::article_file_name(archive::article_number(seq), title);
      };
      // Free when no file bears the name, and the catalog (which knows every
      // file, titled or not) has no file of the site under the number.
      const auto folder = folder_of(site);
      auto free_on_disk = [&](const NewArticle& article, std::uint64_t seq) {
        std::error_code ec;
        if (fs::exists(dir / article_path(site, name_of(article, seq)), ec) || ec) return false;
        return !catalog || catalog->find_by_number(folder, archive::article_number(seq)).empty();
      };
      // Numbers given in this batch: not recorded yet, so the state cannot
      // tell that two items carrying one post id would share a file.
      std::set<std::uint64_t> given;
      std::vector<NewArticle*> counted;
      for (auto* article : articles) {
        std::optional<std::uint64_t> post_id;
        if (article->source && article->source->numbering == config::Numbering::guid_post_id && article->guid)
          post_id = archive::guid_post_id(*article->guid);
        if (post_id && !given.count(*post_id) && free_on_disk(*article, *post_id)) {
          auto claimed = db.claim_site_sequence(site, *post_id);
          if (!claimed) return claimed.error();
          if (*claimed) {
            given.insert(*post_id);
            article->record.seq = *post_id;
            article->record.file_name = name_of(*article, *post_id);
            continue;
          }
        }
        counted.push_back(article);
      }
      // The rest count down from numbers reserved for them, passing over
      // any that a file the state never knew already bears; more are
      // reserved when those run out, so every number is durable first.
      std::uint64_t next = 0, end = 0;
      for (auto* article : counted) {
        for (;;) {
          if (next == end) {
            auto first = db.reserve_site_sequence(site, counted.size());
            if (!first) return first.error();
            next = *first;
            end = *first + counted.size();
          }
          const std::uint64_t seq = next++;
          if (free_on_disk(*article, seq)) {
            article->record.seq = seq;
            article->record.file_name = name_of(*article, seq);
            break;
          }
          spdlog::warn("{}: {} exists but the mirror's state does not know it; numbering past it", site,
                       article_path(site, name_of(*article, seq)).string());
        }
      }
    }
    return core::ok_status();
  }

  // Lists and README for the sites that changed, then the journal goes: a
  // kill between recording the articles and rewriting the lists must leave
  // it, or no later run would list them (a run without new articles for a
  // site never rewrites its page).
  Status finish_lists(const std::set<std::string>& touched_sites) {
    if (touched_sites.empty()) return core::ok_status();
    if (auto status = write_lists(touched_sites); !status) return status;
    std::error_code ignored;
    fs::remove(dir / core::layout::kCycleJournal, ignored);
    return core::ok_status();
  }

  // Known articles whose content changed. The catalog holds every version,
  // so the file can take the new one: the catalog first holds the current
  // file (as version 1 if it never saw it), then the file is rewritten, then
  // the new version is recorded — a kill in between redoes the edit next
  // cycle, and no version is ever only in a file that was overwritten.
  // Without a catalog, the file keeps its first version.
  Status apply_edits(std::vector<Edit>& edits, CycleReport& report, std::set<std::string>& touched_sites,
                     TimePoint now) {
    if (edits.empty()) return core::ok_status();
    std::vector<NewArticle> incoming;
    for (auto& edit : edits) {
      edit.incoming.record.site = edit.known.site;
      edit.incoming.record.file_name = edit.known.file_name;
      incoming.push_back(std::move(edit.incoming));
    }
    fill_full_text(incoming);
    localize_images(incoming);
    for (std::size_t i = 0; i < edits.size(); ++i) {
      const auto& known = edits[i].known;
      auto& source_report = report.sources[edits[i].source_index];
      if (reads_the_same(known, incoming[i].content)) {
        // Only the markup moved (cleaning an adopted raw article, a new
        // image host): the publisher did not edit the story, and a reader
        // must not be told so. The file stays; the state takes the new hash
        // so that the next cycle does not compare again.
        if (auto status = db.accept_content_hash(known.identity, incoming[i].record.content_hash); !status)
          return status;
        ++source_report.unchanged;
        continue;
      }
      if (!catalog) {
        ++source_report.changed;
        continue;
      }
      auto id = catalog_id(known);
      if (!id) {
        ++source_report.changed;
        continue;
      }
      auto& article = incoming[i];
      auto file = article_path(known.site, known.file_name);
      auto bytes = archive::render_article(article.content);
      if (auto status = archive::refuse_symlinked_folders(dir, file); !status) return status;
      if (auto status = archive::write_file_atomically(dir / file, bytes); !status) return status;
      auto differs = catalog->record_version(*id, archive::flatten_html(article.content.html), now, article.content.title);
      if (!differs) {
        catalog_failed(differs.error());
        ++source_report.changed;
        continue;
      }
      if (!*differs) {
        ++source_report.unchanged;
        continue;
      }
      if (auto status = db.mark_changed(known.identity, article.record.content_hash, now); !status) return status;
      if (article.images_pending)
        if (auto status = db.set_images_pending(known.site, known.file_name, true); !status) return status;
      ++source_report.changed;
      touched_sites.insert(known.site);
    }
    return core::ok_status();
  }

  // Whether `incoming` reads as the archived file does: the same title and
  // the same visible text once both are cleaned alike (an adopted file was
  // archived raw; the feed's copy is cleaned now). A file that cannot be
  // read is not the same.
  bool reads_the_same(const state::ArchivedArticle& known, const archive::ArticleRecord& incoming) const {
    std::ifstream in(dir / article_path(known.site, known.file_name), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return false;
    auto current = archive::read_article(bytes);
    if (!current) return false;
    if (archive::text::trim_ascii(archive::single_line(current->title)) !=
        archive::text::trim_ascii(archive::single_line(incoming.title)))
      return false;
    std::string current_html = archive::flatten_html(current->html);
    const auto* source = source_named(known.site);
    if (source && config::effective_clean(config, *source))
      current_html = clean::clean_article(current_html, {current->link, rules_for(*source)});
    return search::visible_text(current_html) == search::visible_text(archive::flatten_html(incoming.html));
  }

  const clean::CompiledRules* rules_for(const config::Source& source) const {
    auto found = rules.find(source.name);
    return found == rules.end() ? nullptr : &found->second;
  }

  const config::Source* source_named(std::string_view name) const {
    return config::find_source(config, name);
  }

  fetch::Options image_fetch_options() const {
    auto options = fetch_options();
    options.max_body_bytes = static_cast<std::size_t>(config.image_max_bytes);
    return options;
  }

  // Full-text sources: the entry's page replaces the feed's summary when
  // the extractor finds an article there; otherwise the summary stays (an
  // article is never lost to a page that would not load).
  void fill_full_text(std::vector<NewArticle>& fresh) {
    std::vector<PageRequest> requests;
    std::vector<NewArticle*> owners;
    for (auto& article : fresh) {
      if (!article.source->full_text || article.content.link.empty()) continue;
      requests.push_back({article.content.link,
                          config::effective_proxy(config, *article.source).value_or(""),
                          config::effective_user_agent(config, *article.source).value_or(""),
                          !article.source->allow_private});
      owners.push_back(&article);
    }
    if (requests.empty()) return;
    auto pages = fetch_pages(requests, fetch_options());
    for (std::size_t i = 0; i < pages.size(); ++i) {
      auto& article = *owners[i];
      if (!pages[i]) {
        spdlog::info("{}: full text of {}: {}; keeping the feed's text", article.source->name,
                     requests[i].url, pages[i].error().message);
        continue;
      }
      const auto& page = pages[i].value();
      if (config::effective_clean(config, *article.source))
        article.content.html = clean::clean_article(page.article.content_html, {page.url, rules_for(*article.source)});
      else
        article.content.html = page.article.content_html;
    }
  }

  // Local images: each new article of such a source gets its pictures
  // stored under assets/ before its file is first written.
  void localize_images(std::vector<NewArticle>& fresh) {
    std::vector<ImageJob> jobs;
    std::vector<NewArticle*> owners;
    for (auto& article : fresh) {
      if (config::effective_images(config, *article.source) != config::ImageMode::local) continue;
      jobs.push_back({article_path(article.record.site, article.record.file_name).generic_string(),
                      article.content.html,
                      config::effective_proxy(config, *article.source).value_or(""),
                      config::effective_user_agent(config, *article.source).value_or(""),
                      !article.source->allow_private});
      owners.push_back(&article);
    }
    if (jobs.empty()) return;
    ImageLocalizer localizer(dir, image_fetch_options());
    auto results = localizer.localize(jobs);
    for (std::size_t i = 0; i < results.size(); ++i) {
      owners[i]->content.html = std::move(results[i].html);
      owners[i]->images_pending = results[i].remote_left > 0;
    }
  }

  // Articles whose images stayed remote in an earlier cycle: try them
  // again and rewrite the file when any more became local.
  Status retry_pending_images() {
    auto pending = db.images_pending(kImageAttempts);
    if (pending.empty()) return core::ok_status();
    std::vector<ImageJob> jobs;
    std::vector<archive::ArticleRecord> records;
    std::vector<const state::PendingImages*> owners;
    for (const auto& item : pending) {
      const auto* source = source_named(item.site);
      auto relative = article_path(item.site, item.file_name);
      std::ifstream in(dir / relative, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto record = archive::read_article(bytes);
      if (!in || !record) {
        // The file is gone or unreadable: nothing left to localize.
        if (auto status = db.set_images_pending(item.site, item.file_name, false); !status) return status;
        continue;
      }
      jobs.push_back({relative.generic_string(), record->html,
                      source ? config::effective_proxy(config, *source).value_or("") : "",
                      source ? config::effective_user_agent(config, *source).value_or("") : "",
                      !(source && source->allow_private)});
      records.push_back(std::move(*record));
      owners.push_back(&item);
    }
    if (jobs.empty()) return core::ok_status();
    ImageLocalizer localizer(dir, image_fetch_options());
    auto results = localizer.localize(jobs);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& item = *owners[i];
      if (results[i].localized > 0) {
        records[i].html = std::move(results[i].html);
        auto status = archive::refuse_symlinked_folders(dir, jobs[i].article_path);
        if (status) status = archive::write_file_atomically(dir / jobs[i].article_path, archive::render_article(records[i]));
        if (!status) return status;
      }
      if (auto status = db.set_images_pending(item.site, item.file_name, results[i].remote_left > 0); !status)
        return status;
    }
    return core::ok_status();
  }

  fetch::Options fetch_options() const {
    fetch::Options options;
    options.max_transfers = config.concurrency;
    options.max_per_host = config.per_host;
    options.connect_timeout = config.connect_timeout;
    options.total_timeout = config.timeout;
    options.cancel = stop;
    options.ca_file = config::ca_file_path(config, dir);
    return options;
  }

  archive::ListStyle list_style(std::string_view site) const {
    archive::ListStyle style;
    const auto layout = layout_of(site);
    style.max_entries = static_cast<std::size_t>(config::effective_list_entries(config, layout));
    style.footer = config::effective_list_footer(config, layout);
    if (auto zone = core::TimeZone::from_name(config.timezone)) style.zone = *zone;
    auto folder = folder_of(site);
    if (folder != archive::site_dir_name(site)) style.folder = std::move(folder);
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
    archive::BatchWriter batch(dir);
    for (const auto& site : sites)
      if (auto status = batch.stage(list_path(site), render_list(site)); !status) return status;
    if (auto status = batch.stage(std::string(core::layout::kReadme), render_readme()); !status) return status;
    return batch.commit();
  }

  static fs::path list_path(std::string_view site) { return core::layout::list_file(archive::site_dir_name(site)); }

  // A site's list page as the state has it.
  std::string render_list(const std::string& site) {
    auto style = list_style(site);
    std::vector<archive::ListItem> items;
    for (auto& article : db.newest(site, style.max_entries))
      items.push_back({article.published, article.title, article.file_name});
    return archive::render_list_page(site, items, style);
  }

  std::map<std::string, std::string> expected_lists() {
    std::map<std::string, std::string> pages;
    for (const auto& site : all_sites()) pages[list_path(site).generic_string()] = render_list(site);
    pages[std::string(core::layout::kReadme)] = render_readme();
    return pages;
  }

  // Every site the state has articles of (a site without any has no page).
  std::set<std::string> all_sites() {
    std::set<std::string> sites;
    for (const auto& count : db.site_summaries()) sites.insert(count.site);
    return sites;
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

  // Finishes what the journal of an interrupted (or failed) commit names:
  // see docs/ARCHITECTURE.md.
  Status recover_journal() {
    auto journal = dir / core::layout::kCycleJournal;
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
          const auto path = dir / article_path(article.site, article.file_name);
          if (!fs::exists(path)) continue;
          // Recorded already (killed after the commit point) still means its
          // site's list page and the README may not show it yet.
          sites.insert(article.site);
          if (auto known = db.find(article.identity)) {
            // Another file holds the article (a writer that raced this one):
            // this copy was never recorded nor listed, and must not stay.
            const auto holder = dir / article_path(known->site, known->file_name);
            std::error_code ec;
            if (holder != path && fs::exists(holder, ec)) {
              spdlog::warn("{}: a second copy of {}; removing it", path.string(), holder.string());
              fs::remove(path, ec);
            }
            continue;
          }
          finished.push_back(std::move(article));
        }
      }
      if (!finished.empty()) {
        spdlog::info("recovering {} article(s) written by an interrupted cycle", finished.size());
        if (auto status = db.record_articles(finished); !status) return status;
        if (catalog)
          for (const auto& article : finished) catalog_id(article);
      }
      if (!sites.empty())
        if (auto status = write_lists(sites); !status) return status;
      std::error_code ignored;
      fs::remove(journal, ignored);
    }
    return core::ok_status();
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

namespace {

// The state and the config must agree on each site's folder. A source
// whose configured folder is not where its articles already are, or is
// another site's, is a configuration error (the articles would be split
// over two folders, or two counters would share one); a configured folder
// the state has not recorded yet is recorded now.
Status agree_on_site_folders(const config::Config& config, const fs::path& file, state::StateDb& db) {
  std::map<std::string, std::string, std::less<>> folders;
  for (auto& [site, folder] : db.site_folders()) folders.emplace(std::move(site), std::move(folder));
  std::set<std::string> with_articles;
  for (const auto& count : db.site_summaries())
    if (count.articles > 0) with_articles.insert(count.site);
  // The folder each site with articles uses now; a source may not take
  // another site's (two counters in one folder would collide).
  std::map<std::string, std::string> site_in_folder;
  for (const auto& site : with_articles) {
    auto recorded = folders.find(site);
    site_in_folder.emplace(recorded != folders.end() ? recorded->second : archive::site_dir_name(site), site);
  }
  for (const auto& source : config.sources) {
    const auto wanted = source.folder.value_or(archive::site_dir_name(source.name));
    if (auto other = site_in_folder.find(wanted); other != site_in_folder.end() && other->second != source.name)
      return Error(ErrorKind::config,
                   fmt::format("{}: source \"{}\": articles/{} holds the articles of \"{}\" already; give the "
                               "source a folder of its own",
                               file.string(), source.name, wanted, other->second));
    auto recorded = folders.find(source.name);
    const std::string current =
        recorded != folders.end() ? recorded->second : archive::site_dir_name(source.name);
    if (current == wanted) continue;
    if (recorded != folders.end() || with_articles.count(source.name))
      return Error(ErrorKind::config,
                   fmt::format("{}: source \"{}\": folder \"{}\", but its articles are in articles/{}; "
                               "set folder = \"{}\" (moving published files would break their links)",
                               file.string(), source.name, wanted, current, current));
    if (auto status = db.set_site_folder(source.name, wanted); !status) return status;
  }
  return core::ok_status();
}

}  // namespace

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
    auto folder = source.folder.value_or(archive::site_dir_name(source.name));
    if (folder != archive::site_dir_name(folder))
      return Error(ErrorKind::config, file.string() + ": source \"" + source.name + "\": folder \"" + folder +
                                          "\" is not a name a folder can safely have; use \"" +
                                          archive::site_dir_name(folder) + "\"");
    auto [it, inserted] = folders.emplace(folder, source.name);
    if (!inserted)
      return Error(ErrorKind::config, file.string() + ": sources \"" + it->second + "\" and \"" +
                                          source.name + "\" would share the folder articles/" +
                                          it->first + "; rename one of them");
  }
  // The selectors were checked when the file was read; compiling them once
  // here serves every article of the source.
  std::map<std::string, clean::CompiledRules> rules;
  for (const auto& source : config->sources) {
    if (!config::effective_clean(*config, source)) continue;
    auto compiled = clean::compile(source.rules);
    if (!compiled)
      return Error(ErrorKind::config, file.string() + ": source \"" + source.name + "\": " + compiled.error().message);
    rules.emplace(source.name, std::move(*compiled));
  }
  auto db = state::StateDb::open(dir);
  if (!db) return db.error();
  if (auto agreed = agree_on_site_folders(*config, file, *db); !agreed) return agreed.error();
  SiteFolders site_folders(db->site_folders(), *config);
  auto impl = std::make_unique<Impl>(
      Impl{dir, std::move(*config), std::move(*db), std::move(rules), std::nullopt, std::move(site_folders)});
  if (auto catalog = catalog::Catalog::open(dir))
    impl->catalog.emplace(std::move(*catalog));
  else
    impl->catalog_failed(catalog.error());
  return Mirror(std::move(impl));
}

Status Mirror::recover() {
  auto& impl = *impl_;
  if (auto status = impl.recover_journal(); !status) return status;
  auto removed = archive::remove_stale_temp_files(impl.dir);
  if (!removed) return removed.error();
  if (*removed > 0) spdlog::info("removed {} temporary file(s) left by an interrupted run", *removed);
  return core::ok_status();
}

Result<std::size_t> Mirror::adopt(const std::vector<catalog::Article>& articles, ListPages lists) {
  auto& impl = *impl_;
  std::vector<state::ArchivedArticle> unknown;
  std::set<std::string> identities;  // taken in this batch
  for (const auto& article : articles) {
    // The catalog names a site by its folder, the state by the site's name.
    const std::string site = impl.folders.site_in(article.site);
    const std::string file_name = fs::path(article.file).filename().string();
    if (impl.db.knows_file(site, file_name)) continue;
    // The key a feed item of the site with the same link has. An article
    // without a link is known by its file: no item can match it, but its
    // number is taken like any other. Old mirrors also hold one story under
    // two numbers: the second file is still the mirror's, listed and
    // counted, known by its file.
    std::string identity = "file:" + site + "\x1f" + file_name;
    if (!article.link.empty()) {
      auto by_link = link_key(site, article.link);
      if (!impl.db.find(by_link) && identities.insert(by_link).second) identity = std::move(by_link);
    }
    state::ArchivedArticle record;
    record.identity = identity;
    record.site = site;
    record.file_name = file_name;
    record.seq = article.number ? archive::sequence_of_number(*article.number) : 0;
    record.title = article.title;
    record.link = article.link;
    record.published = article.published.value_or(article.first_seen);
    record.first_seen = article.first_seen;
    std::ifstream in(impl.dir / article.file, std::ios::binary);
    if (!in) {
      // Gone since it was cataloged: it costs only itself.
      spdlog::warn("{}: cannot be read; the mirror does not record it", (impl.dir / article.file).string());
      continue;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    record.content_hash = content_hash_of_file(bytes);  // as a cycle hashes what it writes
    unknown.push_back(std::move(record));
  }
  if (auto recorded = impl.db.record_articles(unknown); !recorded) return recorded.error();
  if (lists == ListPages::rewrite && !unknown.empty()) {
    std::set<std::string> sites;
    for (const auto& article : unknown) sites.insert(article.site);
    if (auto status = impl.write_lists(sites); !status) return status.error();
  }
  return unknown.size();
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
  // The flag is the caller's: held for this cycle only.
  impl.stop = options.stop;
  struct ForgetStop {
    Impl& impl;
    ~ForgetStop() { impl.stop = nullptr; }
  } forget_stop{impl};
  const auto now = options.now ? options.now() : system_now();
  const auto started = std::chrono::steady_clock::now();
  auto log_stage = [&](std::string_view stage) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    spdlog::debug("cycle: {} done at {} ms", stage, elapsed.count());
  };
  if (auto status = recover(); !status) return status.error();
  if (auto status = impl.retry_pending_images(); !status) return status.error();
  if (auto status = impl.catalog_catch_up(); !status) return status.error();
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
    if (options.on_progress) options.on_progress("fetch", 0, requests.size(), "");
    auto results = client.fetch_all(requests, [&](std::size_t k, const auto&) {
      if (options.on_progress)
        options.on_progress("fetch", ++fetched_count, requests.size(), sources[owners[k]]->name);
    });
    for (std::size_t k = 0; k < results.size(); ++k) {
      if (!results[k].ok())
        spdlog::info("{}: {}", sources[owners[k]]->name, results[k].error().message);
      fetched[owners[k]] = {round, std::move(results[k])};
    }

    core::parallel_for(owners.size(), [&](std::size_t k) {
      std::size_t i = owners[k];
      // An exception out of one feed's work (memory it cannot have, a
      // library's throw) costs that feed alone, not the cycle.
      try {
        prepared[i] = prepare_source(*sources[i], requests[k].url, *fetched[i].result,
                                     config::effective_timezone(impl.config, *sources[i]),
                                     impl.rules_for(*sources[i]), now);
      } catch (const std::bad_alloc&) {
        prepared[i] = {Error(ErrorKind::too_large, "ran out of memory reading the feed " + requests[k].url), false,
                       {}};
      } catch (const std::exception& e) {
        prepared[i] = {Error(ErrorKind::internal, "reading the feed " + requests[k].url + " failed: " + e.what()),
                       false, {}};
      }
    });
  }
  log_stage("fetch and parse");

  // Novelty is decided in config order on this thread, which owns the
  // database.
  CycleReport report;
  std::vector<NewArticle> fresh;
  std::vector<Edit> edits;
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
        for (const auto& key : candidate.keys) seen_this_cycle.insert(key);
        if (existing->content_hash != candidate.article.record.content_hash)
          edits.push_back({std::move(*existing), std::move(candidate.article), report.sources.size()});
        else
          ++source_report.unchanged;
        continue;
      }
      // A feed of 20,000 items would write them all in one cycle: the
      // oldest `max_new_per_cycle` now, the rest in the cycles after.
      if (fresh.size() - fresh_before >= static_cast<std::size_t>(impl.config.max_new_per_cycle)) {
        ++source_report.deferred;
        continue;
      }
      for (const auto& key : candidate.keys) seen_this_cycle.insert(key);
      fresh.push_back(std::move(candidate.article));
    }
    source_report.new_articles = fresh.size() - fresh_before;
    if (source_report.deferred > 0)
      spdlog::warn("{}: {} more new entries than max_new_per_cycle ({}) allows; they are archived in the next "
                   "cycles",
                   source.name, source_report.deferred, impl.config.max_new_per_cycle);
    // A capped source keeps its old validators, so that the next cycle gets
    // the feed again (not a 304) and finds the rest.
    if (!ready.error && !ready.not_modified && source_report.deferred == 0)
      validators_to_store.push_back({source_report.url, fetched[i].result->value().validators});
    if (options.on_progress) options.on_progress("parse", i + 1, sources.size(), source.name);
    report.sources.push_back(std::move(source_report));
  }

  // Write: numbers first (durable before any file bears them), then the
  // temp files, the journal, the renames, and the state that makes it final.
  log_stage("novelty");
  std::set<std::string> touched_sites;
  if (auto status = impl.write_new(fresh, touched_sites); !status) return status.error();
  log_stage("write articles");

  // Validators only now: storing them before the articles were recorded
  // would turn a crash into a 304 that hides the unarchived items forever.
  auto bookkeeping = impl.db.transaction([&]() -> Status {
    for (const auto& [url, validators] : validators_to_store)
      if (auto status = impl.db.set_validators(url, validators.etag, validators.last_modified); !status)
        return status;
    for (const auto& source : report.sources) {
      // A feed the user stopped is no failure of its source, and must stay
      // due: it was not fetched.
      if (source.error && source.error->kind == ErrorKind::cancelled) continue;
      Status outcome = source.error ? Status(*source.error) : core::ok_status();
      if (auto status = impl.db.record_attempt(source.name, now, outcome, source.new_articles); !status)
        return status;
    }
    return core::ok_status();
  });
  if (!bookkeeping) return bookkeeping.error();

  log_stage("bookkeeping");
  impl.catalog_new(fresh);
  if (auto status = impl.apply_edits(edits, report, touched_sites, now); !status) return status.error();
  log_stage("catalog");
  if (auto status = impl.finish_lists(touched_sites); !status) return status.error();
  log_stage("lists");
  return report;
}

}  // namespace newsmirror::mirror

namespace newsmirror::mirror {

std::map<std::string, std::string> Mirror::expected_lists() { return impl_->expected_lists(); }

Status Mirror::rewrite_lists() { return impl_->write_lists(impl_->all_sites()); }

Result<SavedPage> Mirror::save(const std::string& url, const std::string& site) {
  auto& impl = *impl_;
  if (auto status = recover(); !status) return status.error();
  const auto now = system_now();
  auto link = core::url::serialize(url);
  if (!link || !(link->starts_with("http://") || link->starts_with("https://")))
    return Error(ErrorKind::usage, "\"" + url + "\" is not an http:// or https:// URL");

  PageRequest request{*link, impl.config.proxy.value_or(""), impl.config.user_agent.value_or(""),
                      /*public_only=*/false};
  auto pages = fetch_pages({request}, impl.fetch_options());
  if (!pages.front()) return pages.front().error().with_context("nothing was saved");
  const auto& page = pages.front().value();

  archive::ArticleRecord content;
  content.link = *link;
  content.title = archive::single_line(page.article.title.value_or(*link));
  content.published = now;
  if (page.article.published)
    if (auto published = parse::parse_date(*page.article.published, core::TimeZone())) content.published = *published;
  content.html = impl.config.clean ? clean::clean_article(page.article.content_html, {page.url, nullptr})
                                   : page.article.content_html;

  core::Entry entry;
  entry.link = *link;
  entry.title = content.title;
  NewArticle article;
  auto keys = identity_keys(site, entry);
  article.record.content_hash = content_hash_of_file(archive::render_article(content));
  article.record.identity = keys.front();
  article.record.aliases.assign(keys.begin() + 1, keys.end());
  article.record.site = site;
  article.record.title = content.title;
  article.record.link = content.link;
  article.record.published = content.published;
  article.record.first_seen = now;
  article.content = std::move(content);
  // A saved page follows the mirror-wide settings: it has no source.
  config::Source settings;
  settings.name = site;
  article.source = &settings;

  SavedPage saved;
  std::set<std::string> touched;
  if (auto known = impl.find_known(keys)) {
    saved.file = impl.article_path(known->site, known->file_name).generic_string();
    if (known->content_hash != article.record.content_hash) {
      CycleReport report;
      report.sources.push_back({});
      std::vector<Edit> edits;
      edits.push_back({*known, std::move(article), 0});
      if (auto status = impl.apply_edits(edits, report, touched, now); !status) return status.error();
      saved.changed = report.sources.front().changed > 0;
    }
  } else {
    std::vector<NewArticle> fresh;
    fresh.push_back(std::move(article));
    if (auto status = impl.write_new(fresh, touched); !status) return status.error();
    impl.catalog_new(fresh);
    saved.file = impl.article_path(site, fresh.front().record.file_name).generic_string();
    saved.is_new = true;
  }
  if (auto status = impl.finish_lists(touched); !status) return status.error();
  return saved;
}

}  // namespace newsmirror::mirror
