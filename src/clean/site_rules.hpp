// Per-source site rules: CSS selectors that cut a site's boilerplate
// (`remove`) or keep only its article body (`keep`), from newsmirror.toml.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "clean/dom.hpp"
#include "clean/selector.hpp"
#include "core/result.hpp"

namespace newsmirror::clean {

struct SiteRules {
  std::vector<std::string> remove{};  // selectors; every match is deleted
  std::optional<std::string> keep{};  // selector; only its matches are kept

  bool operator==(const SiteRules&) const = default;
};

// Parsed once per source, used for each of its articles (and shareable
// between threads: selectors are immutable).
struct CompiledRules {
  std::vector<Selector> remove;
  std::optional<Selector> keep;
};

// The first bad selector's error (ErrorKind::parse), prefixed with the key:
//   remove: selector ".a >": expected a selector after '>' at column 5
core::Result<CompiledRules> compile(const SiteRules& rules);

enum class KeepOutcome {
  no_keep_rule,
  kept,            // the root now holds only the matched elements
  matched_nothing, // the article was left whole: better boilerplate than nothing
};

struct RulesOutcome {
  KeepOutcome keep = KeepOutcome::no_keep_rule;
  std::size_t removed = 0;  // elements deleted by `remove` (outermost ones)
};

// Applies `keep`, then `remove`, to the children of `root`.
//
// keep: the outermost matched elements themselves (not only their content,
// so `keep = "p"` keeps paragraphs as paragraphs) replace the root's
// children, in document order. When nothing matches — the site changed its
// markup — the article stays whole and the outcome says so, for the caller
// to log.
// remove: every selector is evaluated on the tree as `keep` left it, before
// anything is deleted, so rules written against each other's neighbours
// (`hr:has(+ div.promo)` beside `div.promo`) all see the same article.
RulesOutcome apply(Node& root, const CompiledRules& rules);

}  // namespace newsmirror::clean
