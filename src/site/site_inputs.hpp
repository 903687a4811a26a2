// Everything a site is made from, loaded once: the mirror's config (its
// time zone, its sources for the OPML), the templates, and the site model
// of the catalog's articles. Shared by the static build and the server.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "catalog/catalog.hpp"
#include "core/result.hpp"
#include "core/time_zone.hpp"
#include "site/site_model.hpp"
#include "site/site_pages.hpp"
#include "site/site_renderer.hpp"
#include "site/templates.hpp"

namespace newsmirror::site {

class SiteInputs {
 public:
  // Reads `newsmirror.toml` (defaults when the mirror has none; a malformed
  // one is an error naming it), the templates, and the catalog's rows.
  static core::Result<SiteInputs> load(const std::filesystem::path& mirror_dir,
                                       const RenderOptions& options);
  // The same without reading the catalog: set_model() gives it its model
  // (a build that reads only what changed makes a partial one).
  static core::Result<SiteInputs> load_settings(const std::filesystem::path& mirror_dir,
                                                const RenderOptions& options);
  void set_model(std::unique_ptr<SiteModel> model) { model_ = std::move(model); }
  const core::TimeZone& zone() const { return zone_; }

  const SiteModel& model() const { return *model_; }
  const RenderOptions& options() const { return *options_; }
  // Covers templates, options, time zone and sources: part of every
  // output's fingerprint.
  const std::string& salt() const { return salt_; }
  // A page maker reading HTML through `catalog` (one per thread).
  core::Result<std::unique_ptr<PageMaker>> page_maker(catalog::Catalog& catalog) const;

 private:
  SiteInputs() = default;
  std::unique_ptr<RenderOptions> options_;
  std::unique_ptr<Templates> templates_;
  std::unique_ptr<SiteModel> model_;
  std::string opml_;
  std::string salt_;
  core::TimeZone zone_;
};

}  // namespace newsmirror::site
