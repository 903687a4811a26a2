// The feed parser writes the markup of inline XHTML content itself, faster
// than libxml2's xmlNodeDump, and promises the very same text. This holds
// it to that over every XML document of the conformance corpus and of the
// fuzz regressions: ParseOptions::verify_serialization has libxml2 write
// each element again and fails the parse on any difference.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "parse/feed_parser.hpp"
#include "support/paths.hpp"

namespace newsmirror::parse {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& folder, std::string_view extension) {
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error))
    if (entry.is_regular_file() && (extension.empty() || entry.path().extension() == extension))
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// How many of `files` parsed with the check on; a difference fails the test.
std::size_t verify_all(const std::vector<fs::path>& files) {
  std::size_t parsed = 0;
  for (const auto& file : files) {
    ParseOptions options;
    options.base_url = "https://example.com/feed.xml";
    options.verify_serialization = true;
    auto feed = parse_feed(test::read_file(file), options);
    if (feed) {
      ++parsed;
      continue;
    }
    EXPECT_NE(feed.error().kind, core::ErrorKind::internal) << file.filename() << ": " << feed.error().message;
  }
  return parsed;
}

TEST(SerializationDifferential, TheParsersMarkupEqualsLibxml2sForEveryConformanceFeed) {
  SKIP_WITHOUT_SHARED();
  const auto files = files_in(test::shared_dir() / "corpus" / "feeds" / "cases", ".xml");
  ASSERT_GT(files.size(), 1000u) << "the corpus has about 1,140 XML cases";
  EXPECT_GT(verify_all(files), 900u);
}

TEST(SerializationDifferential, TheParsersMarkupEqualsLibxml2sForEveryFuzzRegression) {
  const auto files = files_in(test::source_dir() / "fuzz" / "regressions" / "feed", "");
  ASSERT_FALSE(files.empty());
  verify_all(files);
}

TEST(SerializationDifferential, InlineXhtmlComesOutAsLibxml2WritesItWithTheCheckOn) {
  // Inline XHTML the hand-written path serializes: the check runs and, on
  // this well-formed input, finds both the same.
  const std::string feed =
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id><title>t</title>"
      "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"a\">x &amp; y<br/></p>"
      "<p title=\"&quot;q&quot;\">中文</p></div></content></entry></feed>";
  ParseOptions options;
  options.verify_serialization = true;
  auto parsed = parse_feed(feed, options);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->entries.size(), 1u);
  EXPECT_EQ(parsed->entries[0].content.value_or(""), "<p class=\"a\">x &amp; y<br/></p><p title=\"&quot;q&quot;\">中文</p>");
}

}  // namespace
}  // namespace newsmirror::parse
