#include "clean/style_filter.hpp"

#include "core/ascii.hpp"

#include <algorithm>
#include <array>

namespace newsmirror::clean {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
template <size_t N>
bool among(const std::array<std::string_view, N>& set, std::string_view word) {
  return std::find(set.begin(), set.end(), word) != set.end();
}

// Properties whose keywords may be any identifier: their values cannot name
// a resource once url() and functions other than colours are refused.
constexpr auto kFreeProperties = std::to_array<std::string_view>({
    "color",         "background-color", "border-collapse", "border-spacing", "caption-side",
    "clear",         "cursor",           "direction",       "display",        "empty-cells",
    "float",         "font",             "font-family",     "font-size",      "font-style",
    "font-variant",  "font-weight",      "height",          "width",          "max-width",
    "min-width",     "max-height",       "min-height",      "letter-spacing", "word-spacing",
    "line-height",   "list-style-type",  "overflow",        "table-layout",   "text-align",
    "text-decoration", "text-indent",    "text-transform",  "unicode-bidi",   "vertical-align",
    "white-space",   "word-break",       "overflow-wrap"});

// background*, border*, margin* and padding* shorthands and longhands take
// only these keywords (besides colours and lengths): no repeat, no
// attachment, no image.
constexpr auto kBoxKeywords = std::to_array<std::string_view>({
    "aqua",   "black",   "blue",   "fuchsia", "gray",    "grey",        "green",  "lime",
    "maroon", "navy",    "olive",  "purple",  "red",     "silver",      "teal",   "white",
    "yellow", "orange",  "transparent", "currentcolor", "none", "hidden", "dotted", "dashed",
    "solid",  "double",  "groove", "ridge",   "inset",   "outset",      "auto",   "center",
    "top",    "bottom",  "left",   "right",   "medium",  "thin",        "thick",
});

constexpr auto kUnits = std::to_array<std::string_view>({"px", "em",  "ex",  "rem",  "pt",   "pc",
                                                     "cm", "mm",  "in",  "%",    "vw",   "vh",
                                                     "ch", "vmin", "vmax", "q"});

bool is_box_property(std::string_view name) {
  for (std::string_view family : {"background", "border", "margin", "padding"}) {
    if (name == family || (name.starts_with(family) && name[family.size()] == '-')) return true;
  }
  return false;
}

// Checks `value` token by token; returns it with white space collapsed, or
// "" when a token is not allowed.
constexpr size_t kInvalid = std::string_view::npos;

// The end of the colour #rgb, #rgba, #rrggbb or #rrggbbaa at value[start],
// or kInvalid.
size_t hex_color_end(std::string_view value, size_t start) {
  size_t i = start + 1;
  while (i < value.size() && is_hex(value[i])) ++i;
  const size_t digits = i - start - 1;
  return digits == 3 || digits == 4 || digits == 6 || digits == 8 ? i : kInvalid;
}

// The end of a quoted font name at value[start]: nothing in it that could
// end the declaration early. kInvalid otherwise.
size_t quoted_end(std::string_view value, size_t start) {
  const char quote = value[start];
  size_t i = start + 1;
  for (; i < value.size() && value[i] != quote; ++i) {
    const char q = value[i];
    if (!is_alpha(q) && !is_digit(q) && q != ' ' && q != '-' && q != '_') return kInvalid;
  }
  return i < value.size() ? i + 1 : kInvalid;
}

// The end of a number and its unit at value[start]; `start` when no number
// starts there, kInvalid for one refused. Sizes beyond 9999 units only
// ever serve to push things off the page.
size_t number_end(std::string_view value, size_t start) {
  size_t j = start;
  if (value[j] == '-' || value[j] == '+') ++j;
  if (j >= value.size() || !(is_digit(value[j]) || value[j] == '.')) return start;
  size_t whole = 0;
  while (j < value.size() && is_digit(value[j])) ++j, ++whole;
  size_t fraction = 0;
  if (j < value.size() && value[j] == '.') {
    ++j;
    while (j < value.size() && is_digit(value[j])) ++j, ++fraction;
    if (fraction == 0) return kInvalid;
  }
  if (whole > 4 || fraction > 4 || whole + fraction == 0) return kInvalid;
  const size_t unit_start = j;
  while (j < value.size() && (is_alpha(value[j]) || value[j] == '%')) ++j;
  const std::string unit = core::ascii_lower(value.substr(unit_start, j - unit_start));
  return unit.empty() || among(kUnits, unit) ? j : kInvalid;
}

// The end of a keyword (one of kBoxKeywords for a box property) or of a
// colour function with numeric arguments at value[start], or kInvalid.
size_t word_end(std::string_view value, size_t start, bool box_property) {
  size_t j = start;
  while (j < value.size() && (is_alpha(value[j]) || is_digit(value[j]) || value[j] == '-')) ++j;
  const std::string word = core::ascii_lower(value.substr(start, j - start));
  if (j < value.size() && value[j] == '(') {
    if (word != "rgb" && word != "rgba" && word != "hsl" && word != "hsla") return kInvalid;
    for (++j; j < value.size() && value[j] != ')'; ++j) {
      const char a = value[j];
      if (!is_digit(a) && a != '.' && a != ',' && a != '%' && a != ' ' && a != '/' && a != '-' && a != 'd' &&
          a != 'e' && a != 'g')
        return kInvalid;
    }
    return j < value.size() ? j + 1 : kInvalid;
  }
  return box_property && !among(kBoxKeywords, word) ? kInvalid : j;
}

std::string checked_value(std::string_view value, bool box_property) {
  std::string out;
  size_t i = 0;
  bool important = false;
  bool spaced = false;  // white space since the last token ("a, b" keeps its space)
  auto append_token = [&](std::string_view token) {
    if (!out.empty() && (out.back() != ',' || spaced)) out += ' ';
    out += token;
    spaced = false;
  };
  while (i < value.size()) {
    const char c = value[i];
    if (important) return {};  // !important ends a value
    if (core::is_html_space(c)) {
      spaced = true;
      ++i;
      continue;
    }
    if (c == ',') {
      if (out.empty() || out.back() == ',') return {};
      out += ',';
      spaced = false;
      ++i;
      continue;
    }
    if (c == '!') {
      if (core::ascii_lower(value.substr(i + 1, 9)) != "important") return {};
      i += 10;
      append_token("!important");
      important = true;
      continue;
    }
    size_t end = kInvalid;
    if (c == '#') {
      end = hex_color_end(value, i);
    } else if (c == '\'' || c == '"') {
      end = quoted_end(value, i);
    } else {
      end = is_digit(c) || c == '.' || c == '-' || c == '+' ? number_end(value, i) : i;
      if (end == i) end = is_alpha(c) || c == '-' ? word_end(value, i, box_property) : kInvalid;
    }
    if (end == kInvalid) return {};
    append_token(value.substr(i, end - i));
    i = end;
  }
  if (!out.empty() && out.back() == ',') return {};
  return out;
}

}  // namespace

std::string clean_style(std::string_view style) {
  std::string out;
  size_t at = 0;
  while (at <= style.size()) {
    size_t end = style.find(';', at);
    if (end == std::string_view::npos) end = style.size();
    const std::string_view declaration = style.substr(at, end - at);
    at = end + 1;
    const size_t colon = declaration.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = core::ascii_lower(core::trim_html_space(declaration.substr(0, colon)));
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return is_alpha(c) || c == '-'; })) {
      continue;
    }
    const bool box = !among(kFreeProperties, name) && is_box_property(name);
    if (!box && !among(kFreeProperties, name)) continue;
    const std::string value = checked_value(core::trim_html_space(declaration.substr(colon + 1)), box);
    if (value.empty()) continue;
    if (!out.empty()) out += ' ';
    out += name + ": " + value + ";";
  }
  return out;
}

}  // namespace newsmirror::clean
