#include "serve/mirror_handler.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/mirror_layout.hpp"
#include "search/search_io.hpp"
#include "search/search_query.hpp"
#include "serve/asset_files.hpp"
#include "serve/catalog_watch.hpp"
#include "serve/request_target.hpp"
#include "serve/response_cache.hpp"
#include "site/site_inputs.hpp"
#include "site/site_model.hpp"
#include "site/site_paths.hpp"

namespace newsmirror::serve {

namespace {

constexpr std::string_view kJson = "application/json";

// Objects that serve one thread at a time (catalog connections, renderers),
// lent to one request each. Objects made before catalog.db last became
// another file are dropped rather than lent: a reindex renames a new
// database into place, and a connection to the old one would never see it.
// (Other changes reach open connections anyway; renderers refresh their
// model themselves.)
template <class T>
class Pool {
 public:
  explicit Pool(std::function<core::Result<std::unique_ptr<T>>()> make) : make_(std::move(make)) {}

  // use(T&) with an idle object, or a new one; the factory's error when
  // none can be made. `use` returns a core::Result.
  template <class F>
  auto with(std::uint64_t epoch, F&& use) -> std::invoke_result_t<F, T&> {
    std::unique_ptr<T> object;
    {
      std::lock_guard lock(mutex_);
      while (!idle_.empty() && !object) {
        Idle last = std::move(idle_.back());
        idle_.pop_back();
        if (last.epoch == epoch) object = std::move(last.object);
      }
    }
    if (!object) {
      auto made = make_();
      if (!made) return made.error();
      object = std::move(*made);
    }
    auto result = use(*object);
    std::lock_guard lock(mutex_);
    idle_.push_back({epoch, std::move(object)});
    return result;
  }

