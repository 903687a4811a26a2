// A web page's bytes as UTF-8 text. Pages name their charset in the HTTP
// header or in a <meta charset> / http-equiv tag near the top; many name
// none or the wrong one, so undeclared or undecodable bytes fall back to
// detection.
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::extract {

// The charset a page declares in its first 4 KiB of markup, lower case; "" if none.
std::string declared_html_charset(std::string_view bytes);

// Decodes `bytes` to UTF-8: byte order mark, then the HTTP charset
// (`content_type`, may be empty), then the page's own declaration, then
// UTF-8, then detection. Never fails (replacement characters at worst).
std::string decode_html_bytes(std::string_view bytes, std::string_view content_type);

}  // namespace newsmirror::extract
