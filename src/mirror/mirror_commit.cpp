// The write path of a cycle: numbers, files, the journal, the state, the lists.
#include "mirror/mirror_impl.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "archive/list_page.hpp"
#include "archive/readme_page.hpp"
#include "core/mirror_layout.hpp"
#include "core/read_file.hpp"
#include "state/state_db.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::mirror {

namespace {

// The intent log of a cycle's commit: written (durably) after the articles'
// temp files and before they are renamed into place; removed once the state
// database records them and the list pages and README show them. Its
// presence at start-up means a cycle died in between, and recover() finishes
// the bookkeeping and the lists for every file that made it.

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

}  // namespace

Status Mirror::Impl::write_new(std::vector<IncomingArticle>& fresh, std::set<std::string>& touched_sites) {
  if (fresh.empty()) return core::ok_status();
  fill_full_text(fresh);
  lap("full text");
  if (auto status = number_articles(fresh); !status) return status;
  lap("numbering");
  localize_images(fresh);
  lap("images");
  storage::BatchWriter batch(dir);
  std::vector<fs::path> paths;
  paths.reserve(fresh.size());
  for (const auto& article : fresh) paths.push_back(article_path(article.record.site, article.record.file_name));
  const auto rendered = [&](std::size_t i) { return archive::render_article(fresh[i].content); };
  if (auto status = batch.stage_all(paths, rendered); !status) return status;
  nlohmann::json journal = nlohmann::json::array();
  for (const auto& article : fresh) {
    journal.push_back(to_json(article.record));
    touched_sites.insert(article.record.site);
  }
  lap("render and write temp files");
  if (auto status = storage::write_file_atomically(dir / core::layout::kCycleJournal, journal.dump()); !status) return status;
  lap("journal");
  if (auto status = batch.commit(); !status) return status;
  lap("sync and rename");
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
      if (auto status = db->set_images_pending(article.record.site, article.record.file_name, true); !status)
        return status;
  lap("state");
  return core::ok_status();
}

Status Mirror::Impl::number_articles(std::vector<IncomingArticle>& fresh) {
  std::map<std::string, std::vector<IncomingArticle*>> by_site;
  for (auto& article : fresh) by_site[article.record.site].push_back(&article);
  for (auto& entry : by_site) {
    // Named, not bound: lambdas below capture them (clang 14 cannot
    // capture a structured binding).
    const std::string& site = entry.first;
    auto& articles = entry.second;
    const bool titled = layout_of(site) == config::Layout::early;
    auto name_of = [&](const IncomingArticle& article, std::uint64_t seq) {
      std::optional<std::string_view> title;
      if (titled && !article.record.title.empty()) title = article.record.title;
      return archive::article_file_name(archive::article_number(seq), title);
    };
    // Free when no file bears the name, and the catalog (which knows every
    // file, titled or not) has no file of the site under the number.
    const auto folder = folder_of(site);
    auto free_on_disk = [&](const IncomingArticle& article, std::uint64_t seq) {
      std::error_code ec;
      if (fs::exists(dir / article_path(site, name_of(article, seq)), ec) || ec) return false;
      return !catalog || catalog->find_by_number(folder, archive::article_number(seq)).empty();
    };
    // Numbers given in this batch: not recorded yet, so the state cannot
    // tell that two items carrying one post id would share a file.
    std::set<std::uint64_t> given;
    std::vector<IncomingArticle*> counted;
    for (auto* article : articles) {
      std::optional<std::uint64_t> post_id;
      if (article->source && article->source->numbering == config::Numbering::guid_post_id && article->guid)
        post_id = archive::guid_post_id(*article->guid);
      if (post_id && !given.count(*post_id) && free_on_disk(*article, *post_id)) {
        auto claimed = db->claim_site_sequence(site, *post_id);
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
          auto first = db->reserve_site_sequence(site, counted.size());
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

Status Mirror::Impl::record(const std::vector<IncomingArticle>& articles) {
  std::vector<state::ArchivedArticle> records;
  for (const auto& article : articles) records.push_back(article.record);
  return db->record_articles(records);
}

Status Mirror::Impl::recover_journal() {
  auto journal = dir / core::layout::kCycleJournal;
  if (fs::exists(journal)) {
    // A journal that cannot be read is kept, and the cycle does not start:
    // removing it would leave the files it names written but never recorded.
    auto text = core::read_file(journal);
    if (!text) return text.error().with_context(journal.string());
    nlohmann::json pending = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
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
        if (auto known = db->find(article.identity)) {
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
      if (auto status = db->record_articles(finished); !status) return status;
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

Status Mirror::Impl::finish_lists(const std::set<std::string>& touched_sites) {
  if (touched_sites.empty()) return core::ok_status();
  if (auto status = write_lists(touched_sites); !status) return status;
  std::error_code ignored;
  fs::remove(dir / core::layout::kCycleJournal, ignored);
  return core::ok_status();
}

Status Mirror::Impl::write_lists(const std::set<std::string>& sites) {
  storage::BatchWriter batch(dir);
  for (const auto& site : sites)
    if (auto status = batch.stage(list_path(site), render_list(site)); !status) return status;
  if (auto status = batch.stage(std::string(core::layout::kReadme), render_readme()); !status) return status;
  return batch.commit();
}

std::string Mirror::Impl::render_list(const std::string& site) {
  auto style = list_style(site);
  std::vector<archive::ListItem> items;
  for (auto& article : db->newest(site, style.max_entries))
    items.push_back({article.published, article.title, article.file_name});
  return archive::render_list_page(site, items, style);
}

std::map<std::string, std::string> Mirror::Impl::expected_lists() {
  std::map<std::string, std::string> pages;
  for (const auto& site : all_sites()) pages[list_path(site).generic_string()] = render_list(site);
  pages[std::string(core::layout::kReadme)] = render_readme();
  return pages;
}

std::set<std::string> Mirror::Impl::all_sites() {
  std::set<std::string> sites;
  for (const auto& count : db->site_summaries()) sites.insert(count.site);
  return sites;
}

std::string Mirror::Impl::render_readme() {
  // Sites in config order first (as the classic README lists them), then
  // any site the state knows that the config no longer names.
  auto counts = db->site_summaries();
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

}  // namespace newsmirror::mirror
