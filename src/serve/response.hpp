// A response as the server sends it, made once and sent many times: the
// body, its gzip form when that is worth having, a strong ETag, and the
// header lines that do not depend on the request, already rendered. The
// HTTP layer (http_server.hpp) picks the encoding, answers If-None-Match
// with 304 and handles HEAD; handlers and caches only build and keep these.
//
// Immutable once made, so one Response is shared by any number of
// connections and threads (through shared_ptr<const Response>).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace newsmirror::serve {

// How long clients may keep a 200 response (Cache-Control).
enum class Caching {
  page,      // site pages and feeds: a minute, then revalidate with the ETag
  asset,     // content-addressed files (their name is their hash): a year, immutable
  api,       // JSON answers: revalidate every time (no-cache; ETag still saves the body)
  no_store,  // health checks and errors: never stored
};

class Response {
 public:
  // A 200 with its ETag and, for text-like types, a gzip body.
  static std::shared_ptr<const Response> ok(std::string_view content_type, std::string body, Caching caching);
  // Any other status: a short body, no ETag, never cached by clients.
  // `extra_headers` are complete lines ("Allow: GET, HEAD\r\n").
  static std::shared_ptr<const Response> status(int code, std::string_view content_type, std::string body,
                                                std::string_view extra_headers = {});
  // status(code) with a one-line plain-text body naming the status.
  static std::shared_ptr<const Response> plain(int code, std::string_view message = {});

  int code() const { return code_; }
  const std::string& body() const { return body_; }
  // Empty when the type is not compressible or gzip would not be smaller.
  const std::string& gzip_body() const { return gzip_body_; }
  // Quoted ETags of the two encodings ("\"…\"", "\"….gz\""); empty for non-200.
  const std::string& etag() const { return etag_; }
  const std::string& gzip_etag() const { return gzip_etag_; }
  // Header lines sent with the body (Content-Type, Cache-Control, security
  // headers, Vary), each ending in CRLF.
  const std::string& headers() const { return headers_; }
  // The subset a 304 carries (Cache-Control, Vary).
  const std::string& validator_headers() const { return validator_headers_; }
  // Bytes held, for caches that bound their memory.
  std::size_t memory_size() const;

  // Use ok(), status() or plain(); public only for make_shared.
  Response() = default;

 private:
  int code_ = 200;
  std::string body_;
  std::string gzip_body_;
  std::string etag_;
  std::string gzip_etag_;
  std::string headers_;
  std::string validator_headers_;
};

// The standard reason phrase ("Not Found"); "Unknown" for others.
std::string_view reason_phrase(int code);

// Whether a type is worth compressing (text, JSON, XML, SVG).
bool compressible(std::string_view content_type);

// Whether an Accept-Encoding value accepts gzip (a "gzip" or "*" token
// without q=0).
bool accepts_gzip(std::string_view accept_encoding);

// Whether an If-None-Match value lists `etag` (weak comparison, as RFC 9110
// asks for this header) or is "*".
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace newsmirror::serve
