#include "catalog/compression.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace newsmirror::catalog {
namespace {

std::string repetitive_html() {
  std::string html;
  for (int i = 0; i < 200; ++i) html += "<p>美国参谋长联席会议主席米利说，台湾需要更快的武器交付。" + std::to_string(i) + "</p>\n";
  return html;
}

TEST(Compression, HtmlIsStoredAsZstdAndReadsBackExactly) {
  const std::string html = repetitive_html();
  StoredBlob blob = compress_html(html);
  EXPECT_EQ(blob.encoding, "zstd");
  EXPECT_LT(blob.bytes.size(), html.size() / 4);
  auto back = decompress_html(blob.encoding, blob.bytes, html.size());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, html);
}

TEST(Compression, BytesThatDoNotShrinkAreStoredPlain) {
  // Eight bytes: zstd's frame header alone is about as long.
  StoredBlob blob = compress_html("<p>x</p>");
  EXPECT_EQ(blob.encoding, "plain");
  EXPECT_EQ(blob.bytes, "<p>x</p>");
  auto back = decompress_html(blob.encoding, blob.bytes, blob.bytes.size());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "<p>x</p>");
}

// Catalogs written before zstd hold deflated versions; they must still read.
TEST(Compression, VersionsDeflatedByEarlierCatalogsStillRead) {
  const std::string html = repetitive_html();
  std::string deflated(compressBound(static_cast<uLong>(html.size())), '\0');
  uLongf length = static_cast<uLongf>(deflated.size());
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(deflated.data()), &length,
                      reinterpret_cast<const Bytef*>(html.data()), static_cast<uLong>(html.size()), 1),
            Z_OK);
  deflated.resize(length);
  auto back = decompress_html("zlib", deflated, html.size());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, html);
}

TEST(Compression, DamagedBlobsAreDatabaseErrorsThatSaySo) {
  const std::string html = repetitive_html();
  StoredBlob blob = compress_html(html);
  std::string cut = blob.bytes.substr(0, blob.bytes.size() / 2);
  auto truncated = decompress_html("zstd", cut, html.size());
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().kind, core::ErrorKind::database);
  EXPECT_NE(truncated.error().message.find("damaged"), std::string::npos) << truncated.error().message;

  // A size column that disagrees with the blob is damage too.
  auto wrong_size = decompress_html("zstd", blob.bytes, html.size() + 1);
  ASSERT_FALSE(wrong_size);
  EXPECT_NE(wrong_size.error().message.find("damaged"), std::string::npos) << wrong_size.error().message;

  auto garbage = decompress_html("zlib", "not deflate at all", 100);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind, core::ErrorKind::database);
}

TEST(Compression, AnUnknownEncodingIsNamedInTheError) {
  auto back = decompress_html("brotli", "whatever", 8);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().kind, core::ErrorKind::database);
  EXPECT_NE(back.error().message.find("\"brotli\""), std::string::npos) << back.error().message;
}

}  // namespace
}  // namespace newsmirror::catalog
