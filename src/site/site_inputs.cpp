#include "site/site_inputs.hpp"

#include "config/config.hpp"
#include "config/opml.hpp"
#include "core/hash.hpp"
#include "core/time_zone.hpp"

namespace newsmirror::site {

namespace fs = std::filesystem;

core::Result<SiteInputs> SiteInputs::load(const fs::path& mirror_dir, const RenderOptions& options) {
  auto inputs = load_settings(mirror_dir, options);
  if (!inputs) return inputs.error();
  auto catalog = catalog::Catalog::open(mirror_dir, catalog::CatalogUse::reading);
  if (!catalog) return catalog.error();
  inputs->model_ = SiteModel::from_catalog(**catalog, inputs->zone_);
  return inputs;
}

core::Result<SiteInputs> SiteInputs::load_settings(const fs::path& mirror_dir, const RenderOptions& options) {
  SiteInputs inputs;
  inputs.options_ = std::make_unique<RenderOptions>(options);

  config::Config config;
  config.sources.clear();
  auto config_file = config::config_path(mirror_dir);
  std::error_code error;
  if (fs::exists(config_file, error)) {
    auto loaded = config::load_config(config_file);
    if (!loaded) return loaded.error();
    config = std::move(*loaded);
  }
  auto zone = core::TimeZone::from_name(config.timezone);
  if (!zone) return zone.error().with_context(config_file.string());
  inputs.opml_ = config::render_opml(config, config::OpmlDate::omitted);

  auto templates = Templates::load(options.templates_dir);
  if (!templates) return templates.error();
  inputs.templates_ = std::make_unique<Templates>(std::move(*templates));

  inputs.zone_ = std::move(*zone);

  std::string salt = inputs.templates_->fingerprint() + "\n" NEWSMIRROR_VERSION;
  for (const auto& part : {options.title, options.base_url, config.timezone, inputs.opml_}) {
    salt += '\n';
    salt += part;
  }
  for (const auto& variant : options.variants) salt += "\nvariant " + variant;
  salt += options.search ? "\nsearch" : "\nno search";
  inputs.salt_ = core::sha256_hex(salt);
  return inputs;
}

core::Result<std::unique_ptr<PageMaker>> SiteInputs::page_maker(catalog::Catalog& catalog) const {
  return PageMaker::create(*templates_, *options_, *model_, catalog, opml_);
}

}  // namespace newsmirror::site
