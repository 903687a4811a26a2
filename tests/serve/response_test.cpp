#include "serve/response.hpp"

#include <gtest/gtest.h>

#include "raw_http.hpp"

namespace newsmirror::serve {
namespace {

TEST(Response, OkCarriesAStrongEtagThatFollowsTheBody) {
  auto a = Response::ok("text/plain", "one", Caching::page);
  auto b = Response::ok("text/plain", "one", Caching::page);
  auto c = Response::ok("text/plain", "two", Caching::page);
  EXPECT_EQ(a->etag(), b->etag());
  EXPECT_NE(a->etag(), c->etag());
  EXPECT_TRUE(a->etag().starts_with('"') && a->etag().ends_with('"'));
  EXPECT_NE(a->etag(), a->gzip_etag()) << "two encodings are two representations";
}

TEST(Response, TextIsGzippedOnceAndDecompressesToTheBody) {
  std::string html = "<!doctype html><title>t</title>";
  for (int i = 0; i < 200; ++i) html += "<p>台湾 paragraph " + std::to_string(i) + "</p>";
  auto r = Response::ok("text/html; charset=utf-8", html, Caching::page);
  ASSERT_FALSE(r->gzip_body().empty());
  EXPECT_LT(r->gzip_body().size(), html.size());
  EXPECT_EQ(test::gunzip(r->gzip_body()), html);
  EXPECT_NE(r->headers().find("Vary: Accept-Encoding"), std::string::npos);
}

TEST(Response, ImagesAndTinyBodiesAreNotGzipped) {
  EXPECT_TRUE(Response::ok("image/png", std::string(5000, 'x'), Caching::asset)->gzip_body().empty());
  EXPECT_TRUE(Response::ok("text/plain", "short", Caching::page)->gzip_body().empty());
}

TEST(Response, HeadersCarryCachingAndSecurityPolicies) {
  auto page = Response::ok("text/html; charset=utf-8", "<p>x</p>", Caching::page);
  EXPECT_NE(page->headers().find("Cache-Control: public, max-age=60\r\n"), std::string::npos);
  EXPECT_NE(page->headers().find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);
  EXPECT_NE(page->headers().find("Referrer-Policy: no-referrer\r\n"), std::string::npos);
  EXPECT_NE(page->headers().find("Content-Security-Policy: default-src 'none';"), std::string::npos);
  EXPECT_EQ(page->headers().find("script-src"), std::string::npos) << "pages run no scripts";
  auto asset = Response::ok("image/png", "png", Caching::asset);
  EXPECT_NE(asset->headers().find("max-age=31536000, immutable"), std::string::npos);
  EXPECT_NE(asset->headers().find("sandbox"), std::string::npos);
  auto error = Response::plain(404);
  EXPECT_TRUE(error->etag().empty());
  EXPECT_NE(error->headers().find("Cache-Control: no-store"), std::string::npos);
}

TEST(Response, AcceptEncodingIsReadWithItsQualities) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=0.5, br"));
  EXPECT_TRUE(accepts_gzip("GZIP"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzipped"));
}

TEST(Response, IfNoneMatchComparesWeaklyAndTakesLists) {
  EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("*", "\"abc\""));
  EXPECT_FALSE(etag_matches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches("abc", "\"abc\""));
  EXPECT_FALSE(etag_matches("*", "")) << "a response without an ETag never matches";
}

}  // namespace
}  // namespace newsmirror::serve