 private:
  struct Idle {
    std::uint64_t epoch;
    std::unique_ptr<T> object;
  };
  std::function<core::Result<std::unique_ptr<T>>()> make_;
  std::mutex mutex_;
  std::vector<Idle> idle_;
};

std::shared_ptr<const Response> json_response(int code, const nlohmann::json& body) {
  std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  if (code == 200) return Response::ok(kJson, std::move(text), Caching::api);
  return Response::status(code, kJson, std::move(text));
}

std::shared_ptr<const Response> json_error(int code, std::string_view message) {
  return json_response(code, {{"error", message}});
}

const std::shared_ptr<const Response>& not_found() {
  static const auto response = Response::plain(404);
  return response;
}

// The integer parameter `name`: `fallback` when absent, a usage error when
// it is not a whole number in [low, high].
core::Result<int> int_param(std::string_view query, std::string_view name, int fallback, int low, int high) {
  auto text = query_value(query, name);
  if (!text) return fallback;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value < low || value > high)
    return core::Error(core::ErrorKind::usage,
                       fmt::format("{}={}: expected a whole number from {} to {}", name, *text, low, high));
  return value;
}

std::int64_t ms(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

// SQLite makes the catalog's WAL file when the first connection opens it
// and removes it when the last one closes; the watch would take each of
// those for a change and the server would read the whole archive again,
// holding two models of it for a while. One connection held open for the
// server's life keeps the file there.
std::unique_ptr<catalog::Catalog> open_wal_keeper(const std::filesystem::path& mirror) {
  auto catalog = catalog::Catalog::open(mirror, catalog::CatalogUse::reading);
  return catalog ? std::move(*catalog) : nullptr;
}

struct MirrorHandler::Impl {
  MirrorHandlerOptions options;
  std::unique_ptr<catalog::Catalog> wal_keeper;  // before the watch looks at the files
  CatalogWatch watch;
  ResponseCache cache;
  AssetFiles assets;
  Pool<catalog::Catalog> catalogs;
  Pool<site::SiteRenderer> renderers;

  // The site's inputs (templates and the model of every article), made once
  // per generation and shared by every renderer and /api/articles: one
  // model of the archive in memory, not one per thread.
  std::mutex inputs_mutex;
  std::uint64_t inputs_generation = 0;
  std::shared_ptr<const site::SiteInputs> inputs;
  std::uint64_t wal_keeper_epoch = 1;  // CatalogWatch's first

  explicit Impl(MirrorHandlerOptions o)
      : options(std::move(o)),
        wal_keeper(open_wal_keeper(options.mirror)),
        watch(core::layout::catalog_db(options.mirror), options.catalog_check_interval),
        cache(options.cache_bytes),
        assets(options.mirror / core::layout::kAssets),
        catalogs([mirror = options.mirror] { return catalog::Catalog::open(mirror, catalog::CatalogUse::reading); }),
        renderers([this]() -> core::Result<std::unique_ptr<site::SiteRenderer>> {
          auto renderer = site::SiteRenderer::open(options.mirror, [this] { return inputs_for(watch.generation()); });
          if (!renderer) return renderer.error();
          return std::make_unique<site::SiteRenderer>(std::move(*renderer));
        }) {}

  std::shared_ptr<const Response> health() {
    auto count = catalogs.with(watch.file_epoch(), [](catalog::Catalog& c) -> core::Result<std::size_t> {
      return c.article_count();
    });
    if (!count) {
      return Response::status(503, kJson,
                              nlohmann::json{{"status", "unavailable"}, {"error", count.error().message}}.dump() + "\n");
    }
    return Response::status(200, kJson, nlohmann::json{{"status", "ok"}, {"articles", *count}}.dump() + "\n");
  }

  std::shared_ptr<const Response> search(const Request& request) {
    search::SearchQuery query;
    auto text = query_value(request.query, "q");
    if (!text || text->empty()) return json_error(400, "q: give something to search for (/api/search?q=...)");
    query.text = std::move(*text);
    if (auto site = query_value(request.query, "site"); site && !site->empty()) query.site = std::move(*site);
    for (const char* bound : {"since", "until"}) {
      auto day = query_value(request.query, bound);
      if (!day || day->empty()) continue;
      auto start = search::utc_day_start(*day, bound);
      if (!start) return json_error(400, start.error().message);
      if (std::string_view(bound) == "since") query.since = *start;
      else query.until = *start + 24 * 3600 * 1000;  // the whole day named
    }
    auto limit = int_param(request.query, "limit", 20, 1, 100);
    if (!limit) return json_error(400, limit.error().message);
    auto offset = int_param(request.query, "offset", 0, 0, 1'000'000);
    if (!offset) return json_error(400, offset.error().message);
    query.limit = *limit;
    query.offset = *offset;
    query.highlight_open = "**";  // as `newsmirror search --json`
    query.highlight_close = "**";

    auto results = catalogs.with(watch.file_epoch(), [&](catalog::Catalog& c) { return c.search(query); });
    if (!results) {
      if (results.error().kind == core::ErrorKind::usage) return json_error(400, results.error().message);
      spdlog::error("/api/search: {}", results.error().message);
      return json_error(503, "the catalog cannot be searched right now");
    }
    nlohmann::json hits = nlohmann::json::array();
    for (const auto& hit : results->hits) hits.push_back(search::hit_json(hit));
    return json_response(200, {{"total", results->total},
                                {"total_exact", results->total_exact},
                                {"results", std::move(hits)}});
  }

  core::Result<std::shared_ptr<const site::SiteInputs>> inputs_for(std::uint64_t generation) {
    std::lock_guard lock(inputs_mutex);
    if (inputs && inputs_generation == generation) return inputs;
    if (auto epoch = watch.file_epoch(); epoch != wal_keeper_epoch) {
      // reindex put another catalog file in place: keep that one's WAL.
      wal_keeper = open_wal_keeper(options.mirror);
      wal_keeper_epoch = epoch;
    }
    // The old model goes first where nothing else holds it: one at a time.
    inputs.reset();
    site::RenderOptions render = options.render;
    render.search = true;
    auto loaded = site::SiteInputs::load(options.mirror, render);
    if (!loaded) return loaded.error();
    inputs = std::make_shared<const site::SiteInputs>(std::move(*loaded));
    inputs_generation = generation;
    return inputs;
  }

  std::shared_ptr<const Response> articles(const Request& request, std::uint64_t generation) {
    auto limit = int_param(request.query, "limit", 20, 1, 1000);
    if (!limit) return json_error(400, limit.error().message);
    auto offset = int_param(request.query, "offset", 0, 0, 100'000'000);
    if (!offset) return json_error(400, offset.error().message);
    auto shared = inputs_for(generation);
    if (!shared) {
      spdlog::error("/api/articles: {}", shared.error().message);
      return json_error(503, "the catalog cannot be read right now");
    }
    const site::SiteModel& model = (*shared)->model();

    std::vector<const site::ListedArticle*> newest;
    const std::vector<const site::ListedArticle*>* listing = nullptr;
    std::size_t total = 0;
    if (auto site = query_value(request.query, "site"); site && !site->empty()) {
      const site::SiteListing* found = model.find_site(*site);
      if (!found) return json_error(404, fmt::format("site={}: no such site in the catalog", *site));
      listing = &found->articles;
      total = listing->size();
    } else {
      total = model.articles().size();
      newest = model.newest(static_cast<std::size_t>(*offset) + static_cast<std::size_t>(*limit));
      listing = &newest;
    }
    std::vector<const site::ListedArticle*> shown;
    for (std::size_t i = static_cast<std::size_t>(*offset); i < listing->size() && shown.size() < static_cast<std::size_t>(*limit); ++i)
      shown.push_back((*listing)[i]);
    // The model lists; the rows say the rest (link, dates).
    auto rows = catalogs.with(watch.file_epoch(), [&](catalog::Catalog& c) -> core::Result<std::vector<catalog::Article>> {
      std::vector<catalog::Article> found;
      for (const auto* article : shown) {
        auto row = c.find(article->id);
        if (!row) return core::Error(core::ErrorKind::internal, site::article_path(*article) + ": no longer in the catalog");
        found.push_back(std::move(*row));
      }
      return found;
    });
    if (!rows) {
      spdlog::error("/api/articles: {}", rows.error().message);
      return json_error(503, "the catalog cannot be read right now");
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : *rows) {
      list.push_back({{"site", a.site},
                      {"file", a.file},
                      {"title", a.title},
                      {"link", a.link.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.link)},
                      {"published", a.published ? nlohmann::json(ms(*a.published)) : nlohmann::json(nullptr)},
                      {"first_seen", ms(a.first_seen)},
                      {"versions", model.version_count(a.id)},
                      {"url", "/" + site::href(site::article_path(a))}});
    }
    return json_response(200, {{"total", total}, {"articles", std::move(list)}});
  }

  std::shared_ptr<const Response> page(const Request& request) {
    auto path = relative_path(request.path);
    if (!path) return not_found();
    if (path->starts_with("assets/")) {
      auto file = assets.read(std::string_view(*path).substr(7));
      if (!file) return not_found();
      return Response::ok(file->content_type, std::move(file->bytes), Caching::asset);
    }
    if (path->empty() || path->ends_with('/')) *path += "index.html";
    std::string q;
    int offset = 0;
    if (path->starts_with("search.")) {
      q = query_value(request.query, "q").value_or("");
      auto asked = int_param(request.query, "offset", 0, 0, 1'000'000);
      if (asked) offset = *asked;
    }
    auto rendered = renderers.with(watch.file_epoch(), [&](site::SiteRenderer& r) { return r.render(*path, q, offset); });
    if (!rendered) {
      spdlog::error("{}: {}", request.target, rendered.error().message);
      return Response::plain(503, "the site cannot be rendered right now");
    }
    if (!*rendered) return not_found();
    return Response::ok((*rendered)->content_type, std::move((*rendered)->body), Caching::page);
  }
};

MirrorHandler::MirrorHandler(MirrorHandlerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
MirrorHandler::~MirrorHandler() = default;

std::shared_ptr<const Response> MirrorHandler::handle(const Request& request) {
  Impl& r = *impl_;
  const std::uint64_t generation = r.watch.generation();
  if (request.path == "/healthz") return r.health();
  if (auto kept = r.cache.find(request.target, generation)) return kept;
  std::shared_ptr<const Response> response;
  if (request.path == "/api/search") response = r.search(request);
  else if (request.path == "/api/articles") response = r.articles(request, generation);
  else if (request.path.starts_with("/api/")) response = json_error(404, "no such API: /api/search and /api/articles are");
  else response = r.page(request);
  if (response->code() == 200) r.cache.put(request.target, generation, response);
  return response;
}

}  // namespace newsmirror::serve
