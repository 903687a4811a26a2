#include "fetch/address_policy.hpp"

#include <gtest/gtest.h>

namespace newsmirror::fetch {
namespace {

std::string kind_of(std::string_view host) {
  auto kind = non_public_host_kind(host);
  return kind ? std::string(*kind) : "public";
}

TEST(AddressPolicy, NamesWhyEachSpecialIpv4RangeIsNotPublic) {
  EXPECT_EQ(kind_of("127.0.0.1"), "loopback");
  EXPECT_EQ(kind_of("127.255.1.2"), "loopback");
  EXPECT_EQ(kind_of("10.1.2.3"), "private");
  EXPECT_EQ(kind_of("172.16.0.1"), "private");
  EXPECT_EQ(kind_of("172.31.255.255"), "private");
  EXPECT_EQ(kind_of("192.168.1.1"), "private");
  EXPECT_EQ(kind_of("169.254.169.254"), "link-local");
  EXPECT_EQ(kind_of("100.64.0.1"), "shared (CGNAT)");
  EXPECT_EQ(kind_of("0.0.0.0"), "unspecified");
  EXPECT_EQ(kind_of("224.0.0.1"), "multicast");
  EXPECT_EQ(kind_of("255.255.255.255"), "reserved");
  EXPECT_EQ(kind_of("198.18.0.1"), "benchmarking");
}

TEST(AddressPolicy, KeepsOrdinaryAddressesNextToTheRangesPublic) {
  for (auto host : {"8.8.8.8", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "11.0.0.1",
                    "192.169.0.1", "169.253.255.255", "2606:4700::1111", "[2a00:1450:4001::200e]"})
    EXPECT_EQ(kind_of(host), "public") << host;
}

TEST(AddressPolicy, ReadsEveryNumericSpellingOfLoopback) {
  for (auto host : {"2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "127.1", "017700000001"})
    EXPECT_EQ(kind_of(host), "loopback") << host;
}

TEST(AddressPolicy, JudgesIpv6AndTheIpv4AddressesItCarries) {
  EXPECT_EQ(kind_of("::1"), "loopback");
  EXPECT_EQ(kind_of("[::1]"), "loopback");
  EXPECT_EQ(kind_of("::"), "unspecified");
  EXPECT_EQ(kind_of("fd00::1"), "private");
  EXPECT_EQ(kind_of("fe80::1%eth0"), "link-local");
  EXPECT_EQ(kind_of("ff02::1"), "multicast");
  EXPECT_EQ(kind_of("::ffff:127.0.0.1"), "loopback");
  EXPECT_EQ(kind_of("::ffff:169.254.169.254"), "link-local");
  EXPECT_EQ(kind_of("::ffff:8.8.8.8"), "public");
  EXPECT_EQ(kind_of("64:ff9b::10.0.0.1"), "private");
  EXPECT_EQ(kind_of("2002:c0a8:0101::1"), "private");  // 6to4 of 192.168.1.1
  EXPECT_EQ(kind_of("2001:db8::1"), "documentation");
}

TEST(AddressPolicy, LocalhostIsLoopbackAndOtherNamesWaitForResolution) {
  EXPECT_EQ(kind_of("localhost"), "loopback");
  EXPECT_EQ(kind_of("LOCALHOST."), "loopback");
  EXPECT_EQ(kind_of("admin.localhost"), "loopback");
  EXPECT_EQ(kind_of("news.example"), "public");
  EXPECT_EQ(kind_of("notlocalhost"), "public");
}

}  // namespace
}  // namespace newsmirror::fetch
