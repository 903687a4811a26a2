// Everything a site is made from, loaded once: the mirror's config (its
// time zone, its sources for the OPML), the templates, and the site model
// of the catalog's articles. Shared by the static build and the server.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "catalog/catalog.hpp"
#include "core/result.hpp"
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
};

}  // namespace newsmirror::site
