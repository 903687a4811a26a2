#include "site/site_paths.hpp"

#include <algorithm>

namespace newsmirror::site {

std::string_view file_stem(std::string_view file) {
  auto slash = file.rfind('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  if (file.size() > 3 && file.substr(file.size() - 3) == ".md") file.remove_suffix(3);
  return file;
}

namespace {

std::string in_site(std::string_view site, std::string_view name) {
  std::string path = "sites/";
  path += site;
  path += '/';
  path += name;
  return path;
}

}  // namespace

std::string site_index_path(std::string_view site) { return in_site(site, "index.html"); }

std::string month_path(std::string_view site, std::string_view year_month) {
  return in_site(site, std::string(year_month) + ".html");
}

std::string article_path(std::string_view site, std::string_view stem) {
  return in_site(site, std::string(stem) + ".html");
}

std::string version_path(std::string_view site, std::string_view stem, int ordinal) {
  return in_site(site, std::string(stem) + ".v" + std::to_string(ordinal) + ".html");
}

std::string article_path(const catalog::Article& article) {
  return article_path(article.site, file_stem(article.file));
}

std::string version_path(const catalog::Article& article, int ordinal) {
  return version_path(article.site, file_stem(article.file), ordinal);
}

std::string article_path(const ListedArticle& article) { return article_path(article.site(), article.stem()); }

std::string version_path(const ListedArticle& article, int ordinal) {
  return version_path(article.site(), article.stem(), ordinal);
}

std::string site_feed_path(std::string_view site, std::string_view extension) {
  return in_site(site, "feed." + std::string(extension));
}

std::string with_variant(std::string_view path, std::string_view variant) {
  if (variant.empty()) return std::string(path);
  auto slash = path.rfind('/');
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return std::string(path) + "." + std::string(variant);
  }
  std::string out(path.substr(0, dot));
  out += '.';
  out += variant;
  out += path.substr(dot);
  return out;
}

std::string root_prefix(std::string_view path) {
  std::string prefix;
  for (auto slashes = std::count(path.begin(), path.end(), '/'); slashes > 0; --slashes) {
    prefix += "../";
  }
  return prefix;
}

namespace {

// Percent-encodes every byte outside RFC 3986's unreserved set, and '/'
// too unless `keep_slash`.
std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && keep_slash);
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string href(std::string_view path) { return percent_encode(path, true); }

std::string query_value_encoded(std::string_view value) { return percent_encode(value, false); }

}  // namespace newsmirror::site
