// List pages, `lists/<site>.md`: a site's newest articles, newest first.
// Grammar (docs/archive-format.md, "List pages"):
//
//   page   = site LF "------" LF LF *(entry LF LF) [LF footer]
//   entry  = month "-" day SP "[" title "](" "/articles/" folder "/" path ")"
//   footer = "[查看更多](/articles/" folder ")"          ; no final LF
//
// `title` is escaped as the text of a Markdown link (text::escape_link_text).
// month and day have no leading zero and are taken in the mirror's time zone
// (UTC+8 for the existing mirrors). `path` is the file name escaped the way
// the old generator did: U+0020 -> %20 and `|` -> %7C, all else raw (see
// escape_link_path for the two additions that keep links working).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/feed.hpp"
#include "core/result.hpp"
#include "core/time_zone.hpp"

namespace newsmirror::archive {

struct ListItem {
  core::TimePoint published;
  std::string title;      // trimmed when written
  std::string file_name;  // as on disk, unescaped: "1047440_纪录片....md"
};

struct ListStyle {
  std::size_t max_entries = 100;
  bool footer = true;                   // the `[查看更多](/articles/<site>)` line
  core::TimeZone zone = utc_plus_8();   // for the month-day prefix
  // The folder under articles/ when it is not site_dir_name(site) (the later
  // layout heads `德国之声` but links `/articles/dw/...`).
  std::optional<std::string> folder;

  // The October 2020 pages: 100 entries and a footer.
  static ListStyle classic() { return ListStyle{}; }
  // The later pages of the same family: 300 entries, no footer.
  static ListStyle later() {
    ListStyle style;
    style.max_entries = 300;
    style.footer = false;
    return style;
  }
  static core::TimeZone utc_plus_8();
};

// The link path of a file name in a list page. The old rule: U+0020 -> %20,
// `|` -> %7C, everything else raw (`?`, `%`, `:`, full-width forms, U+3000,
// U+00A0). Two additions where the old output was a broken link: `\` ->
// %5C (the old generator turned it into `/`, BBC 1047474), and parentheses
// -> %28/%29 when they are unbalanced (Markdown would end the link early).
std::string escape_link_path(std::string_view file_name);
// Undoes %XX escapes (only well-formed ones: a bare `%` stays).
std::string unescape_link_path(std::string_view path);

// One entry line, without the blank line that follows it.
std::string render_list_entry(std::string_view folder, const ListItem& item,
                              const core::TimeZone& zone);

// The whole page; `newest_first` beyond style.max_entries is ignored.
std::string render_list_page(std::string_view site, const std::vector<ListItem>& newest_first,
                             const ListStyle& style);

// A list page read back, for import and for tests against real pages.
struct ListPageEntry {
  unsigned month = 0;
  unsigned day = 0;
  std::string title;
  std::string folder;     // the segment after /articles/
  std::string file_name;  // the rest of the link path, unescaped
};
struct ListPage {
  std::string site;
  std::vector<ListPageEntry> entries;
  bool footer = false;
};
// Accepts both layouts and CRLF line ends; an entry line that does not fit
// the grammar is a parse error naming its line number.
core::Result<ListPage> parse_list_page(std::string_view bytes);

}  // namespace newsmirror::archive
