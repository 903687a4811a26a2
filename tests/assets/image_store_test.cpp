#include "assets/image_store.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/hash.hpp"
#include "support/paths.hpp"

namespace newsmirror::assets {
namespace {

using namespace std::string_literals;

const std::string kPng = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0"s;
const std::string kJpeg = "\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"s;
const std::string kGif = "GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xFF\xFF\xFF!"s;
const std::string kWebp = "RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0"s;

TEST(RasterImageExtension, NamesImagesByTheirBytes) {
  EXPECT_EQ(raster_image_extension("image/png", kPng), "png");
  EXPECT_EQ(raster_image_extension("image/jpeg", kJpeg), "jpg");
  EXPECT_EQ(raster_image_extension("image/gif", kGif), "gif");
  EXPECT_EQ(raster_image_extension("image/webp", kWebp), "webp");
}

TEST(RasterImageExtension, TrustsBytesOverAWrongImageLabel) {
  // CDNs mislabel formats all the time; the bytes decide the extension.
  EXPECT_EQ(raster_image_extension("image/jpeg", kPng), "png");
  EXPECT_EQ(raster_image_extension("application/octet-stream", kGif), "gif");
  EXPECT_EQ(raster_image_extension("", kJpeg), "jpg");
  EXPECT_EQ(raster_image_extension("Image/PNG; charset=binary", kPng), "png");
}

TEST(RasterImageExtension, RefusesPagesAndScriptsLabelledAsImages) {
  EXPECT_EQ(raster_image_extension("image/jpeg", "<html><body>blocked</body></html>"), std::nullopt);
  EXPECT_EQ(raster_image_extension("text/html", kPng), std::nullopt);
  EXPECT_EQ(raster_image_extension("image/svg+xml", "<svg onload=alert(1)></svg>"), std::nullopt);
  EXPECT_EQ(raster_image_extension("image/png", ""), std::nullopt);
}

TEST(AssetPath, IsNamedByTheContentHash) {
  auto hash = core::sha256_hex(kPng);
  EXPECT_EQ(asset_path(kPng, "png"), "assets/" + hash.substr(0, 2) + "/" + hash + ".png");
}

TEST(StoreImage, WritesOnceAndReusesTheSameFile) {
  test::TempDir mirror;
  auto first = store_image(mirror.path(), kPng, "png");
  ASSERT_TRUE(first) << first.error().message;
  auto file = mirror.path() / *first;
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  EXPECT_EQ(bytes.str(), kPng);
  auto written = std::filesystem::last_write_time(file);

  auto second = store_image(mirror.path(), kPng, "png");
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(std::filesystem::last_write_time(file), written);
}

TEST(StoreImage, ReportsAFolderItCannotCreate) {
  test::TempDir mirror;
  std::ofstream(mirror.path() / "assets") << "a file where the folder should be";
  auto stored = store_image(mirror.path(), kPng, "png");
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message.find("assets"), std::string::npos) << stored.error().message;
}

TEST(RelativeAssetLink, ClimbsOutOfTheArticleFolder) {
  EXPECT_EQ(relative_asset_link("articles/法广/1_x.md", "assets/ab/c.png"), "../../assets/ab/c.png");
  EXPECT_EQ(relative_asset_link("saved.md", "assets/ab/c.png"), "assets/ab/c.png");
}

}  // namespace
}  // namespace newsmirror::assets
