// What a static build remembers for the next one, besides its pages'
// fingerprints (the manifest): the catalog's mark when it read it, the salt
// of templates and options, and what only a listing of the whole archive
// can count (ListingCounts). With these, a build after a cycle reads just
// the articles that changed and the lists they appear on, not every row of
// the catalog (site_builder.cpp).
//
// Kept in `<out>/.newsmirror-build-state`, as text. Anything unexpected in
// it only means a full build.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"
#include "site/site_model.hpp"

namespace newsmirror::site {

struct BuildState {
  catalog::ChangeMark mark;
  std::string salt;
  ListingCounts counts;
  std::size_t pages = 0;  // outputs of the site (BuildSummary::outputs)
  // Lines of the manifest as a full build wrote it, and lines incremental
  // builds appended since (it is compacted when they outnumber it).
  std::size_t manifest_lines = 0;
  std::size_t manifest_appended = 0;

  bool operator==(const BuildState&) const = default;
};

std::optional<BuildState> parse_build_state(std::string_view text);
// nullopt when a site's name cannot be written (a tab or a line break in
// it): such a mirror gets full builds.
std::optional<std::string> build_state_text(const BuildState& state);

}  // namespace newsmirror::site
