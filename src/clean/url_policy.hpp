// Which URLs an archived article may keep, and in which form. A URL value
// is checked the way a browser would read it, so that "java\tscript:",
// " &#14; javascript:" or "JaVaScRiPt:" are all seen as javascript: (the
// tree already holds decoded attribute values), and what survives is written
// back absolute (resolved against the article URL) and serialized, so that
// checking it again gives the same answer and the same text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::clean {

enum class UrlUse {
  link,   // a/area href: http, https, mailto, or a #fragment of the article itself
  image,  // img/source src and srcset, poster: http, https, small data:image rasters
  media,  // audio/video/track src: http, https
  other,  // cite, longdesc, background ...: http, https
};

// Largest data:image URL kept (as written, base64 and all): a small inline
// icon or placeholder fits, an embedded photograph does not.
inline constexpr size_t kMaxDataImageUrl = 32 * 1024;

// The URL to write for `value`, or nullopt when the attribute must go.
// Relative references are resolved against `base_url`; with an empty base
// they stay relative (cleaned of whitespace and control characters).
std::optional<std::string> clean_url(std::string_view value, std::string_view base_url, UrlUse use);

// A srcset list ("a.jpg 1x, b.jpg 2x") with every candidate's URL cleaned as
// an image URL; candidates whose URL is refused are left out. nullopt when
// none is left.
std::optional<std::string> clean_srcset(std::string_view value, std::string_view base_url);

}  // namespace newsmirror::clean
