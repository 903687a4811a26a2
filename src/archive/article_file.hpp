// One article file of the classic archive, `articles/<site>/<N>_<title>.md`.
// Grammar (classic v1, docs/archive-format.md "Article files"):
//
//   file    = [time LF] head LF "------" LF LF html LF
//   time    = "<!--" 1*DIGIT "-->"            ; publish time, ms since epoch
//   head    = "[" title "](" link ")"         ; link: WHATWG-serialized URL
//   html    = the source HTML, each line trimmed of ASCII white space and
//             the lines joined with nothing between them (so: one line)
//
// The writer produces exactly this. The reader also takes what the existing
// mirrors hold beyond it: CRLF line ends, an HTML part spanning several
// lines, a missing time line, a title broken over a few lines (read as one
// line, a space per break), titles holding `]`, `[`, `\“`, and links the
// source gave in a raw form (`//cn`, a raw `?`, a bare `%`, lower-case escapes).
#pragma once

#include <string>
#include <string_view>

#include "core/feed.hpp"
#include "core/result.hpp"

namespace newsmirror::archive {

struct ArticleRecord {
  // Epoch (TimePoint{}) when the file has no time line.
  core::TimePoint published;
  std::string title;  // as in line 2: trimmed, never holds a line break
  std::string link;   // as written in line 2
  std::string html;   // as read: lines kept; render() joins them
};

// The file's bytes. The title is trimmed and its line breaks become spaces
// (line 2 must stay one line); the link goes through core::url::serialize,
// or is kept raw when it is not an absolute URL.
std::string render_article(const ArticleRecord& article);

// A title (or raw link) the way line 2 holds it: trimmed as the old Node
// scripts trimmed (JavaScript's trim), a line break and the white space
// around it made one space; other runs of spaces stay, as they do in the
// existing mirrors (RFA: "因应中国崛起  北约提议重拟战略").
std::string single_line(std::string_view text);

// Joins the HTML the way line 5 holds it: every line trimmed of ASCII white
// space (a no-break space is content), lines joined with nothing between.
std::string flatten_html(std::string_view html);

// Parses a file's bytes. A file without the `[title](link)` line is a parse
// error; everything after the `------` line and one blank line is the HTML
// (minus the final line end).
core::Result<ArticleRecord> read_article(std::string_view bytes);

}  // namespace newsmirror::archive
