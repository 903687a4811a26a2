#include "config/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/paths.hpp"

namespace newsmirror::config {
namespace {

using namespace std::chrono_literals;

TEST(ConfigDuration, AcceptsUnitsAndSeconds) {
  struct Case { std::string_view text; std::chrono::seconds want; };
  for (auto [text, want] : {Case{"90s", 90s}, Case{"15m", 15min}, Case{"1h", 1h},
                            Case{"1h30m", 90min}, Case{"1d", 24h}, Case{"0s", 0s},
                            Case{"3600", 1h}, Case{"2h0m5s", 7205s}})
    EXPECT_EQ(parse_duration(text), want) << text;
}

TEST(ConfigDuration, RejectsNonsense) {
  for (std::string_view text : {"", "soon", "m", "15x", "1m1h", "1h1h", "-5m", "1.5h", "15 m"})
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
}

TEST(ConfigDuration, FormatsShortestAndRoundTrips) {
  EXPECT_EQ(format_duration(15min), "15m");
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(45s), "45s");
  EXPECT_EQ(format_duration(0s), "0s");
  for (auto d : {1s, 61s, 3601s, 86400s, 100000s}) EXPECT_EQ(parse_duration(format_duration(d)), d);
}

TEST(Config, EmptyFileGivesDefaults) {
  auto config = parse_config("", "newsmirror.toml");
  ASSERT_TRUE(config) << config.error().message;
  Config want;
  EXPECT_EQ(*config, want);
  EXPECT_EQ(config->concurrency, 8);
  EXPECT_EQ(config->interval, 15min);
}

TEST(Config, ParsesTheDocumentedExample) {
  auto config = parse_config(R"(
concurrency = 4
per_host = 1
connect_timeout = "5s"
timeout = 120
proxy = "socks5h://127.0.0.1:1080"
user_agent = "Mozilla/5.0"
interval = "1h30m"
timezone = "UTC"
list_entries = 300
list_footer = false

[[source]]
name = "法广"
url = "https://feedx.net/rss/rfi.xml"

[[source]]
name = "BBC"
url = ["https://a.example/bbc.xml", "http://b.example/bbc.xml"]
proxy = "http://proxy:3128"
interval = "30m"
timezone = "Asia/Shanghai"
enabled = false
)", "newsmirror.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->concurrency, 4);
  EXPECT_EQ(config->per_host, 1);
  EXPECT_EQ(config->connect_timeout, 5s);
  EXPECT_EQ(config->timeout, 120s);
  EXPECT_EQ(config->proxy, "socks5h://127.0.0.1:1080");
  EXPECT_EQ(config->user_agent, "Mozilla/5.0");
  EXPECT_EQ(config->interval, 90min);
  EXPECT_EQ(config->timezone, "UTC");
  EXPECT_EQ(config->list_entries, 300);
  EXPECT_EQ(config->list_footer, false);
  ASSERT_EQ(config->sources.size(), 2u);
  EXPECT_EQ(config->sources[0].name, "法广");
  EXPECT_EQ(config->sources[0].urls, std::vector<std::string>{"https://feedx.net/rss/rfi.xml"});
  EXPECT_TRUE(config->sources[0].enabled);
  EXPECT_EQ(effective_interval(*config, config->sources[0]), 90min);
  const auto& bbc = config->sources[1];
  EXPECT_EQ(bbc.urls.size(), 2u);
  EXPECT_EQ(bbc.proxy, "http://proxy:3128");
  EXPECT_EQ(bbc.interval, 30min);
  EXPECT_EQ(bbc.timezone, "Asia/Shanghai");
  EXPECT_FALSE(bbc.enabled);
  EXPECT_EQ(effective_proxy(*config, config->sources[0]), "socks5h://127.0.0.1:1080");
}

TEST(Config, DefaultConfigHasTheNineClassicSourcesInOrder) {
  auto config = default_config();
  std::vector<std::string> names;
  for (auto& s : config.sources) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"路透", "纽约时报", "美国之音", "金融时报", "BBC", "法广",
                                             "德国之声", "自由亚洲电台", "中国数字时代"}));
  EXPECT_EQ(config.sources[7].urls.front(), "https://www.rfa.org/mandarin/yataibaodao/rss2.xml");
}

