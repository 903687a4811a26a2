// Which entries are new. An entry is known when any of its identity keys has
// been archived before: its GUID, its normalized link, and — only when it
// has neither — a hash of title and date. Keys are scoped by site, because
// GUIDs such as "12345" are only unique within one publisher's feed, and the
// same story syndicated to two sites belongs in both.
//
// Novelty is never decided by date: feeds backdate, omit and repeat dates.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/feed.hpp"

namespace newsmirror::mirror {

// The keys of `entry` in `site`, the primary one first. An entry that comes
// through two URLs of one source (an official feed and a full-text mirror
// with other GUIDs) still shares its link key.
std::vector<std::string> identity_keys(std::string_view site, const core::Entry& entry);

// The key of an article of `site` known by its link alone: what a feed
// item with that link (normalized) has among its keys, and what an article
// file brought in by init or import is known by.
std::string link_key(std::string_view site, std::string_view link);

// A link reduced to what identifies the page: scheme dropped (http and https
// are the same article), host lower-cased, default port, fragment and
// tracking parameters (utm_*, fbclid, gclid) removed.
std::string normalize_link(std::string_view link);

}  // namespace newsmirror::mirror
