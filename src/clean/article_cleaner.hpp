// The cleaning stage of the mirror: one parse of an article's HTML, the
// source's site rules, the sanitizer, one serialization. The mirror runs it
// on every feed entry (so that the content hash that decides "changed" is
// taken after cleaning, and a rotating ad slot is no edit) and on pages the
// extractor pulled out for full-text sources.
#pragma once

#include <string>
#include <string_view>

#include "clean/site_rules.hpp"

namespace newsmirror::clean {

struct CleanSettings {
  std::string_view base_url;             // relative URLs resolve against it
  const CompiledRules* rules = nullptr;  // the source's; nullptr: none
};

// Thread-safe: the rules are only read.
std::string clean_article(std::string_view html, const CleanSettings& settings);

}  // namespace newsmirror::clean
