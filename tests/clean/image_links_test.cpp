#include "clean/image_links.hpp"

#include <gtest/gtest.h>

namespace newsmirror::clean {
namespace {

TEST(ParseSrcset, SplitsCandidatesAndKeepsCommasInsideUrls) {
  auto candidates = parse_srcset("a.jpg 1x, https://cdn.example/i,w_800/b.jpg 2x,c.jpg");
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].url, "a.jpg");
  EXPECT_EQ(candidates[0].descriptor, "1x");
  EXPECT_EQ(candidates[1].url, "https://cdn.example/i,w_800/b.jpg");
  EXPECT_EQ(candidates[1].descriptor, "2x");
  EXPECT_EQ(candidates[2].url, "c.jpg");
  EXPECT_EQ(candidates[2].descriptor, "");
}

TEST(ParseSrcset, EndsACandidateAtATrailingCommaOrAfterItsDescriptor) {
  auto candidates = parse_srcset("a.jpg, b.jpg 640w,c.jpg");
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].url, "a.jpg");
  EXPECT_EQ(candidates[1].url, "b.jpg");
  EXPECT_EQ(candidates[1].descriptor, "640w");
  EXPECT_EQ(candidates[2].url, "c.jpg");
  EXPECT_EQ(format_srcset(candidates), "a.jpg, b.jpg 640w, c.jpg");
  // A comma inside a URL (no space after it) belongs to the URL.
  EXPECT_EQ(parse_srcset("a.jpg,b.jpg 2x").front().url, "a.jpg,b.jpg");
}

TEST(ImageUrls, ListsEachRemoteImageOnceInDocumentOrder) {
  auto tree = parse_fragment(
      R"(<p><img src="https://a.example/1.jpg" srcset="https://a.example/1.jpg 1x, https://a.example/2.jpg 2x">)"
      R"(<picture><source srcset="http://b.example/3.webp"><img src="data:image/png;base64,AAAA"></picture>)"
      R"(<a href="https://a.example/not-an-image.jpg">x</a><source srcset="https://c.example/video-poster.jpg"></p>)");
  EXPECT_EQ(image_urls(*tree), (std::vector<std::string>{"https://a.example/1.jpg", "https://a.example/2.jpg",
                                                          "http://b.example/3.webp"}));
}

TEST(ReplaceImageUrls, RewritesWhatIsLocalAndCountsWhatStaysRemote) {
  auto tree = parse_fragment(
      R"(<img src="https://a.example/1.jpg" srcset="https://a.example/1.jpg 1x, https://a.example/2.jpg 2x">)");
  auto remote = replace_image_urls(*tree, [](std::string_view url) -> std::optional<std::string> {
    if (url == "https://a.example/1.jpg") return "../../assets/ab/ab1.jpg";
    return std::nullopt;
  });
  EXPECT_EQ(remote, 1u);
  EXPECT_EQ(serialize_children(*tree),
            R"(<img src="../../assets/ab/ab1.jpg" srcset="../../assets/ab/ab1.jpg 1x, https://a.example/2.jpg 2x">)");
}

}  // namespace
}  // namespace newsmirror::clean
