// A bound on how deeply HTML nests, applied to the text before a parser
// sees it.
//
// An HTML parser keeps a stack of open elements and looks through it for
// many tags, so a hostile page of 100,000 nested <div>s costs gumbo time
// quadratic in the depth (30,000 levels: 1.6 s; 200,000: minutes) and
// builds a tree its own clean-up walks recursively. Real pages nest a few
// dozen levels. This pass reads the tags the way a browser's tokenizer
// does (comments, raw text of <script> and <style>, quoted attribute
// values) and keeps its own stack of open elements; once that stack is
// `max_depth` high, further start tags are dropped with the end tags that
// would close them, and their content joins the element at the limit, as
// Chromium does with elements deeper than 512.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::clean {

inline constexpr std::size_t kMaxHtmlDepth = 512;

// The HTML with the start tags beyond `max_depth` (and their end tags)
// taken out, or nullopt when it never nests that deep — the common case,
// which costs one scan and no copy. Elements whose end tag is optional and
// that a parser closes on its own (p, li, td, option, ...) and void
// elements do not count.
std::optional<std::string> limit_nesting(std::string_view html, std::size_t max_depth = kMaxHtmlDepth);

}  // namespace newsmirror::clean
