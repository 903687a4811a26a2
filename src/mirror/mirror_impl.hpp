// The inside of a Mirror (mirror.hpp), shared by the files that implement
// it: mirror.cpp (opening, adopting, the sources), mirror_commit.cpp (the
// write path and its journal), mirror_catalog.cpp (the catalog's side of a
// cycle, edits), full_text_and_images.cpp, cycle.cpp and save.cpp.
// Internal to src/mirror.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "archive/list_page.hpp"
#include "catalog/catalog.hpp"
#include "clean/site_rules.hpp"
#include "config/config.hpp"
#include "core/mirror_layout.hpp"
#include "core/result.hpp"
#include "fetch/http_client.hpp"
#include "mirror/mirror.hpp"
#include "mirror/site_folders.hpp"
#include "mirror/stage_clock.hpp"
#include "state/state_db.hpp"

namespace newsmirror::mirror {

namespace fs = std::filesystem;

using core::Error;
using core::ErrorKind;
using core::Result;
using core::Status;
using core::TimePoint;

// What decides "changed": the hash of an article file's bytes without line
// 1, the publish time (a feed that re-dates an item has not edited it).
std::string content_hash_of_file(std::string_view bytes);

// The wall clock, to the millisecond, as the archive records times.
TimePoint system_now();

// Cycles that may try an article's remote images again before giving up:
// an image gone for this long is gone for good.
constexpr std::uint32_t kImageAttempts = 10;

// An article about to be written.
struct IncomingArticle {
  state::ArchivedArticle record;
  archive::ArticleRecord content;  // rendered when staged, after full text and images
  const config::Source* source = nullptr;
  std::optional<std::string> guid;  // the feed item's, for numbering = "guid-post-id"
  bool images_pending = false;     // some images stayed remote: try again next cycle
};

// A known article that came back with other content.
struct ArticleChange {
  state::ArchivedArticle known;
  IncomingArticle incoming;
  std::size_t source_index;  // into CycleReport::sources
};

struct Mirror::Impl {
  fs::path dir;
  config::Config config;
  std::unique_ptr<state::StateDb> db;
  // Each cleaned source's site rules, compiled once; absent for a source
  // archived as its feed has it.
  std::map<std::string, clean::CompiledRules> rules;
  // The catalog when it opened. A damaged catalog costs search and
  // history, never the archive: `newsmirror reindex` rebuilds it.
  std::unique_ptr<catalog::Catalog> catalog;
  // Why the catalog was dropped, if it was (CycleReport::catalog_error).
  std::optional<core::Error> catalog_error;
  // Each site's folder under articles/ (Mirror::open checks that the state
  // and the config agree on them).
  SiteFolders folders;
  // The cycle's Ctrl-C flag (CycleOptions::stop), for every fetch it makes:
  // feeds, full-text pages, images. A page or picture cut keeps the feed's
  // text or the picture's URL, as a failed one does.
  const std::atomic<bool>* stop = nullptr;
  // The running cycle's clock (fetch --timings); null outside a cycle.
  StageClock* clock = nullptr;

  // Ends a timed step of the running cycle, if any (StageClock::lap).
  void lap(std::string_view stage) {
    if (clock) clock->lap(stage);
  }

  std::string folder_of(std::string_view site) const { return folders.folder_of(site); }

  fs::path article_path(std::string_view site, std::string_view file_name) const;

  // A site's layout: its source's; a site no source names any more is
  // later when its folder is not its name (the mark of that layout).
  config::Layout layout_of(std::string_view site) const;

  catalog::NewArticle catalog_entry(const state::ArchivedArticle& record,
                                           const archive::ArticleRecord& content, TimePoint fetched_at);

  // A cycle whose catalog failed (a full disk, say) archived its articles
  // all the same; the state has them and the catalog does not, and no later
  // cycle sees them as new. When the state holds more articles than the
  // catalog, the files it lacks are cataloged in place, as `import` does
  // (files already cataloged are skipped by their size and time).
  Status catalog_catch_up();

  // Drops the catalog for the rest of this Mirror's life, saying why: the
  // archive goes on, and the cycle reports the failure (exit status 3).
  void catalog_failed(const core::Error& error);

  // New articles into the catalog (and its search index): prepared on
  // worker threads while this one writes them, in one transaction.
  void catalog_new(const std::vector<IncomingArticle>& fresh);