TEST(Config, RenderParsesBackToTheSameConfig) {
  auto config = default_config();
  config.proxy = "socks5h://127.0.0.1:1080";
  config.ca_file = "certs/ca.pem";
  config.max_new_per_cycle = 250;
  config.list_entries = 300;
  config.list_footer = false;
  config.interval = 3725s;
  Source odd;
  odd.name = "名字 with \"quotes\" and \\ backslash\t";
  odd.urls = {"https://a.example/feed?x=1&y=\"2\"", "http://b.example/"};
  odd.user_agent = "UA";
  odd.interval = 0s;
  odd.timezone = "+08:00";
  odd.enabled = false;
  odd.clean = false;
  odd.images = ImageMode::local;
  odd.full_text = true;
  odd.allow_private = true;
  odd.rules.remove = {"a[href^=\"https://x\"]", "div:has(> p) + p", "#\u5b89\u5168"};
  odd.rules.keep = "article > .body";
  config.sources.push_back(odd);
  Source clean_true;
  clean_true.name = "clean on";
  clean_true.urls = {"https://c.example/"};
  clean_true.clean = true;
  clean_true.images = ImageMode::remote;
  config.sources.push_back(clean_true);
  config.clean = false;
  config.images = ImageMode::local;
  config.image_max_bytes = 123457;
  auto text = render_config(config);
  auto back = parse_config(text, "rendered.toml");
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(*back, config) << text;
  EXPECT_NE(text.find("# "), std::string::npos) << "the file is commented";
  EXPECT_EQ(render_config(default_config()), render_config(*parse_config(render_config(default_config()), "x")));
}

