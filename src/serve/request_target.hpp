// The parts of a request target the server acts on, decoded safely: the
// path as a name relative to the site's root, and query parameters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::serve {

// The percent-encoded path of a target ("/sites/%E6%B3%95/") decoded into
// a path relative to the root ("sites/法/"); "/" gives "". nullopt when the
// result could name anything outside the root or is not a plain name: bad
// escapes, NUL or other control bytes, backslashes, "." and ".." segments,
// empty segments ("a//b", which also catches "/%2Fetc"), invalid UTF-8.
// Escaped slashes (%2F) are decoded before these checks, so they cannot
// smuggle a ".." past them.
std::optional<std::string> relative_path(std::string_view encoded_path);

// The decoded value of the first `name` parameter in a query string
// ("q=%E5%8F%B0&limit=5", '+' as space); nullopt when absent or badly
// escaped.
std::optional<std::string> query_value(std::string_view query, std::string_view name);

}  // namespace newsmirror::serve
