#include "mirror/mirror_impl.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "archive/list_page.hpp"
#include "catalog/catalog.hpp"
#include "core/hash.hpp"
#include "core/mirror_layout.hpp"
#include "core/read_file.hpp"
#include "core/time_zone.hpp"
#include "fetch/http_client.hpp"
#include "mirror/identity.hpp"
#include "mirror/site_folders.hpp"
#include "state/state_db.hpp"
#include "storage/atomic_writer.hpp"

namespace newsmirror::mirror {

std::string content_hash_of_file(std::string_view bytes) {
  const auto first_line_end = bytes.find('\n');
  return core::sha256_hex(first_line_end == std::string_view::npos ? bytes : bytes.substr(first_line_end + 1));
}

TimePoint system_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

fs::path Mirror::Impl::article_path(std::string_view site, std::string_view file_name) const {
  return core::layout::article_file(folder_of(site), file_name);
}

config::Layout Mirror::Impl::layout_of(std::string_view site) const {
  if (const auto* source = source_named(site)) return config::effective_layout(config, *source);
  return folder_of(site) == archive::site_dir_name(site) ? config::Layout::early : config::Layout::later;
}

catalog::NewArticle Mirror::Impl::catalog_entry(const state::ArchivedArticle& record, const archive::ArticleRecord& content, TimePoint fetched_at) {
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

const clean::CompiledRules* Mirror::Impl::rules_for(const config::Source& source) const {
  auto found = rules.find(source.name);
  return found == rules.end() ? nullptr : &found->second;
}

const config::Source* Mirror::Impl::source_named(std::string_view name) const {
  return config::find_source(config, name);
}

fetch::Options Mirror::Impl::fetch_options() const {
  fetch::Options options;
  options.max_transfers = config.concurrency;
  options.max_per_host = config.per_host;
  options.connect_timeout = config.connect_timeout;
  options.total_timeout = config.timeout;
  options.cancel = stop;
  options.ca_file = config::ca_file_path(config, dir);
  return options;
}

archive::ListStyle Mirror::Impl::list_style(std::string_view site) const {
  archive::ListStyle style;
  const auto layout = layout_of(site);
  style.max_entries = static_cast<std::size_t>(config::effective_list_entries(config, layout));
  style.footer = config::effective_list_footer(config, layout);
  if (auto zone = core::TimeZone::from_name(config.timezone)) style.zone = *zone;
  auto folder = folder_of(site);
  if (folder != archive::site_dir_name(site)) style.folder = std::move(folder);
  return style;
}

std::optional<state::ArchivedArticle> Mirror::Impl::find_known(const std::vector<std::string>& keys) {
  for (const auto& key : keys)
    if (auto article = db->find(key)) return article;
  return std::nullopt;
}

TimePoint Mirror::Impl::due_at(const config::Source& source, const std::vector<state::SourceHealth>& health, TimePoint now) const {
  for (const auto& h : health)
    if (h.source == source.name && h.last_attempt)
      return *h.last_attempt + config::effective_interval(config, source);
  return now;
}

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
  if (auto agreed = agree_on_site_folders(*config, file, **db); !agreed) return agreed.error();
  SiteFolders site_folders((*db)->site_folders(), *config);
  auto impl = std::make_unique<Impl>(
      Impl{dir, std::move(*config), std::move(*db), std::move(rules), nullptr, std::nullopt, std::move(site_folders)});
  if (auto catalog = catalog::Catalog::open(dir))
    impl->catalog = std::move(*catalog);
  else
    impl->catalog_failed(catalog.error());
  return Mirror(std::move(impl));
}

Status Mirror::recover(bool look_for_temp_files) {
  auto& impl = *impl_;
  if (auto status = impl.recover_journal(); !status) return status;
  if (!look_for_temp_files) return core::ok_status();
  auto removed = storage::remove_stale_temp_files(impl.dir);
  if (!removed) return removed.error();
  if (*removed > 0) spdlog::info("removed {} temporary file(s) left by an interrupted run", *removed);
  return core::ok_status();
}

Result<std::size_t> Mirror::adopt(catalog::Catalog& catalog, ListPages lists) {
  constexpr std::size_t kPage = 10000;
  std::size_t adopted = 0;
  std::set<std::string> sites;  // that gained articles
  for (catalog::ArticleId after = 0;;) {
    const auto page = catalog.articles_after(after, kPage);
    if (page.empty()) break;
    after = page.back().id;
    auto recorded = impl_->adopt_page(page);
    if (!recorded) return recorded.error();
    adopted += recorded->count;
    sites.merge(recorded->sites);
  }
  if (lists == ListPages::rewrite && adopted > 0) {
    if (auto status = impl_->write_lists(sites); !status) return status.error();
  }
  return adopted;
}

Result<Mirror::Impl::AdoptedPage> Mirror::Impl::adopt_page(const std::vector<catalog::Article>& articles) {
  std::vector<state::ArchivedArticle> unknown;
  std::set<std::string> identities;  // taken in this page (earlier pages are in the state)
  for (const auto& article : articles) {
    // The catalog names a site by its folder, the state by the site's name.
    const std::string site = folders.site_in(article.site);
    const std::string file_name = fs::path(article.file).filename().string();
    if (db->knows_file(site, file_name)) continue;
    // The key a feed item of the site with the same link has. An article
    // without a link is known by its file: no item can match it, but its
    // number is taken like any other. Old mirrors also hold one story under
    // two numbers: the second file is still the mirror's, listed and
    // counted, known by its file.
    std::string identity = "file:" + site + "\x1f" + file_name;
    if (!article.link.empty()) {
      auto by_link = link_key(site, article.link);
      if (!db->find(by_link) && identities.insert(by_link).second) identity = std::move(by_link);
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
    auto bytes = core::read_file(dir / article.file);
    if (!bytes) {
      // Gone since it was cataloged: it costs only itself.
      spdlog::warn("{}: {}; the mirror does not record it", (dir / article.file).string(),
                   bytes.error().message);
      continue;
    }
    record.content_hash = content_hash_of_file(*bytes);  // as a cycle hashes what it writes
    unknown.push_back(std::move(record));
  }
  if (auto recorded = db->record_articles(unknown); !recorded) return recorded.error();
  AdoptedPage out{unknown.size(), {}};
  for (const auto& article : unknown) out.sites.insert(article.site);
  return out;
}

std::optional<TimePoint> Mirror::next_due(TimePoint now) {
  std::optional<TimePoint> next;
  auto health = impl_->db->health();
  for (const auto& source : impl_->config.sources) {
    if (!source.enabled) continue;
    TimePoint due = impl_->due_at(source, health, now);
    if (!next || due < *next) next = due;
  }
  return next;
}

std::map<std::string, std::string> Mirror::expected_lists() { return impl_->expected_lists(); }

Status Mirror::rewrite_lists() { return impl_->write_lists(impl_->all_sites()); }

}  // namespace newsmirror::mirror
