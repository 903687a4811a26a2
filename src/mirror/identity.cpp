#include "mirror/identity.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"
#include "core/hash.hpp"
#include "core/url.hpp"

namespace newsmirror::mirror {

namespace {

std::string trimmed_text(std::string_view text) { return std::string(core::trim_c_space(text)); }

bool is_tracking_parameter(std::string_view name) {
  return name.starts_with("utm_") || name == "fbclid" || name == "gclid" || name == "spm";
}

std::string format_time(const std::optional<core::TimePoint>& time) {
  return time ? std::to_string(time->time_since_epoch().count()) : "";
}

}  // namespace

std::string normalize_link(std::string_view link) {
  std::string url = core::url::serialize(link).value_or(trimmed_text(link));
  if (auto hash = url.find('#'); hash != std::string::npos) url.erase(hash);
  if (auto scheme = url.find("://"); scheme != std::string::npos) url.erase(0, scheme + 3);

  auto path_start = std::min(url.find('/'), url.find('?'));
  std::string host = url.substr(0, path_start);
  std::string rest = path_start == std::string::npos ? "" : url.substr(path_start);
  for (const char* port : {":80", ":443"})
    if (host.ends_with(port)) host.resize(host.size() - std::string_view(port).size());

  auto query_start = rest.find('?');
  if (query_start == std::string::npos) return host + rest;
  std::string path = rest.substr(0, query_start), kept;
  std::string_view query = std::string_view(rest).substr(query_start + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.empty() || is_tracking_parameter(pair.substr(0, pair.find('=')))) continue;
    kept += kept.empty() ? "?" : "&";
    kept += pair;
  }
  return host + path + kept;
}

std::string link_key(std::string_view site, std::string_view link) {
  return "link:" + std::string(site) + "\x1f" + normalize_link(link);
}

std::vector<std::string> identity_keys(std::string_view site, const core::Entry& entry) {
  std::string scope = std::string(site) + "\x1f";
  std::vector<std::string> keys;
  if (entry.id && !trimmed_text(*entry.id).empty()) keys.push_back("guid:" + scope + trimmed_text(*entry.id));
  if (entry.link && !trimmed_text(*entry.link).empty())
    keys.push_back(link_key(site, *entry.link));
  if (keys.empty()) {
    std::string basis = entry.title.value_or("") + "\x1f" + format_time(entry.published) + "\x1f" +
                        format_time(entry.updated);
    keys.push_back("hash:" + scope + core::sha256_hex(basis));
  }
  return keys;
}

}  // namespace newsmirror::mirror
