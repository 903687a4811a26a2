#include "archive/list_page.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "archive/file_name.hpp"
#include "archive/text.hpp"

namespace newsmirror::archive {
namespace {

constexpr std::string_view kFooterText = "[\xE6\x9F\xA5\xE7\x9C\x8B\xE6\x9B\xB4\xE5\xA4\x9A]";  // [查看更多]
constexpr std::string_view kArticlesPrefix = "/articles/";

bool parentheses_balanced(std::string_view s) {
  int depth = 0;
  for (const char c : s) {
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) return false;
  }
  return depth == 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split_lines(std::string_view bytes) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= bytes.size()) {
    const std::size_t nl = bytes.find('\n', start);
    std::string_view line = bytes.substr(start, nl == std::string_view::npos ? std::string_view::npos
                                                                              : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

core::Error parse_error(std::size_t line_number, std::string_view what) {
  return core::Error(core::ErrorKind::parse,
                     "list page line " + std::to_string(line_number) + ": " + std::string(what));
}

}  // namespace

core::TimeZone ListStyle::utc_plus_8() {
  auto zone = core::TimeZone::from_name("+08:00");
  return zone.ok() ? *zone : core::TimeZone();
}

std::string escape_link_path(std::string_view file_name) {
  const bool escape_parentheses = !parentheses_balanced(file_name);
  std::string out;
  out.reserve(file_name.size() + 16);
  for (const char c : file_name) {
    switch (c) {
      case ' ': out += "%20"; break;
      case '|': out += "%7C"; break;
      case '\\': out += "%5C"; break;
      case '(': out += escape_parentheses ? "%28" : "("; break;
      case ')': out += escape_parentheses ? "%29" : ")"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape_link_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && hex_value(path[i + 1]) >= 0 &&
        hex_value(path[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

std::string render_list_entry(std::string_view folder, const ListItem& item,
                              const core::TimeZone& zone) {
  using namespace std::chrono;
  const sys_seconds utc = floor<seconds>(item.published);
  const sys_seconds local = utc + zone.offset_at_utc(utc);
  const year_month_day date{floor<days>(local)};
  std::string line = std::to_string(static_cast<unsigned>(date.month())) + "-" +
                     std::to_string(static_cast<unsigned>(date.day())) + " [";
  line += text::escape_link_text(text::trim_title(item.title));
  line += "](";
  line += kArticlesPrefix;
  line += escape_link_path(folder);
  line += '/';
  line += escape_link_path(item.file_name);
  line += ')';
  return line;
}

std::string render_list_page(std::string_view site, const std::vector<ListItem>& newest_first,
                             const ListStyle& style) {
  // The folder the articles live in: site_dir_name(site) unless the style
  // names another (identical to the site for every existing mirror's sites).
  const std::string folder = style.folder ? *style.folder : site_dir_name(site);
  std::string page(site);
  page += "\n------\n\n";
  const std::size_t count = std::min(style.max_entries, newest_first.size());
  for (std::size_t i = 0; i < count; ++i) {
    page += render_list_entry(folder, newest_first[i], style.zone);
    page += "\n\n";
  }
  if (style.footer) {
    // Two blank lines before the footer and no newline after it, as the
    // October 2020 pages have it.
    page += '\n';
    page += kFooterText;
    page += '(';
    page += kArticlesPrefix;
    page += escape_link_path(folder);
    page += ')';
  }
  return page;
}

core::Result<ListPage> parse_list_page(std::string_view bytes) {
  const std::vector<std::string_view> lines = split_lines(bytes);
  if (lines.size() < 2 || lines[1].find_first_not_of('-') != std::string_view::npos ||
      lines[1].empty())
    return parse_error(2, "expected the `------` under the site name");
  ListPage page;
  page.site = std::string(lines[0]);
  for (std::size_t n = 2; n < lines.size(); ++n) {
    const std::string_view line = text::trim_ascii_right(lines[n]);
    if (line.empty()) continue;
    const std::size_t line_number = n + 1;
    if (line.starts_with(kFooterText)) {
      page.footer = true;
      continue;
    }
    // M-D [title](/articles/<folder>/<path>)
    unsigned month = 0;
    unsigned day = 0;
    const char* p = line.data();
    const char* end = line.data() + line.size();
    auto r = std::from_chars(p, end, month);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != '-')
      return parse_error(line_number, "expected `M-D [title](link)`");
    r = std::from_chars(r.ptr + 1, end, day);
    if (r.ec != std::errc() || end - r.ptr < 2 || r.ptr[0] != ' ' || r.ptr[1] != '[' ||
        line.back() != ')' || month < 1 || month > 12 || day < 1 || day > 31)
      return parse_error(line_number, "expected `M-D [title](link)`");
    const std::string_view rest(r.ptr + 2, static_cast<std::size_t>(end - r.ptr - 2));
    // Titles may hold `]` and `(`; the link starts at the last "](/articles/".
    const std::size_t split = rest.rfind(std::string("](") + std::string(kArticlesPrefix));
    if (split == std::string_view::npos)
      return parse_error(line_number, "link does not start with /articles/");
    ListPageEntry entry;
    entry.month = month;
    entry.day = day;
    entry.title = text::unescape_link_text(rest.substr(0, split));
    std::string_view path = rest.substr(split + 2 + kArticlesPrefix.size());
    path.remove_suffix(1);  // the closing parenthesis
    const std::size_t slash = path.find('/');
    if (slash == std::string_view::npos)
      return parse_error(line_number, "link has no file name after the site folder");
    entry.folder = unescape_link_path(path.substr(0, slash));
    entry.file_name = unescape_link_path(path.substr(slash + 1));
    page.entries.push_back(std::move(entry));
  }
  return page;
}

}  // namespace newsmirror::archive
