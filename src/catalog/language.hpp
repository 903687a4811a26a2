// A cheap guess of an article's language for the catalog's `language`
// column: the mirrors carry Chinese (in either script) and English.
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::catalog {

// "zh-Hans", "zh-Hant", "en", or "und" when the text has too few letters to
// tell. Han text is told apart by frequent characters that only one script
// uses (这/這, 国/國 ...); Latin letters outnumbering Han characters three
// to one make it "en". Looks at the first 4,000 bytes at most.
std::string guess_language(std::string_view text);

}  // namespace newsmirror::catalog
