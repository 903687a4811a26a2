#include "fetch/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "core/ascii.hpp"

namespace newsmirror::fetch {

namespace {

struct Range4 {
  std::uint32_t base;
  int prefix;
  std::string_view kind;
};

constexpr std::uint32_t ipv4(int a, int b, int c, int d) {
  return (std::uint32_t(a) << 24) | (std::uint32_t(b) << 16) | (std::uint32_t(c) << 8) | std::uint32_t(d);
}

// The IANA special-purpose registry, less the ranges that are public in
// practice (the 6to4 relay anycast, which routes like any other address).
constexpr std::array kSpecialIpv4 = {
    Range4{ipv4(0, 0, 0, 0), 8, "unspecified"},
    Range4{ipv4(10, 0, 0, 0), 8, "private"},
    Range4{ipv4(100, 64, 0, 0), 10, "shared (CGNAT)"},
    Range4{ipv4(127, 0, 0, 0), 8, "loopback"},
    Range4{ipv4(169, 254, 0, 0), 16, "link-local"},
    Range4{ipv4(172, 16, 0, 0), 12, "private"},
    Range4{ipv4(192, 0, 0, 0), 24, "reserved"},
    Range4{ipv4(192, 0, 2, 0), 24, "documentation"},
    Range4{ipv4(192, 168, 0, 0), 16, "private"},
    Range4{ipv4(198, 18, 0, 0), 15, "benchmarking"},
    Range4{ipv4(198, 51, 100, 0), 24, "documentation"},
    Range4{ipv4(203, 0, 113, 0), 24, "documentation"},
    Range4{ipv4(224, 0, 0, 0), 4, "multicast"},
    Range4{ipv4(240, 0, 0, 0), 4, "reserved"},
};

std::optional<std::string_view> ipv4_kind(std::uint32_t address) {
  for (const auto& range : kSpecialIpv4) {
    std::uint32_t mask = ~std::uint32_t(0) << (32 - range.prefix);
    if ((address & mask) == range.base) return range.kind;
  }
  return std::nullopt;
}

std::uint32_t ipv4_at(const unsigned char* bytes) {
  return ipv4(bytes[0], bytes[1], bytes[2], bytes[3]);
}

bool starts_with_bytes(const unsigned char* bytes, std::initializer_list<unsigned char> prefix) {
  return std::memcmp(bytes, prefix.begin(), prefix.size()) == 0;
}

std::optional<std::string_view> ipv6_kind(const unsigned char* b) {
  static constexpr unsigned char kZero[16] = {};
  if (std::memcmp(b, kZero, 16) == 0) return "unspecified";
  if (std::memcmp(b, kZero, 15) == 0 && b[15] == 1) return "loopback";
  // Forms that carry an IPv4 address, which is where they lead.
  if (std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) return ipv4_kind(ipv4_at(b + 12));
  if (std::memcmp(b, kZero, 12) == 0) return ipv4_kind(ipv4_at(b + 12));  // IPv4-compatible
  if (starts_with_bytes(b, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}))
    return ipv4_kind(ipv4_at(b + 12));  // NAT64 well-known prefix
  if (starts_with_bytes(b, {0x20, 0x02})) return ipv4_kind(ipv4_at(b + 2));  // 6to4
  if ((b[0] & 0xfe) == 0xfc) return "private";           // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "private";  // site-local, deprecated
  if (b[0] == 0xff) return "multicast";
  if (starts_with_bytes(b, {0x20, 0x01, 0x0d, 0xb8})) return "documentation";
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) return "reserved";  // 2001::/23, Teredo among them
  // Only 2000::/3 is handed out as global unicast.
  if ((b[0] & 0xe0) != 0x20) return "reserved";
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> non_public_kind(const sockaddr& address) {
  if (address.sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, &address, sizeof in);
    return ipv4_kind(ntohl(in.sin_addr.s_addr));
  }
  if (address.sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, &address, sizeof in6);
    return ipv6_kind(in6.sin6_addr.s6_addr);
  }
  return "not an internet address";
}

std::optional<std::string_view> non_public_host_kind(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string text(host);
  // A zone ("fe80::1%eth0") names an interface of this machine.
  if (auto percent = text.find('%'); percent != std::string::npos) text.resize(percent);
  in6_addr in6;
  if (inet_pton(AF_INET6, text.c_str(), &in6) == 1) return ipv6_kind(in6.s6_addr);
  // inet_aton, unlike inet_pton, reads every form a URL parser might:
  // 2130706433, 0x7f.1, 0177.0.0.1.
  in_addr in;
  if (inet_aton(text.c_str(), &in) == 1) return ipv4_kind(ntohl(in.s_addr));
  std::string name = core::ascii_lower(text);
  while (!name.empty() && name.back() == '.') name.pop_back();
  if (name == "localhost" || name.ends_with(".localhost")) return "loopback";
  return std::nullopt;
}

std::string address_text(const sockaddr& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, &address, sizeof in);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
  } else if (address.sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, &address, sizeof in6);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
  } else {
    return "an address of family " + std::to_string(address.sa_family);
  }
  return text;
}

}  // namespace newsmirror::fetch
