#include "clean/nesting_limit.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "core/ascii.hpp"

namespace newsmirror::clean {

namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

template <std::size_t N>
bool is_one_of(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// Elements that never hold others (void), or that the parser closes by
// itself when the next one starts, so that they cannot pile up.
constexpr std::string_view kNotCounted[] = {
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr", "image",
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup",
    "caption", "rb", "rt", "rtc", "rp", "html", "head", "body"};

// Their content is text up to their own end tag: no markup inside.
constexpr std::string_view kRawText[] = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                                         "noframes"};

// Just past the '>' that ends the tag whose name ends at `at`, skipping
// quoted attribute values; html.size() if the tag never ends.
std::size_t end_of_tag(std::string_view html, std::size_t at) {
  while (at < html.size()) {
    char c = html[at];
    if (c == '>') return at + 1;
    if (c == '=') {
      ++at;
      while (at < html.size() && core::is_html_space(html[at])) ++at;
      if (at < html.size() && (html[at] == '"' || html[at] == '\'')) {
        std::size_t close = html.find(html[at], at + 1);
        if (close == std::string_view::npos) return html.size();
        at = close + 1;
        continue;
      }
      continue;
    }
    ++at;
  }
  return html.size();
}

// The start of `</name` (any case) at or after `from`, or npos.
std::size_t find_end_tag(std::string_view html, std::string_view name, std::size_t from) {
  while ((from = html.find("</", from)) != std::string_view::npos) {
    std::size_t after = from + 2 + name.size();
    if (after <= html.size() && core::ascii_lower(html.substr(from + 2, name.size())) == name &&
        (after == html.size() || core::is_html_space(html[after]) || html[after] == '>' || html[after] == '/'))
      return from;
    from += 2;
  }
  return std::string_view::npos;
}

class Limiter {
 public:
  Limiter(std::string_view html, std::size_t max_depth) : html_(html), max_depth_(max_depth) {}

  std::optional<std::string> run() {
    std::size_t at = 0;
    while ((at = html_.find('<', at)) != std::string_view::npos) at = step(at);
    if (!changed_) return std::nullopt;
    out_.append(html_.substr(kept_until_));
    return std::move(out_);
  }

 private:
  // Reads the markup that starts at `at` (a '<'); returns where to go on.
  std::size_t step(std::size_t at) {
    std::string_view rest = html_.substr(at);
    if (rest.starts_with("<!--")) {
      std::size_t end = html_.find("-->", at + 4);
      return end == std::string_view::npos ? html_.size() : end + 3;
    }
    if (rest.size() > 1 && (rest[1] == '!' || rest[1] == '?')) {
      std::size_t end = html_.find('>', at + 2);
      return end == std::string_view::npos ? html_.size() : end + 1;
    }
    const bool closing = rest.size() > 1 && rest[1] == '/';
    std::size_t name_start = at + (closing ? 2 : 1);
    if (name_start >= html_.size() || !is_letter(html_[name_start])) return at + 1;
    std::size_t name_end = name_start;
    while (name_end < html_.size() && !core::is_html_space(html_[name_end]) && html_[name_end] != '/' &&
           html_[name_end] != '>')
      ++name_end;
    std::string name = core::ascii_lower(html_.substr(name_start, name_end - name_start));
    std::size_t tag_end = end_of_tag(html_, name_end);
    if (closing) return end_tag(name, at, tag_end);
    return start_tag(name, at, tag_end);
  }

  std::size_t start_tag(const std::string& name, std::size_t at, std::size_t tag_end) {
    if (name == "plaintext") return html_.size();  // the rest of the page is text
    if (is_one_of(name, kRawText)) {
      std::size_t end = find_end_tag(html_, name, tag_end);
      return end == std::string_view::npos ? html_.size() : end;
    }
    if (is_one_of(name, kNotCounted)) return tag_end;
    // "<div/>" opens a <div> in HTML; only inside SVG or MathML does the
    // slash close the element.
    if (foreign_ > 0 && tag_end >= 2 && html_[tag_end - 2] == '/') return tag_end;
    if (open_.size() >= max_depth_) {
      cut(at, tag_end);
      ++dropped_[name];
      return tag_end;
    }
    open_.push_back(name);
    if (name == "svg" || name == "math") ++foreign_;
    return tag_end;
  }

  std::size_t end_tag(const std::string& name, std::size_t at, std::size_t tag_end) {
    // A dropped element is deeper than any open one, so it is the one an
    // end tag of its name closes first.
    if (auto dropped = dropped_.find(name); dropped != dropped_.end() && dropped->second > 0) {
      --dropped->second;
      cut(at, tag_end);
      return tag_end;
    }
    auto open = std::find(open_.rbegin(), open_.rend(), name);
    if (open == open_.rend()) return tag_end;  // a stray end tag: the parser ignores it
    const auto index = static_cast<std::size_t>(open_.rend() - open) - 1;
    while (open_.size() > index) {
      if (open_.back() == "svg" || open_.back() == "math") --foreign_;
      open_.pop_back();
    }
    return tag_end;
  }

  // Leaves html_[from, to) out of the output.
  void cut(std::size_t from, std::size_t to) {
    if (!changed_) out_.reserve(html_.size());
    changed_ = true;
    out_.append(html_.substr(kept_until_, from - kept_until_));
    kept_until_ = to;
  }

  std::string_view html_;
  std::size_t max_depth_;
  std::vector<std::string> open_;
  std::map<std::string, std::size_t> dropped_;
  int foreign_ = 0;
  bool changed_ = false;
  std::string out_;
  std::size_t kept_until_ = 0;
};

}  // namespace

std::optional<std::string> limit_nesting(std::string_view html, std::size_t max_depth) {
  return Limiter(html, max_depth).run();
}

}  // namespace newsmirror::clean
