// Text helpers shared by the archive's writers and readers. Internal to
// src/archive: the rules here are the classic format's, not general ones.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace newsmirror::archive::text {

// ASCII white space as the old scripts' line trimming saw it (space, tab,
// LF, VT, FF, CR: core::is_c_space). A no-break space or U+3000 is content.
std::string_view trim_ascii(std::string_view s);
std::string_view trim_ascii_right(std::string_view s);

// Trims like JavaScript's String.prototype.trim, which the Node scripts that
// wrote the existing mirrors used on titles: ASCII white space plus U+00A0,
// U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
std::string_view trim_title(std::string_view s);

// A title as the text of a Markdown link, `[title](...)`, in list pages
// and article heads. A feed writes its titles, and code hosts render these
// files: a title like "[Breaking](https://phish.example) ![](https://t.example/p.gif)"
// would become a link and a tracking image. Brackets and '<' (which opens
// inline HTML and autolinks) get a backslash; so does a backslash before
// one of them, before another backslash or at the end, so that the unescape gives the
// title back exactly. Every other byte is kept, so the titles of the real
// mirrors, which hold none of these, are written as they always were.
std::string escape_link_text(std::string_view title);
// The inverse of escape_link_text; other backslashes stay (a real title
// holds `\“`).
std::string unescape_link_text(std::string_view text);

// Decodes the code point starting at s[i]; sets `length` to the bytes it
// uses (1 for an invalid byte, which decodes as U+FFFD).
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& length);

}  // namespace newsmirror::archive::text
