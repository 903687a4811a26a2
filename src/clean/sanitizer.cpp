#include "clean/sanitizer.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "clean/style_filter.hpp"
#include "clean/url_policy.hpp"
#include "core/ascii.hpp"

namespace newsmirror::clean {

namespace {

template <size_t N>
bool among(const std::array<std::string_view, N>& set, std::string_view word) {
  return std::find(set.begin(), set.end(), word) != set.end();
}

// ------------------------------------------------------------- elements ---

enum class Action {
  keep,      // kept, with its attributes checked
  unwrap,    // replaced by its (checked) content
  drop,      // removed with everything inside
  to_pre,    // <xmp>, <listing>, <plaintext>: the same text as a <pre>
  math,      // MathML: kept as its text ("a+b"), the markup goes
  noscript,  // kept only as the fallback images it holds
};

constexpr auto kKeptElements = std::to_array<std::string_view>({
    "a",       "abbr",    "acronym", "address", "area",     "article", "aside",   "audio",
    "b",       "bdi",     "bdo",     "big",     "blockquote", "br",    "caption", "center",
    "cite",    "code",    "col",     "colgroup", "data",    "dd",      "del",     "details",
    "dfn",     "div",     "dl",      "dt",      "em",       "figcaption", "figure", "font",
    "footer",  "h1",      "h2",      "h3",      "h4",       "h5",      "h6",      "header",
    "hgroup",  "hr",      "i",       "img",     "ins",      "kbd",     "li",      "main",
    "map",     "mark",    "menu",    "meter",   "nav",      "ol",      "p",       "picture",
    "pre",     "progress", "q",      "rp",      "rt",       "ruby",    "s",       "samp",
    "section", "small",   "source",  "span",    "strike",   "strong",  "sub",     "summary",
    "sup",     "table",   "tbody",   "td",      "tfoot",    "th"});
constexpr auto kMoreKeptElements = std::to_array<std::string_view>({"thead", "time", "tr", "track",
                                                               "tt",    "u",    "ul", "video"});
constexpr auto kLastKeptElements = std::to_array<std::string_view>({"var", "wbr"});

// Dropped with their content: active content, document-level elements,
// form controls (their text is user-interface, not article), and elements
// whose content is not article text.
constexpr auto kDroppedElements = std::to_array<std::string_view>({
    "script",   "style",  "template", "iframe",  "frame",    "frameset", "noframes",
    "noembed",  "embed",    "param",    "base",     "basefont",
    "meta",     "link",   "title",    "head",    "input",    "button",   "select",
    "option",   "optgroup", "datalist", "textarea", "keygen", "bgsound", "command",
    "portal",   "fencedframe", "slot", "dialog", "search"});

Action action_for(const Node& element) {
  const std::string_view tag = element.tag;
  if (tag.starts_with("svg:")) return Action::drop;
  if (tag.starts_with("math:")) return tag == "math:math" ? Action::math : Action::drop;
  if (among(kKeptElements, tag) || among(kMoreKeptElements, tag) || among(kLastKeptElements, tag)) {
    return Action::keep;
  }
  if (among(kDroppedElements, tag)) return Action::drop;
  if (tag == "noscript") return Action::noscript;
  if (tag == "xmp" || tag == "listing" || tag == "plaintext") return Action::to_pre;
  // Unknown, custom and layout-only elements (form, label, fieldset,
  // legend, canvas, marquee, blink, html, body ...) give way to their
  // content; so do <object> and <applet>, whose content is the fallback a
  // reader sees when the plugin does not run (their <param>s are dropped).
  return Action::unwrap;
}

// ----------------------------------------------------------- attributes ---

// Attributes that are inert on any element: presentation, table layout,
// language, accessibility, media flags. Not here: event handlers, style
// (filtered), URLs (checked), id/name (prefixed), target, ping, srcdoc,
// form/formaction, autofocus, contenteditable, is, slot, data-*.
constexpr auto kInertAttributes = std::to_array<std::string_view>({
    "abbr",        "accesskey",   "align",        "alt",          "autocomplete", "axis",
    "balance",     "bgcolor",     "border",       "bordercolor",  "bordercolordark",
    "bottompadding", "cellpadding", "ch", "cellspacing", "challenge",   "char",         "charoff",
    "charset",     "checked",     "class",        "clear",        "color",        "cols",
    "colspan",     "compact",     "controls",     "coords",       "datafld",      "dataformatas",
    "datasrc",     "datetime",    "default",      "dir",          "disabled",     "draggable",
    "enctype",     "face",        "for",        "frame",        "galleryimg",   "gutter",       "headers",
    "height",      "hidden",      "hidefocus",    "high",         "hreflang",     "hspace",
    "inputmode",   "ismap",       "keytype",      "kind",         "label",        "lang",
    "leftspacing", "list",        "loop",         "loopcount",    "loopend",      "loopstart",
    "low",         "max",         "maxlength",    "media",        "method",       "min",
    "multiple",    "muted",       "nohref",       "noshade",      "nowrap",       "open",
    "optimum",     "pattern",     "playsinline",  "pqg",          "preload",      "prompt",
    "radiogroup",  "readonly",    "rel",          "replace",      "required",     "rev",
    "reversed",    "rightspacing", "role",        "rows"});
constexpr auto kMoreInertAttributes = std::to_array<std::string_view>({
    "rowspan",     "rules",       "scope",        "selected",     "shape",        "size",
    "sizes",       "span",        "srclang",      "start",        "step",         "summary",
    "suppress",    "tabindex",    "title",        "toppadding",   "type",         "unselectable",
    "urn",         "valign",      "value",        "volume",       "vrml",         "vspace"});
constexpr auto kLastInertAttributes = std::to_array<std::string_view>({
    "width",       "wrap",        "xml:lang",     "repeat-max",   "repeat-min",   "repeat-start",
    "repeat-template"});

bool is_inert_attribute(std::string_view name) {
  if (name.starts_with("aria-")) return true;
  return among(kInertAttributes, name) || among(kMoreInertAttributes, name) ||
         among(kLastInertAttributes, name);
}

// Attributes whose value is a URL, and how each is used.
std::optional<UrlUse> url_use(const Node& element, std::string_view attribute) {
  const std::string_view tag = element.tag;
  if (attribute == "href") return UrlUse::link;
  if (attribute == "src") {
    if (tag == "audio" || tag == "video" || tag == "track") return UrlUse::media;
    if (tag == "source" && element.parent() != nullptr &&
        (element.parent()->is_element("audio") || element.parent()->is_element("video"))) {
      return UrlUse::media;
    }
    return UrlUse::image;
  }
  if (attribute == "poster" || attribute == "lowsrc" || attribute == "dynsrc") return UrlUse::image;
  if (attribute == "cite" || attribute == "longdesc" || attribute == "background" ||
      attribute == "action" || attribute == "icon") {
    return UrlUse::other;
  }
  return std::nullopt;
}

std::string with_id_prefix(std::string_view value) {
  if (value.empty() || value.starts_with(kIdPrefix)) return std::string(value);
  return std::string(kIdPrefix) + std::string(value);
}

// Attributes that lazy-loading scripts read the real image from.
constexpr auto kLazySrc = std::to_array<std::string_view>({"data-src",      "data-original",
                                                      "data-lazy-src", "data-lazysrc",
                                                      "data-hi-res-src", "data-actualsrc"});
constexpr auto kLazySrcset = std::to_array<std::string_view>({"data-srcset", "data-lazy-srcset",
                                                         "data-original-set"});

void promote_lazy_image(Node& element, const SanitizeOptions& options) {
  for (std::string_view name : kLazySrc) {
    const std::string* lazy = element.attribute(name);
    if (lazy == nullptr) continue;
    if (auto url = clean_url(*lazy, options.base_url, UrlUse::image); url && !url->empty()) {
      element.set_attribute("src", *url);
      break;
    }
  }
  for (std::string_view name : kLazySrcset) {
    const std::string* lazy = element.attribute(name);
    if (lazy == nullptr) continue;
    if (auto srcset = clean_srcset(*lazy, options.base_url)) {
      element.set_attribute("srcset", *srcset);
      break;
    }
  }
}

void clean_attributes(Node& element, const SanitizeOptions& options) {
  if (element.is_element("img") || element.is_element("source")) promote_lazy_image(element, options);
  std::vector<Attribute> kept;
  for (auto& attribute : element.attributes) {
    const std::string& name = attribute.name;
    if (is_inert_attribute(name)) {
      kept.push_back(std::move(attribute));
    } else if (name == "id" || name == "name") {
      kept.push_back({name, with_id_prefix(attribute.value)});
    } else if (name == "usemap") {
      // A usemap names a <map> of this article: "#name".
      if (attribute.value.empty()) {
        kept.push_back(std::move(attribute));
      } else if (attribute.value.starts_with('#') && attribute.value.size() > 1) {
        kept.push_back({name, "#" + with_id_prefix(std::string_view(attribute.value).substr(1))});
      }
    } else if (name == "style") {
      std::string style = clean_style(attribute.value);
      if (!style.empty()) kept.push_back({name, std::move(style)});
    } else if (name == "srcset") {
      if (auto srcset = clean_srcset(attribute.value, options.base_url)) kept.push_back({name, *srcset});
    } else if (auto use = url_use(element, name)) {
      auto url = clean_url(attribute.value, options.base_url, *use);
      if (!url) continue;
      if (*use == UrlUse::link && url->size() > 1 && url->front() == '#') {
        url = "#" + with_id_prefix(std::string_view(*url).substr(1));
      }
      kept.push_back({name, std::move(*url)});
    }
  }
  element.attributes = std::move(kept);
  if ((element.is_element("a") || element.is_element("area")) && element.attribute("href") != nullptr) {
    element.set_attribute("rel", "noopener noreferrer");
  }
}

// A width or height attribute's number of pixels, if it is one.
std::optional<long> pixels(const std::string* value) {
  if (value == nullptr) return std::nullopt;
  std::string_view text = *value;
  while (!text.empty() && core::is_html_space(text.front())) text.remove_prefix(1);
  long number = 0;
  size_t digits = 0;
  while (digits < text.size() && digits < 6 && text[digits] >= '0' && text[digits] <= '9') {
    number = number * 10 + (text[digits] - '0');
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return number;
}

// 1×1 (or 0×0) images are there to count readers, not to be seen.
bool is_tracking_pixel(const Node& img) {
  const auto width = pixels(img.attribute("width"));
  const auto height = pixels(img.attribute("height"));
  if (!width && !height) return false;
  return (!width || *width <= 1) && (!height || *height <= 1);
}

// ------------------------------------------------------------------ walk ---

bool holds_image(const Node& node) {
  bool found = false;
  for_each_descendant(node, [&](const Node& descendant) {
    if (descendant.is_element("img")) found = true;
  });
  return found;
}

// MathML's visible text lives in its own token elements; HTML inside
// <mtext> (and any raw text there) is left out.
std::string math_text(const Node& math) {
  std::string text;
  for_each_descendant(math, [&](const Node& node) {
    if (node.kind == Node::Kind::text && node.parent() != nullptr &&
        node.parent()->tag.starts_with("math:")) {
      text += node.text;
    }
  });
  return text;
}

bool is_blank_text(const Node& node) {
  return node.kind == Node::Kind::text &&
         std::all_of(node.text.begin(), node.text.end(), core::is_html_space);
}

void clean_children(Node& parent, const SanitizeOptions& options);

// Unwraps `element` (at `index` in `parent`) after cleaning its content;
// returns the index after the inserted children.
size_t unwrap_cleaned(Node& parent, Node& element, size_t index, const SanitizeOptions& options) {
  clean_children(element, options);
  const size_t count = element.children().size();
  element.unwrap();
  (void)parent;
  return index + count;
}

void clean_children(Node& parent, const SanitizeOptions& options) {
  size_t i = 0;
  while (i < parent.children().size()) {
    Node& child = *parent.children()[i];
    if (child.kind == Node::Kind::comment) {
      child.detach();
      continue;
    }
    if (child.kind != Node::Kind::element) {
      ++i;
      continue;
    }
    switch (action_for(child)) {
      case Action::keep:
        clean_attributes(child, options);
        if (child.is_element("img") && is_tracking_pixel(child)) {
          child.detach();
          continue;
        }
        clean_children(child, options);
        ++i;
        break;
      case Action::drop:
        child.detach();
        break;
      case Action::unwrap:
        i = unwrap_cleaned(parent, child, i, options);
        break;
      case Action::to_pre:
        child.tag = "pre";
        child.attributes.clear();
        clean_children(child, options);
        ++i;
        break;
      case Action::math: {
        std::string text = math_text(child);
        child.detach();
        if (!text.empty()) {
          parent.insert_child(i, Node::make_text(std::move(text)));
          ++i;
        }
        break;
      }
      case Action::noscript: {
        if (!holds_image(child)) {
          child.detach();
          break;
        }
        // <img data-src=...><noscript><img src=...></noscript>: the
        // noscript image is the real one; the one before it is the
        // placeholder a script would have swapped.
        size_t before = i;
        while (before > 0 && is_blank_text(*parent.children()[before - 1])) --before;
        if (before > 0 && parent.children()[before - 1]->is_element("img")) {
          parent.children()[before - 1]->detach();
          --i;
        }
        i = unwrap_cleaned(parent, *parent.children()[i], i, options);
        break;
      }
    }
  }
}

// Plain text of what survived, for the rare input whose sanitized form
// does not settle (see sanitize()).
std::string text_only(const Node& root) {
  auto plain = Node::make_root();
  plain->append_child(Node::make_text(root.text_content()));
  return serialize_children(*plain);
}

void adopt_children(Node& target, Node& source) {
  while (!target.children().empty()) target.children().back()->detach();
  while (!source.children().empty()) target.append_child(source.children().front()->detach());
}

}  // namespace

namespace {

// Serializing can produce markup that parses into another tree (the parser
// moves and closes elements); sanitize what the parser makes of `output`
// until it no longer changes. Two rounds settle everything seen so far;
// four are allowed. `root` gets the settled tree; returns its text.
std::string settle(Node& root, std::string output, const SanitizeOptions& options) {
  for (int round = 0; round < 4; ++round) {
    auto reparsed = parse_serialized_fragment(output);
    clean_children(*reparsed, options);
    std::string again = serialize_children(*reparsed);
    if (again == output) {
      adopt_children(root, *reparsed);
      return output;
    }
    output = std::move(again);
  }
  auto fallback = parse_fragment(text_only(*parse_fragment(output)));
  adopt_children(root, *fallback);
  return serialize_children(root);
}

}  // namespace

std::string sanitize(Node& root, const SanitizeOptions& options) {
  clean_children(root, options);
  return settle(root, serialize_children(root), options);
}

std::string sanitize_html(std::string_view html, const SanitizeOptions& options) {
  auto root = parse_fragment(html);
  clean_children(*root, options);
  std::string output = serialize_children(*root);
  // Markup that comes out as it went in passes the very test settle()
  // applies to its own output: it is a fixed point already. Archived
  // articles, sanitized again each time a page shows them, mostly are.
  if (output == html) return output;
  return settle(*root, std::move(output), options);
}

}  // namespace newsmirror::clean
