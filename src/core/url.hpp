// URLs as the archive writes them. The classic format stores an article's
// link "serialized as a WHATWG URL would be": scheme and host lower-cased,
// non-ASCII and unsafe bytes percent-encoded as upper-case UTF-8 escapes,
// existing escapes (even lower-case or malformed ones) kept as they are.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::core::url {

// True when `text` starts with a scheme ("http:", "mailto:" ...).
bool is_absolute(std::string_view text);

// Serializes an absolute URL the WHATWG way (see above). White space at the
// ends is trimmed, tabs and newlines inside are removed. Returns nullopt
// when `text` is not an absolute URL.
std::optional<std::string> serialize(std::string_view text);

// Resolves `reference` against the absolute URL `base` (RFC 3986 section 5,
// with WHATWG's leniencies: backslashes in special schemes, "//" network
// paths) and serializes the result. An absolute `reference` is serialized
// as is; an empty `base` leaves a relative reference unresolved (nullopt).
std::optional<std::string> resolve(std::string_view base, std::string_view reference);

// The URL with the password of its user info replaced by "***"
// ("http://me:***@proxy.example:3128"), for every place a URL that may
// carry credentials (a proxy's) is printed or stored: messages, the
// state's error log, JSON output. Anything else is returned unchanged.
std::string redact_password(std::string_view url);

}  // namespace newsmirror::core::url
