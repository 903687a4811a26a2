// libxml2's HTML parser in SAX mode: no tree is built, text and tags
// arrive as callbacks. About four times faster than building gumbo's
// tree (bench/catalog_stages), which mattered: the import reads the text of
// every article it catalogs.
#include "search/plain_text.hpp"

#include <libxml/HTMLparser.h>
#include <unicode/unistr.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#include "core/utf8.hpp"

namespace newsmirror::search {
namespace {

enum class Kind : unsigned char { inline_element, hidden, block };

// Elements whose content is not read as text, and elements that start and
// end a line of their own; all others are inline. libxml2 gives names in
// lower case.
Kind kind_of(const xmlChar* raw_name) {
  const std::string_view name(reinterpret_cast<const char*>(raw_name));
  // Most elements are short, and a switch on the first letter keeps the
  // comparisons few: this runs for every start and end tag.
  switch (name.empty() ? '\0' : name.front()) {
    case 'a':
      if (name == "a") return Kind::inline_element;
      if (name == "article" || name == "aside" || name == "address") return Kind::block;
      break;
    case 'b':
      if (name == "br" || name == "blockquote" || name == "body") return Kind::block;
      break;
    case 'c':
      if (name == "caption") return Kind::block;
      break;
    case 'd':
      if (name == "div" || name == "dl" || name == "dt" || name == "dd" || name == "details") return Kind::block;
      break;
    case 'f':
      if (name == "figure" || name == "figcaption" || name == "footer" || name == "fieldset") return Kind::block;
      break;
    case 'h':
      if (name.size() == 2 && name[1] >= '1' && name[1] <= '6') return Kind::block;
      if (name == "hr" || name == "header" || name == "html") return Kind::block;
      if (name == "head") return Kind::hidden;
      break;
    case 'i':
      if (name == "iframe") return Kind::hidden;
      break;
    case 'l':
      if (name == "li") return Kind::block;
      break;
    case 'm':
      if (name == "main") return Kind::block;
      if (name == "math") return Kind::hidden;
      break;
    case 'n':
      if (name == "nav") return Kind::block;
      if (name == "noscript") return Kind::hidden;
      break;
    case 'o':
      if (name == "ol") return Kind::block;
      if (name == "object") return Kind::hidden;
      break;
    case 'p':
      if (name == "p" || name == "pre") return Kind::block;
      break;
    case 's':
      if (name == "section" || name == "summary") return Kind::block;
      if (name == "script" || name == "style" || name == "svg" || name == "select") return Kind::hidden;
      break;
    case 't':
      if (name == "table" || name == "tr" || name == "td" || name == "th") return Kind::block;
      if (name == "template" || name == "title" || name == "textarea") return Kind::hidden;
      break;
    case 'u':
      if (name == "ul") return Kind::block;
      break;
    default:
      break;
  }
  return Kind::inline_element;
}

class TextWriter {
 public:
  void text(const char* s, std::size_t length) {
    if (hidden_ > 0) return;
    for (std::size_t i = 0; i < length; ++i) {
      char c = s[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        pending_space_ = true;
        continue;
      }
      if (pending_space_ && !out_.empty() && out_.back() != '\n') out_ += ' ';
      pending_space_ = false;
      out_ += c;
    }
  }
  void line_break() {
    if (hidden_ > 0) return;
    pending_space_ = false;
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  }
  void enter(const xmlChar* name) {
    const Kind kind = kind_of(name);
    if (kind == Kind::hidden) ++hidden_;
    else if (kind == Kind::block) line_break();
  }
  void leave(const xmlChar* name) {
    const Kind kind = kind_of(name);
    if (kind == Kind::hidden) {
      if (hidden_ > 0) --hidden_;
    } else if (kind == Kind::block) {
      line_break();
    }
  }
  std::string finish() {
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) out_.pop_back();
    return std::move(out_);
  }

 private:
  std::string out_;
  bool pending_space_ = false;
  int hidden_ = 0;
};

TextWriter& writer_of(void* context) { return *static_cast<TextWriter*>(context); }

void on_start(void* context, const xmlChar* name, const xmlChar**) { writer_of(context).enter(name); }
void on_end(void* context, const xmlChar* name) { writer_of(context).leave(name); }
void on_text(void* context, const xmlChar* text, int length) {
  writer_of(context).text(reinterpret_cast<const char*>(text), static_cast<std::size_t>(length));
}
// The raw text of script and style: never shown.
void on_raw_text(void*, const xmlChar*, int) {}
void on_problem(void*, const char*, ...) {}

const htmlSAXHandler& text_handler() {
  static const htmlSAXHandler handler = [] {
    htmlSAXHandler h;
    std::memset(&h, 0, sizeof h);
    h.startElement = on_start;
    h.endElement = on_end;
    h.characters = on_text;
    h.ignorableWhitespace = on_text;
    h.cdataBlock = on_raw_text;
    h.warning = on_problem;
    h.error = on_problem;
    h.initialized = 1;
    return h;
  }();
  return handler;
}

struct FreeParser {
  void operator()(htmlParserCtxtPtr context) const { htmlFreeParserCtxt(context); }
};

}  // namespace

std::string visible_text(std::string_view html) {
  static std::once_flag libxml2_ready;
  std::call_once(libxml2_ready, xmlInitParser);
  // libxml2 would read the rest of a document as Latin-1 after one invalid
  // byte; ICU makes each invalid sequence U+FFFD instead.
  std::string repaired;
  if (!core::is_valid_utf8(html)) {
    icu::UnicodeString::fromUTF8(icu::StringPiece(html.data(), static_cast<std::int32_t>(html.size())))
        .toUTF8String(repaired);
    html = repaired;
  }
  TextWriter writer;
  std::unique_ptr<htmlParserCtxt, FreeParser> parser(htmlCreatePushParserCtxt(
      const_cast<htmlSAXHandler*>(&text_handler()), &writer, nullptr, 0, nullptr, XML_CHAR_ENCODING_UTF8));
  if (!parser) return {};
  // A <meta charset> in the page must not switch the decoding: this is
  // UTF-8 already.
  htmlCtxtUseOptions(parser.get(), HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                       HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
  htmlParseChunk(parser.get(), html.data(), static_cast<int>(html.size()), 1);
  return writer.finish();
}

}  // namespace newsmirror::search
