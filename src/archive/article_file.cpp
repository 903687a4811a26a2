#include "archive/article_file.hpp"

#include <charconv>
#include <optional>

#include "archive/text.hpp"
#include "core/url.hpp"

namespace newsmirror::archive {
namespace {

core::Error parse_error(std::string_view what) {
  return core::Error(core::ErrorKind::parse, "article file: " + std::string(what));
}

// Reads lines one at a time; a line end is LF or CRLF.
class LineReader {
 public:
  explicit LineReader(std::string_view bytes) : rest_(bytes) {}
  bool at_end() const { return rest_.empty(); }
  std::string_view peek() const { return cut(rest_).first; }
  std::string_view next() {
    auto [line, consumed] = cut(rest_);
    rest_.remove_prefix(consumed);
    ++number_;
    return line;
  }
  // 1-based number of the line the last next() returned.
  std::size_t number() const { return number_; }
  std::string_view rest() const { return rest_; }

 private:
  static std::pair<std::string_view, std::size_t> cut(std::string_view s) {
    const std::size_t nl = s.find('\n');
    if (nl == std::string_view::npos) return {s, s.size()};
    std::string_view line = s.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return {line, nl + 1};
  }
  std::string_view rest_;
  std::size_t number_ = 0;
};

bool is_rule(std::string_view line) {
  line = text::trim_ascii(line);
  return line.size() >= 3 && line.find_first_not_of('-') == std::string_view::npos;
}

bool is_head(std::string_view line) {
  return line.starts_with('[') && line.ends_with(')') && line.rfind("](") != std::string_view::npos;
}

// Old scripts wrote a title holding a line break as it came, so the head
// of such a file spans a few lines; more than this is not a head.
constexpr int kMaxHeadLines = 4;

std::optional<core::TimePoint> parse_time_line(std::string_view line) {
  line = text::trim_ascii(line);
  if (!line.starts_with("<!--") || !line.ends_with("-->")) return std::nullopt;
  std::string_view digits = text::trim_ascii(line.substr(4, line.size() - 7));
  std::int64_t ms = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return core::TimePoint(std::chrono::milliseconds(ms));
}

}  // namespace

std::string single_line(std::string_view s) {
  s = text::trim_title(s);
  std::string out;
  out.reserve(s.size());
  auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\n' && s[i] != '\r') {
      out.push_back(s[i]);
      continue;
    }
    // A line break with the indentation around it (a pretty-printed feed)
    // is one space; spaces elsewhere are the title's own.
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
    while (i + 1 < s.size() && is_blank(s[i + 1])) ++i;
    out.push_back(' ');
  }
  return out;
}

std::string flatten_html(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t start = 0;
  while (start <= html.size()) {
    // Any of CR, LF, CRLF ends a source line; trimming drops the CR anyway.
    const std::size_t nl = html.find('\n', start);
    const std::string_view line =
        html.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += text::trim_ascii(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string render_article(const ArticleRecord& article) {
  const std::optional<std::string> link = core::url::serialize(article.link);
  std::string out = "<!--" + std::to_string(article.published.time_since_epoch().count()) + "-->\n[";
  out += text::escape_link_text(single_line(article.title));
  out += "](";
  out += link ? *link : single_line(article.link);
  out += ")\n------\n\n";
  out += flatten_html(article.html);
  out += '\n';
  return out;
}

core::Result<ArticleRecord> read_article(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);  // a BOM from an editor
  LineReader lines(bytes);
  ArticleRecord article;

  while (!lines.at_end() && text::trim_ascii(lines.peek()).empty()) lines.next();
  if (auto time = parse_time_line(lines.peek())) {
    article.published = *time;
    lines.next();
  }

  // `[title](link)`: titles may hold `]`, `[` and `](`; links practically
  // never hold `](`, so the split is at the last `](`.
  std::string head(text::trim_ascii(lines.next()));
  const std::size_t head_line = lines.number();
  // A line break in the title reads as one space, as single_line() makes it.
  for (int extra = 1; extra < kMaxHeadLines && head.starts_with('[') && !is_head(head) &&
                      !lines.at_end() && !is_rule(lines.peek());
       ++extra) {
    head += ' ';
    head += text::trim_ascii(lines.next());
  }
  const std::size_t split = head.rfind("](");
  if (!is_head(head))
    return parse_error("line " + std::to_string(head_line) + " is not `[title](link)`");
  article.title = text::unescape_link_text(std::string_view(head).substr(1, split - 1));
  article.link = head.substr(split + 2, head.size() - split - 3);

  // The `------` rule and the blank line after it; tolerate either missing.
  if (!lines.at_end()) {
    if (is_rule(lines.peek())) lines.next();
  }
  if (!lines.at_end() && text::trim_ascii(lines.peek()).empty()) lines.next();

  std::string_view html = lines.rest();
  if (html.ends_with("\n")) html.remove_suffix(1);
  if (html.ends_with("\r")) html.remove_suffix(1);
  article.html = std::string(html);
  return article;
}

}  // namespace newsmirror::archive
