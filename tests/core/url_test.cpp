#include "core/url.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/paths.hpp"

namespace newsmirror::core::url {

namespace {

struct Case {
  const char* input;
  const char* expected;  // nullptr: not an absolute URL
};

}  // namespace

TEST(Url, SerializeFollowsWhatwgRules) {
  const Case cases[] = {
      // Scheme and host are lower-cased; default ports go; an empty http path is "/".
      {"HTTP://Example.COM", "http://example.com/"},
      {"https://example.com:443/a", "https://example.com/a"},
      {"http://example.com:80/a", "http://example.com/a"},
      {"http://example.com:8080/a", "http://example.com:8080/a"},
      // Non-ASCII is escaped as upper-case UTF-8 per component.
      {"https://example.com/亚洲?q=台湾#片段", "https://example.com/%E4%BA%9A%E6%B4%B2?q=%E5%8F%B0%E6%B9%BE#%E7%89%87%E6%AE%B5"},
      {"http://example.com/a b\"<>`{}", "http://example.com/a%20b%22%3C%3E%60%7B%7D"},
      {"http://example.com/?a b\"'<>", "http://example.com/?a%20b%22%27%3C%3E"},
      {"http://example.com/#a b`", "http://example.com/#a%20b%60"},
      // Existing escapes stay verbatim, lower-case ones and a bare '%' too.
      {"https://chinadigitaltimes.net/chinese/%e3%80%90x", "https://chinadigitaltimes.net/chinese/%e3%80%90x"},
      {"http://example.com/100%", "http://example.com/100%"},
      // "//" inside a path is kept; dot segments are removed.
      {"http://www.rfi.fr//cn/contenu/x", "http://www.rfi.fr//cn/contenu/x"},
      {"http://example.com/a/./b/../c", "http://example.com/a/c"},
      {"http://example.com/a/%2e%2E/b", "http://example.com/b"},
      {"http://example.com/a/..", "http://example.com/"},
      // Characters that do not need escaping stay as they are.
      {"https://www.dw.com/zh/%E8%B7%AF:%20x/a-1", "https://www.dw.com/zh/%E8%B7%AF:%20x/a-1"},
      {"http://example.com/a|b~c!$&'()*+,;=:@", "http://example.com/a|b~c!$&'()*+,;=:@"},
      // White space at the ends is trimmed, tabs and newlines inside dropped.
      {"  http://exa\tmple.com/a\nb  ", "http://example.com/ab"},
      // Backslashes are slashes in special schemes.
      {"http:\\\\example.com\\a\\b", "http://example.com/a/b"},
      // User info and non-special schemes.
      {"http://us er:pa@ss@example.com/", "http://us%20er:pa%40ss@example.com/"},
      {"mailto:Someone@Example.com", "mailto:Someone@Example.com"},
      {"urn:uuid:1234", "urn:uuid:1234"},
      // IDN hosts are kept as given (no punycode).
      {"http://例子.测试/", "http://例子.测试/"},
      // Not absolute URLs.
      {"/relative/path", nullptr},
      {"", nullptr},
      {"http://", nullptr},
      {"http://exa mple.com/", nullptr},
      {"http://example.com:99999/", nullptr},
  };
  for (const auto& c : cases) {
    auto result = serialize(c.input);
    if (c.expected) {
      ASSERT_TRUE(result.has_value()) << c.input;
      EXPECT_EQ(*result, c.expected) << c.input;
    } else {
      EXPECT_FALSE(result.has_value()) << c.input << " -> " << result.value_or("");
    }
  }
}

TEST(Url, GoldenRfiLinkSerializesAsTheArchiveStoresIt) {
  EXPECT_EQ(serialize("https://www.rfi.fr/cn/亚洲/20230714-米利访日-美国需要加快向台湾交付武器的速度"),
            "https://www.rfi.fr/cn/%E4%BA%9A%E6%B4%B2/20230714-%E7%B1%B3%E5%88%A9%E8%AE%BF%E6%97%A5-"
            "%E7%BE%8E%E5%9B%BD%E9%9C%80%E8%A6%81%E5%8A%A0%E5%BF%AB%E5%90%91%E5%8F%B0%E6%B9%BE%E4%BA%A4"
            "%E4%BB%98%E6%AD%A6%E5%99%A8%E7%9A%84%E9%80%9F%E5%BA%A6");
}

TEST(Url, ResolveFollowsRfc3986Examples) {
  // RFC 3986 section 5.4.1, base http://a/b/c/d;p?q.
  const char* base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},         {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},       {"/g", "http://a/g"},
      {"//g", "http://g/"},            {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},     {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},     {";x", "http://a/b/c/;x"},
      {"", "http://a/b/c/d;p?q"},      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},         {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},        {"../..", "http://a/"},
      {"../../g", "http://a/g"},       {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},          {"g.", "http://a/b/c/g."},
      {"g/../h", "http://a/b/c/h"},    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"https://Other.example/x", "https://other.example/x"},
      // WHATWG leniency: backslashes and "http:g" against an http base.
      {"..\\g", "http://a/b/g"},       {"http:g", "http://a/b/c/g"},
      {"亚洲/x y", "http://a/b/c/%E4%BA%9A%E6%B4%B2/x%20y"},
  };
  for (const auto& [reference, expected] : cases) {
    auto result = resolve(base, reference);
    ASSERT_TRUE(result.has_value()) << reference;
    EXPECT_EQ(*result, expected) << reference;
  }
}

