// A deliberately small WHATWG-style URL serializer. It covers what feeds and
// the classic archive need (http/https links with non-ASCII paths, relative
// references, dot segments) and not IDNA or IPv4 number forms: a host is kept
// as given, lower-cased.
#include "core/url.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "core/ascii.hpp"

namespace newsmirror::core::url {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The WHATWG percent-encode sets, as predicates over one byte. Every set
// includes the C0 controls and everything above 0x7E, so non-ASCII UTF-8
// bytes are always escaped.
enum class EncodeSet { c0, fragment, query, special_query, path, userinfo };

bool in_set(unsigned char c, EncodeSet set) {
  if (c < 0x20 || c > 0x7E) return true;
  switch (set) {
    case EncodeSet::c0:
      return false;
    case EncodeSet::fragment:
      return c == ' ' || c == '"' || c == '<' || c == '>' || c == '`';
    case EncodeSet::query:
      return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>';
    case EncodeSet::special_query:
      return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>' || c == '\'';
    case EncodeSet::path:
      return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>' || c == '?' || c == '`' ||
             c == '{' || c == '}';
    case EncodeSet::userinfo:
      return in_set(c, EncodeSet::path) || c == '/' || c == ':' || c == ';' || c == '=' ||
             c == '@' || (c >= '[' && c <= '^') || c == '|';
  }
  return false;
}

// Existing escapes (and a bare '%') pass through untouched: the WHATWG
// parser never decodes or re-cases them, and the archive depends on that.
void append_encoded(std::string& out, std::string_view text, EncodeSet set) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (in_set(c, set)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(ch);
    }
  }
}

std::optional<int> default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return std::nullopt;
}

bool is_special(std::string_view scheme) {
  return scheme == "http" || scheme == "https" || scheme == "ftp" || scheme == "ws" ||
         scheme == "wss" || scheme == "file";
}

// Length of the "scheme" before ':' or 0 when there is none.
std::size_t scheme_length(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == ':') return i;
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

// WHATWG removes leading/trailing C0 controls and spaces and every tab or
// newline anywhere.
std::string strip_input(std::string_view text) {
  auto is_c0_or_space = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  while (!text.empty() && is_c0_or_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_c0_or_space(text.back())) text.remove_suffix(1);
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  return out;
}

bool is_single_dot(std::string_view s) { return s == "." || s == "%2e" || s == "%2E"; }
bool is_double_dot(std::string_view s) {
  std::string l = ascii_lower(s);
  return l == ".." || l == ".%2e" || l == "%2e." || l == "%2e%2e";
}

// Path parsing per WHATWG: segments split on '/' (and '\' for special
// schemes), dot segments resolved, each segment escaped.
std::string serialize_path(std::string_view path, bool special) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  // A path here always starts with a separator (or is empty).
  if (!path.empty() && (path[0] == '/' || (special && path[0] == '\\'))) start = 1;
  else if (path.empty()) return special ? "/" : "";
  while (true) {
    std::size_t end = start;
    while (end < path.size() && path[end] != '/' && !(special && path[end] == '\\')) ++end;
    std::string_view segment = path.substr(start, end - start);
    bool last = end >= path.size();
    if (is_double_dot(segment)) {
      if (!segments.empty()) segments.pop_back();
      if (last) segments.emplace_back();
    } else if (is_single_dot(segment)) {
      if (last) segments.emplace_back();
    } else {
      std::string encoded;
      append_encoded(encoded, segment, EncodeSet::path);
      segments.push_back(std::move(encoded));
    }
    if (last) break;
    start = end + 1;
  }
  std::string out;
  for (const auto& s : segments) {
    out.push_back('/');
    out += s;
  }
  if (out.empty() && special) out = "/";
  return out;
}

struct Parts {
  std::string scheme;
  bool has_authority = false;
  std::string authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

// Splits an absolute URL (already stripped) into raw RFC 3986 components,
// with WHATWG's leniency for special schemes (any run of slashes or
// backslashes introduces the authority).
std::optional<Parts> split(std::string_view text) {
  std::size_t n = scheme_length(text);
  if (n == 0) return std::nullopt;
  Parts parts;
  parts.scheme = ascii_lower(text.substr(0, n));
  std::string_view rest = text.substr(n + 1);
  bool special = is_special(parts.scheme);
  auto is_slash = [&](char c) { return c == '/' || (special && c == '\\'); };

  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    parts.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    parts.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (special && parts.scheme != "file") {
    std::size_t i = 0;
    while (i < rest.size() && is_slash(rest[i])) ++i;
    rest.remove_prefix(i);
    parts.has_authority = true;
  } else if (rest.size() >= 2 && is_slash(rest[0]) && is_slash(rest[1])) {
    rest.remove_prefix(2);
    parts.has_authority = true;
  }
  if (parts.has_authority) {
    std::size_t end = 0;
    while (end < rest.size() && !is_slash(rest[end])) ++end;
    parts.authority = std::string(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  parts.path = std::string(rest);
  return parts;
}

std::optional<std::string> serialize_parts(const Parts& parts) {
  bool special = is_special(parts.scheme);
  std::string out = parts.scheme + ":";
  if (parts.has_authority) {
    std::string_view authority = parts.authority;
    std::string userinfo;
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
      std::string_view user = authority.substr(0, at);
      std::string_view password;
      if (auto colon = user.find(':'); colon != std::string_view::npos) {
        password = user.substr(colon + 1);
        user = user.substr(0, colon);
      }
      append_encoded(userinfo, user, EncodeSet::userinfo);
      if (!password.empty()) {
        userinfo.push_back(':');
        append_encoded(userinfo, password, EncodeSet::userinfo);
      }
      authority = authority.substr(at + 1);
    }
    std::string_view host = authority;
    std::string_view port;
    // The port follows the last ':' outside an IPv6 literal.
    std::size_t close = host.rfind(']');
    std::size_t colon = host.rfind(':');
    if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty() && special && parts.scheme != "file") return std::nullopt;
    // Forbidden host code points make the whole URL invalid.
    for (char c : host)
      if (c == ' ' || c == '<' || c == '>' || c == '^' || c == '|') return std::nullopt;
    out += "//";
    if (!userinfo.empty()) out += userinfo + "@";
    out += ascii_lower(host);
    if (!port.empty()) {
      if (!std::all_of(port.begin(), port.end(), is_digit)) return std::nullopt;
      std::size_t i = 0;
      while (i + 1 < port.size() && port[i] == '0') ++i;
      std::string_view digits = port.substr(i);
      if (digits.size() > 5) return std::nullopt;
      int value = std::stoi(std::string(digits));
      if (value > 65535) return std::nullopt;
      if (default_port(parts.scheme) != value) out += ":" + std::string(digits);
    }
    out += serialize_path(parts.path, special);
  } else if (special) {
    out += serialize_path(parts.path, special);
  } else {
    // An opaque path ("mailto:a@b", "urn:x") only escapes controls.
    append_encoded(out, parts.path, EncodeSet::c0);
  }
  if (parts.query) {
    out.push_back('?');
    append_encoded(out, *parts.query, special ? EncodeSet::special_query : EncodeSet::query);
  }
  if (parts.fragment) {
    out.push_back('#');
    append_encoded(out, *parts.fragment, EncodeSet::fragment);
  }
  return out;
}

// RFC 3986 section 5.2.4 on a raw path.
std::string merge_paths(const Parts& base, std::string_view reference_path) {
  if (base.has_authority && base.path.empty()) return "/" + std::string(reference_path);
  auto slash = base.path.rfind('/');
  if (slash == std::string::npos) return std::string(reference_path);
  return base.path.substr(0, slash + 1) + std::string(reference_path);
}

std::string compose(const Parts& p) {
  std::string out = p.scheme + ":";
  if (p.has_authority) out += "//" + p.authority;
  out += p.path;
  if (p.query) out += "?" + *p.query;
  if (p.fragment) out += "#" + *p.fragment;
  return out;
}

}  // namespace

bool is_absolute(std::string_view text) {
  std::string stripped = strip_input(text);
  return scheme_length(stripped) > 0;
}

std::optional<std::string> serialize(std::string_view text) {
  std::string stripped = strip_input(text);
  auto parts = split(stripped);
  if (!parts) return std::nullopt;
  return serialize_parts(*parts);
}

std::optional<std::string> resolve(std::string_view base, std::string_view reference) {
  std::string ref = strip_input(reference);
  if (scheme_length(ref) > 0) {
    // WHATWG: "http:foo" against an http base is relative, not absolute.
    std::string scheme = ascii_lower(std::string_view(ref).substr(0, scheme_length(ref)));
    auto base_parts = split(strip_input(base));
    bool same_special = base_parts && base_parts->scheme == scheme && is_special(scheme);
    std::string_view after = std::string_view(ref).substr(scheme.size() + 1);
    if (!same_special || after.starts_with("/") || after.starts_with("\\")) return serialize(ref);
    ref = std::string(after);
  }
  auto serialized_base = serialize(base);
  if (!serialized_base) return std::nullopt;
  auto b = split(*serialized_base);
  if (!b) return std::nullopt;
  bool special = is_special(b->scheme);
  if (special) {
    // Backslashes count as slashes before the query in special schemes.
    auto end = ref.find_first_of("?#");
    std::replace(ref.begin(), end == std::string::npos ? ref.end() : ref.begin() + static_cast<std::ptrdiff_t>(end), '\\', '/');
  }

  Parts target;
  target.scheme = b->scheme;
  std::string_view r = ref;
  std::optional<std::string> r_fragment, r_query;
  if (auto hash = r.find('#'); hash != std::string_view::npos) {
    r_fragment = std::string(r.substr(hash + 1));
    r = r.substr(0, hash);
  }
  if (auto q = r.find('?'); q != std::string_view::npos) {
    r_query = std::string(r.substr(q + 1));
    r = r.substr(0, q);
  }
  if (r.starts_with("//")) {
    return serialize(b->scheme + ":" + ref);
  }
  target.has_authority = b->has_authority;
  target.authority = b->authority;
  if (r.empty()) {
    target.path = b->path;
    target.query = r_query ? r_query : b->query;
  } else {
    target.path = r.starts_with("/") ? std::string(r) : merge_paths(*b, r);
    target.query = r_query;
  }
  target.fragment = r_fragment;
  // Dot segments are removed by the serializer, as WHATWG does.
  return serialize(compose(target));
}

std::string redact_password(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  std::size_t authority = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::size_t at = url.rfind('@', authority_end);
  if (at == std::string_view::npos || at < authority) return std::string(url);
  std::size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace newsmirror::core::url
