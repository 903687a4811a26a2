// OPML 2.0 import and export of the source list.
//
// Export writes one <outline type="rss"> per source; a source with several
// URLs (mirrors tried in order) becomes a folder outline named after the
// source holding one rss outline per URL, so that other readers still see
// every feed and import folds them back into one source. Import reads any
// nesting: an outline with xmlUrl is a feed named by its title, else its
// text; a folder whose children are all feeds with the folder's own name
// (or no name) is read back as one multi-URL source.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"

namespace newsmirror::config {

// Parses OPML bytes. No network access and no external entities; a
// document that is not OPML is ErrorKind::parse.
core::Result<std::vector<Source>> parse_opml(std::string_view bytes);

// An OPML 2.0 document (head with title and, unless omitted, dateCreated:
// now) of config.sources. The static site omits the date, so that the
// same sources give the same bytes and the file is rewritten only when
// they change.
enum class OpmlDate { now, omitted };
std::string render_opml(const Config& config, OpmlDate date = OpmlDate::now);

}  // namespace newsmirror::config
