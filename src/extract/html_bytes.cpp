#include "extract/html_bytes.hpp"

#include <regex>

#include "parse/encoding.hpp"

namespace newsmirror::extract {

std::string declared_html_charset(std::string_view bytes) {
  // The HTML standard's prescan looks at the first 1024 bytes; real pages put
  // long scripts first, so look a little further.
  std::string head(bytes.substr(0, 4096));
  static const std::regex meta_charset(R"(<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+))", std::regex::icase);
  std::smatch match;
  if (!std::regex_search(head, match, meta_charset)) return {};
  std::string charset = match[1].str();
  for (char& c : charset) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return charset;
}

std::string decode_html_bytes(std::string_view bytes, std::string_view content_type) {
  // decode_xml_bytes already does BOM > HTTP charset > UTF-8 > detection;
  // a charset the page declares stands in for a missing HTTP one.
  std::string effective(content_type);
  if (parse::charset_from_content_type(content_type).empty()) {
    std::string declared = declared_html_charset(bytes);
    // A page saved as UTF-8 often still says what it was served as: trust
    // the declaration only when the bytes are not valid UTF-8 already.
    if (!declared.empty() && !parse::to_utf8(bytes, "utf-8")) effective = "text/html; charset=" + declared;
  }
  return parse::decode_xml_bytes(bytes, effective).utf8;
}

}  // namespace newsmirror::extract