// Each rejected config names the file, the line and the key.
TEST(Config, RejectedConfigsNameLineAndKey) {
  struct Case {
    std::string_view name;
    std::string_view text;
    std::string_view want;  // a substring of the message
  };
  const Case cases[] = {
      {"bad duration", "\n[[source]]\nname = \"法广\"\nurl = \"https://x.example/\"\ninterval = \"soon\"\n",
       "newsmirror.toml:5: source \"法广\": key \"interval\": expected a duration like \"15m\", got \"soon\""},
      {"typo global", "concurency = 3\n", "newsmirror.toml:1: unknown key \"concurency\" (did you mean \"concurrency\"?)"},
      {"typo source", "[[source]]\nname = \"a\"\nurls = \"https://x.example/\"\n",
       "newsmirror.toml:3: source \"a\": unknown key \"urls\" (did you mean \"url\"?)"},
      {"unknown far", "\n\ncolour = 1\n", "newsmirror.toml:3: unknown key \"colour\" (known keys:"},
      {"missing name", "[[source]]\nurl = \"https://x.example/\"\n", "newsmirror.toml:1: source #1: missing key \"name\""},
      {"missing url", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\n\n[[source]]\nname = \"b\"\n",
       "newsmirror.toml:5: source \"b\": missing key \"url\""},
      {"duplicate", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\n[[source]]\nname = \"a\"\nurl = \"https://y.example/\"\n",
       "newsmirror.toml:5: source \"a\": duplicate name"},
      {"ftp url", "[[source]]\nname = \"a\"\nurl = \"ftp://x.example/\"\n",
       "newsmirror.toml:3: source \"a\": key \"url\": expected an http:// or https:// URL, got \"ftp://x.example/\""},
      {"url in list", "[[source]]\nname = \"a\"\nurl = [\n \"https://ok.example/\",\n \"not a url\",\n]\n",
       "newsmirror.toml:5: source \"a\": key \"url\": expected an http:// or https:// URL"},
      {"empty url list", "[[source]]\nname = \"a\"\nurl = []\n", "newsmirror.toml:3: source \"a\": key \"url\": expected at least one URL"},
      {"bad zone", "timezone = \"Mars/Olympus\"\n", "newsmirror.toml:1: key \"timezone\": unknown time zone \"Mars/Olympus\""},
      {"bad source zone", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\ntimezone = \"Nowhere\"\n",
       "newsmirror.toml:4: source \"a\": key \"timezone\": unknown time zone"},
      {"negative", "per_host = -2\n", "newsmirror.toml:1: key \"per_host\": expected a positive integer, got -2"},
      {"zero", "concurrency = 0\n", "newsmirror.toml:1: key \"concurrency\": expected a positive integer, got 0"},
      {"negative seconds", "\ninterval = -60\n", "newsmirror.toml:2: key \"interval\": expected a duration like \"15m\", got -60"},
      {"zero timeout", "timeout = \"0s\"\n", "newsmirror.toml:1: key \"timeout\": expected a duration"},
      {"wrong type", "list_footer = \"yes\"\n", "newsmirror.toml:1: key \"list_footer\": expected true or false, got \"yes\""},
      {"enabled type", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\nenabled = 1\n",
       "newsmirror.toml:4: source \"a\": key \"enabled\": expected true or false, got 1"},
      {"empty name", "[[source]]\nname = \"\"\nurl = \"https://x.example/\"\n",
       "newsmirror.toml:2: source #1: key \"name\": expected a non-empty string"},
      {"source not array", "[source]\nname = \"a\"\n", "newsmirror.toml:1: key \"source\": expected [[source]] tables"},
      {"syntax", "concurrency = 3\nproxy = \"unterminated\n", "newsmirror.toml:2: key \"proxy\": TOML syntax error in string: "},
      {"syntax bare word", "\n\n  interval = soon\n", "newsmirror.toml:3: key \"interval\": TOML syntax error"},
      {"syntax header", "[[source]\n", "newsmirror.toml:1: TOML syntax error"},
      {"syntax duplicate key", "concurrency = 3\nconcurrency = 4\n", "newsmirror.toml:2: "},
      {"bad remove selector", "[[source]]\nname = \"法广\"\nurl = \"https://x.example/\"\nremove = [\n  \".ok\",\n  \".a >\",\n]\n",
       "newsmirror.toml:6: source \"法广\": key \"remove\": selector \".a >\": expected a selector after '>' at column 5"},
      {"remove not text", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\nremove = [1]\n",
       "newsmirror.toml:4: source \"a\": key \"remove\": expected a CSS selector string, got 1"},
      {"bad keep selector", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\nkeep = \"p:hover\"\n",
       "newsmirror.toml:4: source \"a\": key \"keep\": selector \"p:hover\": unsupported pseudo-class ':hover'"},
      {"keep list", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\nkeep = [\"p\"]\n",
       "newsmirror.toml:4: source \"a\": key \"keep\": expected a CSS selector string, got an array"},
      {"bad images", "images = \"inline\"\n", "newsmirror.toml:1: key \"images\": expected \"remote\" or \"local\", got \"inline\""},
      {"bad source images", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\nimages = true\n",
       "newsmirror.toml:4: source \"a\": key \"images\": expected \"remote\" or \"local\", got true"},
      {"clean type", "clean = \"no\"\n", "newsmirror.toml:1: key \"clean\": expected true or false, got \"no\""},
      {"full_text type", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\nfull_text = \"yes\"\n",
       "newsmirror.toml:4: source \"a\": key \"full_text\": expected true or false"},
      {"size unit", "image_max_bytes = \"5 megs\"\n",
       "newsmirror.toml:1: key \"image_max_bytes\": expected a size in bytes or like \"5MiB\", got \"5 megs\""},
      {"size zero", "image_max_bytes = 0\n", "newsmirror.toml:1: key \"image_max_bytes\": expected a size"},
      {"typo cleaning key", "[[source]]\nname = \"a\"\nurl = \"https://x.example/\"\nremov = [\".x\"]\n",
       "newsmirror.toml:4: source \"a\": unknown key \"remov\" (did you mean \"remove\"?)"},
  };
  for (const auto& c : cases) {
    auto config = parse_config(c.text, "newsmirror.toml");
    ASSERT_FALSE(config) << c.name;
    EXPECT_EQ(config.error().kind, core::ErrorKind::config) << c.name;
    EXPECT_NE(config.error().message.find(c.want), std::string::npos)
        << c.name << "\n  got:  " << config.error().message << "\n  want: " << c.want;
  }
}

TEST(ConfigSize, AcceptsUnitsAndBytes) {
  struct Case { std::string_view text; std::int64_t want; };
  for (auto [text, want] : {Case{"5MiB", 5 << 20}, Case{"5 MiB", 5 << 20}, Case{"500KB", 500000},
                            Case{"1KiB", 1024}, Case{"2GB", 2000000000}, Case{"1GiB", 1 << 30},
                            Case{"300B", 300}, Case{"4096", 4096}})
    EXPECT_EQ(parse_size(text), want) << text;
  for (std::string_view text : {"", "0", "0MiB", "MiB", "5mib", "5M", "5 megs", "-1", "1.5MiB", "5MiBs",
                                "99999999999999GiB"})
    EXPECT_EQ(parse_size(text), std::nullopt) << text;
}

TEST(ConfigSize, FormatsShortestAndRoundTrips) {
  EXPECT_EQ(format_size(5 << 20), "5MiB");
  EXPECT_EQ(format_size(1 << 30), "1GiB");
  EXPECT_EQ(format_size(1536), "1536");  // 1.5KiB: no exact unit
  EXPECT_EQ(format_size(3 << 10), "3KiB");
  EXPECT_EQ(format_size(1000), "1000");
  for (std::int64_t n : {std::int64_t{1}, std::int64_t{999}, std::int64_t{1024}, std::int64_t{5} << 20,
                         std::int64_t{3} << 30})
    EXPECT_EQ(parse_size(format_size(n)), n);
}

TEST(Config, CleaningKeysDefaultsAndOverrides) {
  auto config = parse_config(R"toml(
clean = false
images = "local"
image_max_bytes = "2MiB"

[[source]]
name = "a"
url = "https://a.example/"

[[source]]
name = "b"
url = "https://b.example/"
clean = true
images = "remote"
full_text = true
allow_private = true
remove = [".share", "div:has(> a[href='https://feedx.net'])"]
keep = "div.article-body"

[[source]]
name = "c"
url = "https://c.example/"
remove = ".one-selector"
)toml", "newsmirror.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->clean);
  EXPECT_EQ(config->images, ImageMode::local);
  EXPECT_EQ(config->image_max_bytes, 2 << 20);
  const auto& a = config->sources[0];
  EXPECT_EQ(a.clean, std::nullopt);
  EXPECT_FALSE(effective_clean(*config, a));
  EXPECT_EQ(effective_images(*config, a), ImageMode::local);
  EXPECT_FALSE(a.full_text);
  EXPECT_FALSE(a.allow_private) << "content reaches only public addresses unless a source says otherwise";
  EXPECT_EQ(a.rules, clean::SiteRules{});
  const auto& b = config->sources[1];
  EXPECT_TRUE(effective_clean(*config, b));
  EXPECT_EQ(effective_images(*config, b), ImageMode::remote);
  EXPECT_TRUE(b.full_text);
  EXPECT_TRUE(b.allow_private);
  EXPECT_EQ(b.rules.remove, (std::vector<std::string>{".share", "div:has(> a[href='https://feedx.net'])"}));
  EXPECT_EQ(b.rules.keep, "div.article-body");
  EXPECT_EQ(config->sources[2].rules.remove, std::vector<std::string>{".one-selector"});
  EXPECT_TRUE(clean::compile(b.rules));
}

