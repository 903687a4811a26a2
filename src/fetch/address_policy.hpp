// Which network addresses a URL taken from content may reach.
//
// A feed is written by someone else. The links of its items and the images
// of its articles are fetched by newsmirror, from the operator's machine,
// inside the operator's network: without a check, a hostile feed could make
// the mirror read the router's admin page or the cloud's metadata service
// and publish what it found. Requests that come from content therefore
// connect only to public addresses. The check is made on the address the
// connection really goes to (after name resolution, at every redirect), so
// no spelling of a host name or number gets past it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

struct sockaddr;

namespace newsmirror::fetch {

// Why an address is not public: "loopback", "private", "link-local",
// "shared (CGNAT)", "multicast", "unspecified", "reserved", ... or nullopt
// when it is an ordinary public address. IPv4-mapped, IPv4-compatible,
// NAT64 and 6to4 IPv6 addresses are judged by the IPv4 address they carry.
// Anything but IPv4 and IPv6 is not public.
std::optional<std::string_view> non_public_kind(const sockaddr& address);

// The same for an address or host written as text: an IPv6 literal (with or
// without brackets) or an IPv4 number in any form the C library accepts
// ("127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1"); "localhost" and its
// subdomains count as loopback. Any other name is nullopt: only resolving
// it can tell, which non_public_kind does on the resolved address.
std::optional<std::string_view> non_public_host_kind(std::string_view host);

// "127.0.0.1", "::1": for messages.
std::string address_text(const sockaddr& address);

}  // namespace newsmirror::fetch
