// The few inline CSS declarations an archived article keeps: colours, text
// alignment and decoration, fonts, borders, spacing, sizes — the formatting
// that makes a news table or a highlighted quote readable. Each declaration
// is checked on its own and rewritten from its checked tokens; anything that
// could fetch (url(), @import, image-set), escape the parser (backslashes,
// comments, braces), position content over the page (position, z-index,
// top/left) or run code in an old engine (expression(), behavior) is
// dropped. Chromium runs no script from CSS, so this is about leaks and
// overlays, not XSS.
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::clean {

// The kept declarations as "name: value;" joined by one space, or "" when
// none is kept. clean_style(clean_style(s)) == clean_style(s).
std::string clean_style(std::string_view style);

}  // namespace newsmirror::clean