TEST(Config, CleaningDefaults) {
  auto config = parse_config("[[source]]\nname = \"a\"\nurl = \"https://a.example/\"\n", "newsmirror.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->clean);
  EXPECT_EQ(config->images, ImageMode::remote);
  EXPECT_EQ(config->image_max_bytes, 5 * 1024 * 1024);
  EXPECT_TRUE(effective_clean(*config, config->sources[0]));
  EXPECT_EQ(effective_images(*config, config->sources[0]), ImageMode::remote);
}

TEST(Config, DefaultSourcesCarryValidSiteRules) {
  auto config = default_config();
  std::size_t with_rules = 0;
  for (const auto& source : config.sources) {
    auto compiled = clean::compile(source.rules);
    EXPECT_TRUE(compiled) << source.name << ": " << compiled.error().message;
    EXPECT_TRUE(validate_source(source)) << source.name;
    if (!source.rules.remove.empty()) ++with_rules;
  }
  EXPECT_GE(with_rules, 5u);
  EXPECT_FALSE(find_source(config, "法广")->rules.remove.empty());
}

TEST(Config, ValidateSourceChecksWithoutALocation) {
  Source good;
  good.name = "a";
  good.urls = {"https://a.example/"};
  EXPECT_TRUE(validate_source(good));
  auto bad_url = good;
  bad_url.urls.push_back("ftp://b.example/");
  auto status = validate_source(bad_url);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "source \"a\": key \"url\": expected an http:// or https:// URL, got \"ftp://b.example/\"");
  auto bad_zone = good;
  bad_zone.timezone = "Nowhere/Land";
  EXPECT_FALSE(validate_source(bad_zone));
  auto no_url = good;
  no_url.urls.clear();
  EXPECT_FALSE(validate_source(no_url));
  auto bad_selector = good;
  bad_selector.rules.remove = {"div >"};
  auto selector_status = validate_source(bad_selector);
  ASSERT_FALSE(selector_status);
  EXPECT_EQ(selector_status.error().message,
            "source \"a\": key \"remove\": selector \"div >\": expected a selector after '>' at column 6");
  auto bad_keep = good;
  bad_keep.rules.keep = "";
  EXPECT_FALSE(validate_source(bad_keep));
}