  // The catalog's row for an archived article, cataloging its file as it
  // is now (its first version) when the catalog does not know it yet.
  std::optional<catalog::ArticleId> catalog_id(const state::ArchivedArticle& known);

  // New articles into files and state: numbers first (durable before any
  // file bears them), then the temp files, the journal, the renames, and the
  // state that makes it final. Full text and local images come before the
  // first write, so a file is written once.
  Status write_new(std::vector<IncomingArticle>& fresh, std::set<std::string>& touched_sites);

  // Each site numbers its own articles (docs/archive-format.md): by the
  // post id in the GUID where the source says so and the number is free,
  // else counting down below the site's smallest number. Oldest first, as
  // `fresh` comes, so a newer article gets a smaller number. A number is
  // durable in the state before any file bears it, and a target that exists
  // on disk (a file the state never knew) is passed over, never replaced.
  Status number_articles(std::vector<IncomingArticle>& fresh);

  // Lists and README for the sites that changed, then the journal goes: a
  // kill between recording the articles and rewriting the lists must leave
  // it, or no later run would list them (a run without new articles for a
  // site never rewrites its page).
  Status finish_lists(const std::set<std::string>& touched_sites);

  // Known articles whose content changed. The catalog holds every version,
  // so the file can take the new one: the catalog first holds the current
  // file (as version 1 if it never saw it), then the file is rewritten, then
  // the new version is recorded — a kill in between redoes the edit next
  // cycle, and no version is ever only in a file that was overwritten.
  // Without a catalog, the file keeps its first version.
  Status apply_edits(std::vector<ArticleChange>& edits, CycleReport& report, std::set<std::string>& touched_sites,
                     TimePoint now);

  // Whether `incoming` reads as the archived file does: the same title and
  // the same visible text once both are cleaned alike (an adopted file was
  // archived raw; the feed's copy is cleaned now). A file that cannot be
  // read is not the same.
  bool reads_the_same(const state::ArchivedArticle& known, const archive::ArticleRecord& incoming) const;

  const clean::CompiledRules* rules_for(const config::Source& source) const;

  const config::Source* source_named(std::string_view name) const;

  fetch::Options image_fetch_options() const;

  // Full-text sources: the entry's page replaces the feed's summary when
  // the extractor finds an article there; otherwise the summary stays (an
  // article is never lost to a page that would not load).
  void fill_full_text(std::vector<IncomingArticle>& fresh);

  // Local images: each new article of such a source gets its pictures
  // stored under assets/ before its file is first written.
  void localize_images(std::vector<IncomingArticle>& fresh);

  // Articles whose images stayed remote in an earlier cycle: try them
  // again and rewrite the file when any more became local.
  Status retry_pending_images();

  fetch::Options fetch_options() const;

  archive::ListStyle list_style(std::string_view site) const;

  // The archived article any of `keys` names, if there is one.
  std::optional<state::ArchivedArticle> find_known(const std::vector<std::string>& keys);

  // When `source` is next due: its last attempt plus its interval; `now`
  // when it was never tried.
  TimePoint due_at(const config::Source& source, const std::vector<state::SourceHealth>& health,
                   TimePoint now) const;

  // The list pages of `sites` and the README, as one batch: one flush for
  // all of them rather than one fsync per page.
  Status write_lists(const std::set<std::string>& sites);
  // Mirror::adopt, one page of the catalog: records what the state does not
  // know yet; the sites that gained articles.
  struct AdoptedPage {
    std::size_t count = 0;
    std::set<std::string> sites;
  };
  Result<AdoptedPage> adopt_page(const std::vector<catalog::Article>& articles);

  static fs::path list_path(std::string_view site) { return core::layout::list_file(archive::site_dir_name(site)); }

  // A site's list page as the state has it.
  std::string render_list(const std::string& site);

  std::map<std::string, std::string> expected_lists();

  // Every site the state has articles of (a site without any has no page).
  std::set<std::string> all_sites();

  std::string render_readme();

  // Finishes what the journal of an interrupted (or failed) commit names:
  // see docs/ARCHITECTURE.md.
  Status recover_journal();

  Status record(const std::vector<IncomingArticle>& articles);
};

}  // namespace newsmirror::mirror
