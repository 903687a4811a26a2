#include "mirror/image_localizer.hpp"

#include <gtest/gtest.h>

#include "assets/image_store.hpp"
#include "support/http_server.hpp"
#include "support/paths.hpp"

namespace newsmirror::mirror {
namespace {

using namespace std::string_literals;

const std::string kPng = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0"s;
const std::string kGif = "GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xFF\xFF\xFF!"s;

fetch::Options quick_options(std::size_t max_bytes) {
  fetch::Options options;
  options.max_body_bytes = max_bytes;
  options.max_attempts = 1;
  return options;
}

TEST(ImageLocalizer, StoresEachImageOnceAndLinksItFromEveryArticle) {
  test::HttpServer server;
  server.serve_file("/a.png", kPng, "image/png");
  test::TempDir mirror;
  ImageLocalizer localizer(mirror.path(), quick_options(1 << 20));
  std::string html = "<p>x</p><img src=\"" + server.url("/a.png") + "\">";
  auto results = localizer.localize({{"articles/法广/1_a.md", html, "", "", false},
                                     {"articles/BBC/2_b.md", html, "", "", false}});
  ASSERT_EQ(results.size(), 2u);
  auto stored = assets::asset_path(kPng, "png");
  EXPECT_EQ(results[0].html, "<p>x</p><img src=\"../../" + stored + "\">");
  EXPECT_EQ(results[0].localized, 1u);
  EXPECT_EQ(results[0].remote_left, 0u);
  EXPECT_EQ(results[1].html, results[0].html);
  EXPECT_TRUE(std::filesystem::exists(mirror.path() / stored));
  EXPECT_EQ(server.hits("/a.png"), 1);
}

TEST(ImageLocalizer, KeepsTheOriginalUrlOfAnImageThatFails) {
  test::HttpServer server;
  server.serve_file("/big.gif", kGif + std::string(4096, '\0'), "image/gif");
  server.serve_file("/page.jpg", "<html>blocked</html>", "image/jpeg");
  server.serve_file("/ok.gif", kGif, "image/gif");
  test::TempDir mirror;
  ImageLocalizer localizer(mirror.path(), quick_options(1024));
  std::string html = "<img src=\"" + server.url("/big.gif") + "\"><img src=\"" + server.url("/page.jpg") +
                     "\"><img src=\"" + server.url("/missing.png") + "\"><img src=\"" + server.url("/ok.gif") +
                     "\">";
  auto results = localizer.localize({{"articles/s/1.md", html, "", "", false}});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].localized, 1u);
  EXPECT_EQ(results[0].remote_left, 3u);
  EXPECT_NE(results[0].html.find(server.url("/big.gif")), std::string::npos);
  EXPECT_NE(results[0].html.find(server.url("/page.jpg")), std::string::npos);
  EXPECT_NE(results[0].html.find(server.url("/missing.png")), std::string::npos);
  EXPECT_NE(results[0].html.find("../../" + assets::asset_path(kGif, "gif")), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(mirror.path() / assets::asset_path("<html>blocked</html>", "jpg")));
}

TEST(ImageLocalizer, FetchesAtMostFiftyImagesOfAnArticleAtATimeAndLeavesTheRestForLater) {
  test::HttpServer server;
  std::string html;
  for (std::size_t i = 0; i < kMaxImagesPerArticle + 10; ++i) {
    std::string path = "/" + std::to_string(i) + ".gif";
    server.serve_file(path, kGif + std::to_string(i), "image/gif");
    html += "<img src=\"" + server.url(path) + "\">";
  }
  test::TempDir mirror;
  ImageLocalizer localizer(mirror.path(), quick_options(1 << 20));
  auto first = localizer.localize({{"articles/s/1.md", html, "", "", false}});
  EXPECT_EQ(first[0].localized, kMaxImagesPerArticle);
  EXPECT_EQ(first[0].remote_left, 10u);
  EXPECT_EQ(server.requests().size(), kMaxImagesPerArticle);
  auto second = localizer.localize({{"articles/s/1.md", first[0].html, "", "", false}});
  EXPECT_EQ(second[0].localized, 10u) << "the next try takes up the rest";
  EXPECT_EQ(second[0].remote_left, 0u);
}

TEST(ImageLocalizer, LeavesArticlesWithoutRemoteImagesByteForByte) {
  test::TempDir mirror;
  ImageLocalizer localizer(mirror.path(), quick_options(1024));
  std::string html = "<p class=x>text &amp; <b>bold</b></p>  <img src=\"../../assets/ab/c.png\">";
  auto results = localizer.localize({{"articles/s/1.md", html, "", ""}});
  EXPECT_EQ(results[0].html, html);
  EXPECT_EQ(results[0].localized + results[0].remote_left, 0u);
}

TEST(ImageLocalizer, NeverAsksALoopbackServerForTheImagesOfASourceLimitedToPublicAddresses) {
  test::HttpServer internal;
  internal.serve_file("/camera.png", kPng, "image/png");
  test::TempDir mirror;
  ImageLocalizer localizer(mirror.path(), quick_options(1 << 20));
  std::string html = "<img src=\"" + internal.url("/camera.png") + "\">";
  auto port = std::to_string(internal.port());
  std::string spelled = "<img src=\"http://2130706433:" + port + "/camera.png\">" +
                        "<img src=\"http://0x7f.1:" + port + "/camera.png\">" +
                        "<img src=\"http://localhost:" + port + "/camera.png\">" +
                        "<img src=\"http://[::ffff:127.0.0.1]:" + port + "/camera.png\">";
  auto results = localizer.localize({{"articles/hostile/1.md", html + spelled, "", "", true},
                                     {"articles/intranet/2.md", html, "", "", false}});
  EXPECT_EQ(results[0].localized, 0u);
  EXPECT_EQ(results[0].remote_left, 5u);
  EXPECT_NE(results[0].html.find(internal.url("/camera.png")), std::string::npos);
  EXPECT_EQ(results[1].localized, 1u) << "a source that allows private addresses still gets its image";
  EXPECT_EQ(internal.hits("/camera.png"), 1) << "only the allowed source's request reached the server";
}

}  // namespace
}  // namespace newsmirror::mirror
