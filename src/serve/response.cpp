#include "serve/response.hpp"

#include <zlib.h>

#include "core/ascii.hpp"
#include "core/hash.hpp"
#include "site/safe_content.hpp"

namespace newsmirror::serve {

namespace {

// Pages get the policy the static site's pages carry (site/safe_content.hpp).
using site::kPagePolicy;
// Anything else opened on its own (an image, a feed, JSON) gets a sandbox
// and no sources at all.
constexpr std::string_view kOtherPolicy = "default-src 'none'; sandbox";

std::string_view cache_control(Caching caching) {
  switch (caching) {
    case Caching::page: return "public, max-age=60";
    case Caching::asset: return "public, max-age=31536000, immutable";
    case Caching::api: return "no-cache";
    case Caching::no_store: return "no-store";
  }
  return "no-store";
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// gzip (RFC 1952) of `bytes` at zlib's default level; empty on failure.
std::string gzip(std::string_view bytes) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  const std::size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (status != Z_STREAM_END) return {};
  out.resize(written);
  out.shrink_to_fit();
  return out;
}

bool is_html(std::string_view content_type) { return content_type.starts_with("text/html"); }

std::string header_block(std::string_view content_type, std::string_view cache, bool vary) {
  std::string h;
  h.reserve(512);
  h.append("Content-Type: ").append(content_type).append("\r\n");
  h.append("Cache-Control: ").append(cache).append("\r\n");
  if (vary) h.append("Vary: Accept-Encoding\r\n");
  h.append("X-Content-Type-Options: nosniff\r\n");
  h.append("Referrer-Policy: no-referrer\r\n");
  h.append("Content-Security-Policy: ")
      .append(is_html(content_type) ? kPagePolicy : kOtherPolicy)
      .append("\r\n");
  return h;
}

}  // namespace

std::shared_ptr<const Response> Response::ok(std::string_view content_type, std::string body, Caching caching) {
  auto r = std::make_shared<Response>();
  r->code_ = 200;
  // 128 bits of SHA-256: a strong validator (byte-identical bodies only).
  const std::string hash = core::sha256_hex(body).substr(0, 32);
  r->etag_ = "\"" + hash + "\"";
  // A strong ETag names one representation, so the gzip one differs.
  r->gzip_etag_ = "\"" + hash + ".gz\"";
  const bool may_compress = compressible(content_type) && body.size() >= 256;
  if (may_compress) {
    r->gzip_body_ = gzip(body);
    if (r->gzip_body_.size() >= body.size()) r->gzip_body_.clear();
  }
  r->body_ = std::move(body);
  const std::string_view cache = cache_control(caching);
  r->headers_ = header_block(content_type, cache, may_compress);
  r->validator_headers_ = "Cache-Control: " + std::string(cache) + "\r\n";
  if (may_compress) r->validator_headers_ += "Vary: Accept-Encoding\r\n";
  return r;
}

std::shared_ptr<const Response> Response::status(int code, std::string_view content_type, std::string body,
                                                 std::string_view extra_headers) {
  auto r = std::make_shared<Response>();
  r->code_ = code;
  r->body_ = std::move(body);
  r->headers_ = header_block(content_type, cache_control(Caching::no_store), false);
  r->headers_.append(extra_headers);
  r->validator_headers_ = "Cache-Control: no-store\r\n";
  return r;
}

std::shared_ptr<const Response> Response::plain(int code, std::string_view message) {
  std::string body = std::to_string(code) + " " + std::string(reason_phrase(code));
  if (!message.empty()) body.append(": ").append(message);
  body += "\n";
  return status(code, "text/plain; charset=utf-8", std::move(body));
}

std::size_t Response::memory_size() const {
  return sizeof(Response) + body_.capacity() + gzip_body_.capacity() + etag_.capacity() + gzip_etag_.capacity() +
         headers_.capacity() + validator_headers_.capacity();
}

std::string_view reason_phrase(int code) {
  switch (code) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

bool compressible(std::string_view content_type) {
  const std::string_view type = core::trim_blanks(content_type.substr(0, content_type.find(';')));
  if (type.starts_with("text/")) return true;
  return type == "application/json" || type == "application/feed+json" || type == "application/xml" ||
         type == "application/javascript" || type == "image/svg+xml" || type.ends_with("+xml");
}

bool accepts_gzip(std::string_view accept_encoding) {
  // coding *( OWS ";" OWS param ), comma separated; q=0 means "not this".
  while (!accept_encoding.empty()) {
    const std::size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const std::size_t semi = item.find(';');
    const std::string_view coding = core::trim_blanks(item.substr(0, semi));
    if (!ieq(coding, "gzip") && !ieq(coding, "x-gzip") && coding != "*") continue;
    bool refused = false;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      while (!params.empty()) {
        const std::size_t next = params.find(';');
        std::string_view param = core::trim_blanks(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
          std::string_view q = core::trim_blanks(param.substr(2));
          // q=0, q=0.0, q=0.000: refused; any nonzero digit: accepted.
          refused = q.find_first_of("123456789") == std::string_view::npos;
        }
      }
    }
    if (!refused) return true;
  }
  return false;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (etag.empty()) return false;
  while (!if_none_match.empty()) {
    const std::size_t comma = if_none_match.find(',');
    std::string_view tag = core::trim_blanks(if_none_match.substr(0, comma));
    if_none_match = comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace newsmirror::serve
