// Turning a feed's bytes into UTF-8 text. XML feeds follow RFC 7303: a byte
// order mark wins, then the HTTP charset, then the XML declaration, then
// UTF-8; a charset that fails to decode falls back to detection (uchardet).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::parse {

struct DecodedText {
  std::string utf8;     // without byte order mark
  std::string charset;  // lower case, as declared or detected ("gb2312", "utf-16le")
};

// Never fails: when nothing decodes cleanly, the best candidate is decoded
// with replacement characters.
DecodedText decode_xml_bytes(std::string_view bytes, std::string_view content_type);

struct DecodedView {
  std::string_view utf8;  // views the input bytes or the caller's storage
  std::string charset;
};

// decode_xml_bytes without a copy when the bytes are valid UTF-8 already
// (the common case): `utf8` then views `bytes` past any byte order mark;
// otherwise it views `storage`, which receives the converted text.
DecodedView decode_xml_view(std::string_view bytes, std::string_view content_type, std::string& storage);

// The `charset` parameter of a Content-Type value, lower case; "" if none.
std::string charset_from_content_type(std::string_view content_type);

// Strict conversion to UTF-8; nullopt when `bytes` are not valid in
// `charset` or the charset is unknown. GB2312 and GBK decode as GB18030, a
// superset that real "GB2312" feeds need.
std::optional<std::string> to_utf8(std::string_view bytes, std::string_view charset);

}  // namespace newsmirror::parse
