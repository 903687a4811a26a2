// The readable text of an article's HTML, as the search index sees it.
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::search {

// Text nodes in document order, entities decoded; script, style, template
// and other non-rendered elements skipped; block elements and <br> become
// line breaks (runs of blank lines collapse to one); other white space runs
// become one space. Never fails: malformed HTML yields what gumbo recovers.
std::string visible_text(std::string_view html);

}  // namespace newsmirror::search