TEST(Url, ResolveWithoutBaseLeavesRelativeReferencesUnresolved) {
  EXPECT_FALSE(resolve("", "/a").has_value());
  EXPECT_EQ(resolve("", "HTTP://x.org"), "http://x.org/");
  EXPECT_TRUE(is_absolute("mailto:a@b"));
  EXPECT_FALSE(is_absolute("/a:b"));
  EXPECT_FALSE(is_absolute("1http://x"));
}

// Line 2 of every archived article is "[title](URL)" written by an existing
// WHATWG serializer: serializing URL again must give it back unchanged.
TEST(Url, ArchivedLinksAreAFixedPointOfSerialize) {
  SKIP_WITHOUT_SHARED();
  auto root = test::shared_dir() / "corpus" / "archive" / "articles";
  int checked = 0;
  for (const auto& site : std::filesystem::directory_iterator(root)) {
    if (!site.is_directory()) continue;
    int per_site = 0;
    for (const auto& file : std::filesystem::directory_iterator(site.path())) {
      if (per_site++ >= 20) break;
      std::ifstream in(file.path());
      std::string line;
      std::getline(in, line);
      std::getline(in, line);
      auto open = line.rfind("](");
      if (open == std::string::npos || line.empty() || line.back() != ')') continue;
      std::string link = line.substr(open + 2, line.size() - open - 3);
      if (link.empty()) continue;
      auto result = serialize(link);
      ASSERT_TRUE(result.has_value()) << file.path();
      EXPECT_EQ(*result, link) << file.path();
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);
}

}  // namespace newsmirror::core::url

namespace newsmirror::core::url {
namespace {

TEST(UrlRedact, HidesOnlyThePasswordOfTheUserInfo) {
  EXPECT_EQ(redact_password("http://me:hunter2@proxy.example:3128"), "http://me:***@proxy.example:3128");
  EXPECT_EQ(redact_password("socks5h://me:p%40ss:word@127.0.0.1:1080/"), "socks5h://me:***@127.0.0.1:1080/");
  EXPECT_EQ(redact_password("http://me@proxy.example"), "http://me@proxy.example");
  EXPECT_EQ(redact_password("http://proxy.example:3128"), "http://proxy.example:3128");
  EXPECT_EQ(redact_password("https://news.example/a@b:c"), "https://news.example/a@b:c");
  EXPECT_EQ(redact_password("not a url"), "not a url");
}

}  // namespace
}  // namespace newsmirror::core::url
