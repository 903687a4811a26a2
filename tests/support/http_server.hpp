// A real HTTP/1.1 server on 127.0.0.1 for tests: the fetcher and the
// integration tests talk to it over real sockets instead of a mock.
//
// Each connection gets its own thread and carries one request
// ("Connection: close"), which keeps the server simple and makes
// "concurrent connections" and "concurrent requests" the same number.
// Handlers run on those threads: a handler that touches test state must
// guard it (atomics or a mutex). A handler that pauses should use
// HttpResponder::wait, not sleep_for, so the server can stop it promptly.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace newsmirror::test {

struct HttpRequest {
  std::string method;
  std::string path;     // path and query, e.g. "/feed.xml?page=2"
  std::string target;   // as sent: an absolute URL when the client used us as a proxy
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;

  // The header's value, "" when absent. `name` is lower-case.
  std::string header(const std::string& name) const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Writes the one response to a request. Every send returns false once the
// client has gone; a streaming handler must then stop.
class HttpResponder {
 public:
  // A whole response; Content-Length is added unless given.
  bool send(int status, const HttpHeaders& headers = {}, std::string_view body = {});
  // The start of a streamed response. Without a Content-Length header the
  // body goes out in chunked transfer encoding, ended when the handler returns.
  bool send_head(int status, const HttpHeaders& headers = {});
  // Part of a streamed body, after send_head.
  bool send_chunk(std::string_view bytes);
  // Bytes exactly as given, for malformed or truncated responses.
  bool send_raw(std::string_view bytes);
  // Sleeps up to `duration`; false (early) when the client has gone or the
  // server is stopping, so trickling handlers end promptly.
  bool wait(std::chrono::milliseconds duration);
  bool client_gone();

 private:
  friend class HttpServer;
  HttpResponder(int fd, const std::atomic<bool>& stopping, bool head_only)
      : fd_(fd), stopping_(stopping), head_only_(head_only) {}
  std::string head_text(int status, const HttpHeaders& headers);
  void mark_done();
  void finish();

  int fd_;
  const std::atomic<bool>& stopping_;
  bool head_only_;
  bool started_ = false;
  bool chunked_ = false;
  bool gone_ = false;
  std::function<void()> on_done_;  // once, just before the response's last write
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponder&)>;

// How serve_file answers beyond the plain body.
struct FileOptions {
  // (Default initializers let tests write {.etag = "\"v1\""} without
  // -Wmissing-field-initializers.)
  std::string etag{};           // sent as ETag; a matching If-None-Match gets 304
  std::string last_modified{};  // sent as Last-Modified; a matching If-Modified-Since gets 304
  bool gzip = false;            // Content-Encoding: gzip when the client accepts it
};

class HttpServer {
 public:
  // Binds 127.0.0.1 on a free port and serves on background threads.
  HttpServer();
  // Stops: unblocks waiting handlers, closes connections, joins threads.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path; `path` starts with "/".
  std::string url(std::string_view path) const;
  // The same on another host name, to test per-host behaviour against one server.
  std::string url_on(std::string_view host, std::string_view path) const;

  // Routes match the path exactly, without the query; a later call replaces
  // an earlier one, also while serving. Unknown paths get 404.
  void route(std::string path, HttpHandler handler);
  void serve_file(std::string path, std::string body, std::string content_type,
                  FileOptions options = {});
  void redirect(std::string path, std::string location, int status = 302);

  // Requests a path (without query) got, whatever the answer.
  int hits(std::string_view path) const;
  // Every request so far, in arrival order.
  std::vector<HttpRequest> requests() const;
  // Most requests answered at once (from the request read to the last
  // write of its response): overall (host "") or whose Host header names
  // `host` (without port). With one request per connection this is also the
  // most connections a client had open to us.
  int max_concurrent(std::string_view host = {}) const;

 private:
  struct State;
  void accept_loop();
  void serve_connection(int fd);

  int port_ = 0;
  std::shared_ptr<State> state_;
};

// A loopback port nobody listens on: bound, never listened, closed.
int closed_port();

// A gzip member (RFC 1952) holding `data`. Runs of one byte are compressed
// (so a small body can expand to megabytes, for decompression limits);
// everything else is stored as fixed-Huffman literals.
std::string gzip_encode(std::string_view data);

}  // namespace newsmirror::test