TEST(Config, LoadNamesTheFileAndMissingFileIsAnError) {
  test::TempDir dir;
  auto missing = load_config(dir.path() / "newsmirror.toml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("newsmirror.toml"), std::string::npos);

  std::ofstream(dir.path() / "newsmirror.toml") << "\n\nconcurrency = 2\na = 1\n";
  auto broken = load_config(dir.path() / "newsmirror.toml");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("newsmirror.toml:4: unknown key \"a\""), std::string::npos)
      << broken.error().message;
}

TEST(Config, SaveWritesAtomicallyAndLoadsBack) {
  test::TempDir dir;
  auto file = config_path(dir.path());
  auto config = default_config();
  ASSERT_TRUE(save_config(file, config));
  auto back = load_config(file);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, config);
  // No temporary file is left next to it.
  std::size_t files = 0;
  for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST(Config, SaveRefusesAnInvalidConfigAndKeepsTheOldFile) {
  test::TempDir dir;
  auto file = config_path(dir.path());
  ASSERT_TRUE(save_config(file, default_config()));
  auto bad = default_config();
  bad.sources.push_back(bad.sources.front());  // duplicate name
  auto status = save_config(file, bad);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("duplicate name"), std::string::npos);
  EXPECT_EQ(*load_config(file), default_config());
}

}  // namespace
}  // namespace newsmirror::config

namespace newsmirror::config {
namespace {

// A proxy's password lives in the environment, never in newsmirror.toml
// (which is not published, but a mistake could): the file names it.
TEST(ConfigSecrets, AProxyPasswordComesFromTheEnvironmentAndAnUnsetOneIsAConfigError) {
  test::TempDir dir;
  const auto file = dir.path() / "newsmirror.toml";
  std::ofstream(file) << "proxy = \"http://me:${NEWSMIRROR_TEST_PROXY_PASSWORD}@proxy.example:3128\"\n"
                         "[[source]]\nname = \"a\"\nurl = \"https://a.example/feed\"\n";
  ::unsetenv("NEWSMIRROR_TEST_PROXY_PASSWORD");
  auto missing = load_config(file);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::config);
  EXPECT_NE(missing.error().message.find("NEWSMIRROR_TEST_PROXY_PASSWORD"), std::string::npos)
      << missing.error().message;

  ::setenv("NEWSMIRROR_TEST_PROXY_PASSWORD", "hunter2", 1);
  auto loaded = load_config(file);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->proxy, "http://me:${NEWSMIRROR_TEST_PROXY_PASSWORD}@proxy.example:3128")
      << "the configuration keeps the reference, so saving it never writes the password";
  EXPECT_EQ(effective_proxy(*loaded, loaded->sources[0]), "http://me:hunter2@proxy.example:3128");
  EXPECT_EQ(render_config(*loaded).find("hunter2"), std::string::npos);
  ::unsetenv("NEWSMIRROR_TEST_PROXY_PASSWORD");
}

TEST(ConfigSecrets, ExpandsOnlyWellFormedNames) {
  ::setenv("NEWSMIRROR_TEST_A", "x", 1);
  EXPECT_EQ(*expand_environment("a${NEWSMIRROR_TEST_A}b${NEWSMIRROR_TEST_A}"), "axbx");
  EXPECT_EQ(*expand_environment("${1X} ${} $X {Y} ${unclosed"), "${1X} ${} $X {Y} ${unclosed");
  ::unsetenv("NEWSMIRROR_TEST_A");
}

}  // namespace
}  // namespace newsmirror::config
