#include "site/site_renderer.hpp"

#include "catalog/catalog.hpp"
#include "search/search_query.hpp"
#include "site/site_inputs.hpp"
#include "site/site_pages.hpp"

namespace newsmirror::site {

namespace {

constexpr int kResultsPerPage = 20;

}  // namespace

struct SiteRenderer::Impl {
  std::filesystem::path mirror_dir;
  RenderOptions options;  // for inputs of its own
  InputsSource source;    // or shared ones
  std::unique_ptr<catalog::Catalog> catalog;
  std::shared_ptr<const SiteInputs> inputs;
  std::unique_ptr<PageMaker> maker;  // refers to *inputs
  std::int64_t seen_version = -1;

  core::Status refresh() {
    std::shared_ptr<const SiteInputs> current;
    if (source) {
      auto shared = source();
      if (!shared) return shared.error();
      current = std::move(*shared);
    } else {
      auto version = catalog->data_version();
      if (!version) return version.error();
      if (inputs && *version == seen_version) return core::ok_status();
      maker.reset();
      inputs.reset();  // one model at a time
      auto loaded = SiteInputs::load(mirror_dir, options);
      if (!loaded) return loaded.error();
      current = std::make_shared<const SiteInputs>(std::move(*loaded));
      seen_version = *version;
    }
    if (current == inputs) return core::ok_status();
    maker.reset();
    inputs = std::move(current);
    auto made = inputs->page_maker(*catalog);
    if (!made) return made.error();
    maker = std::move(*made);
    return core::ok_status();
  }

  RenderedPage search_page(std::string_view variant, std::string_view query, int offset) {
    search::SearchResults results;
    std::string error;
    bool searched = false;
    if (!query.empty()) {
      search::SearchQuery request;
      request.text = std::string(query);
      request.limit = kResultsPerPage;
      request.offset = std::max(0, offset);
      request.highlight_open = "\x02";
      request.highlight_close = "\x03";
      auto found = catalog->search(request);
      if (found) {
        results = std::move(*found);
        searched = true;
      } else {
        error = found.error().message;
      }
    }
    return {"text/html; charset=utf-8",
            maker->renderer().search(query, searched ? &results : nullptr, error,
                                     std::max(0, offset), kResultsPerPage, variant)};
  }
};

core::Result<SiteRenderer> SiteRenderer::open(const std::filesystem::path& mirror_dir,
                                              RenderOptions options) {
  options.search = true;
  auto catalog = catalog::Catalog::open(mirror_dir, catalog::CatalogUse::reading);
  if (!catalog) return catalog.error();
  auto impl = std::unique_ptr<Impl>(new Impl{mirror_dir, std::move(options), {}, std::move(*catalog), {}, {}, -1});
  if (auto status = impl->refresh(); !status) return status.error();
  return SiteRenderer(std::move(impl));
}

core::Result<SiteRenderer> SiteRenderer::open(const std::filesystem::path& mirror_dir, InputsSource source) {
  auto catalog = catalog::Catalog::open(mirror_dir, catalog::CatalogUse::reading);
  if (!catalog) return catalog.error();
  auto impl = std::unique_ptr<Impl>(new Impl{mirror_dir, {}, std::move(source), std::move(*catalog), {}, {}, -1});
  if (auto status = impl->refresh(); !status) return status.error();
  return SiteRenderer(std::move(impl));
}

SiteRenderer::SiteRenderer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SiteRenderer::SiteRenderer(SiteRenderer&&) noexcept = default;
SiteRenderer& SiteRenderer::operator=(SiteRenderer&&) noexcept = default;
SiteRenderer::~SiteRenderer() = default;

core::Result<std::optional<RenderedPage>> SiteRenderer::render(std::string_view path,
                                                               std::string_view query, int offset) {
  auto& r = *impl_;
  if (auto status = r.refresh(); !status) return status.error();
  if (path == "search.html") return std::optional(r.search_page("", query, offset));
  for (const auto& variant : r.inputs->options().variants) {
    if (path == "search." + variant + ".html") return std::optional(r.search_page(variant, query, offset));
  }
  auto page = page_at(r.inputs->model(), r.inputs->options(), path);
  if (!page) return std::optional<RenderedPage>();
  auto body = r.maker->make(*page);
  if (!body) return body.error();
  return std::optional(RenderedPage{content_type_of(*page), std::move(*body)});
}

}  // namespace newsmirror::site
