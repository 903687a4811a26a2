// The HTTP/1.1 server under `newsmirror serve` (Boost.Beast on one Asio
// io_context run by N threads). It owns everything about HTTP so that the
// handler only maps a request to a Response:
//
// - GET and HEAD only (405 with Allow otherwise); an origin-form target and a
//   Host header are required (400);
// - every 200 gets its ETag, If-None-Match gives 304, gzip goes to clients
//   that accept it (Response holds both bodies, made once);
// - limits: a request head over max_header_bytes is 431, a body over
//   max_body_bytes is 413, anything unparseable is 400; each of these closes
//   the connection;
// - timeouts per connection: idle_timeout waiting for a request to start,
//   request_timeout from its first byte to its end (so a client trickling a
//   byte a second is cut off), write_timeout for sending the answer. A
//   sweep enforces them several times per shortest timeout (at most every
//   250 ms), so no timer is armed and cancelled around each read and write;
// - at most max_connections at once. When the cap is reached, a new
//   connection evicts the one that has waited longest for its request (an
//   idle keep-alive or a trickling client); when every connection is busy
//   answering, new ones wait in the kernel's backlog until one ends. Memory
//   stays bounded either way and a flood of slow clients cannot lock a
//   normal one out.
//
// Thread-safety: the handler is called from several threads at once and must
// be thread-safe; start/stop/address may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "serve/response.hpp"

namespace newsmirror::serve {

// One request, as the handler sees it: views into the connection's buffers,
// valid only during the handler call.
struct Request {
  bool head = false;          // HEAD (else GET): the layer drops the body
  std::string_view target;    // as sent, e.g. "/search.html?q=%E5%8F%B0"
  std::string_view path;      // target before '?', still percent-encoded
  std::string_view query;     // after '?', "" when none
};

// Never returns null; exceptions become a 500.
using Handler = std::function<std::shared_ptr<const Response>(const Request&)>;

// One line per request for the access log.
struct AccessRecord {
  std::string_view remote;    // "127.0.0.1:51234"
  std::string_view method;
  std::string_view target;
  int status = 0;
  std::size_t bytes = 0;      // body bytes sent
  std::chrono::microseconds duration{0};
};

struct ServerOptions {
  // "HOST:PORT" ("[::1]:8080" for IPv6); port 0 picks a free one (address()
  // tells which).
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;                 // 0: one per hardware thread
  std::size_t max_connections = 512;
  std::size_t max_header_bytes = 16 * 1024;  // request line and headers
  std::size_t max_body_bytes = 8 * 1024;     // GET/HEAD carry none; a little is tolerated
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds write_timeout{30'000};
  // Called after each response when set (from the connection's thread).
  std::function<void(const AccessRecord&)> access_log;
};

class HttpServer {
 public:
  // Binds, listens and starts the threads. A bad address or a port in use
  // is an error naming the address.
  static core::Result<std::unique_ptr<HttpServer>> start(ServerOptions options, Handler handler);
  // Stops and waits for the threads.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The address actually bound, "127.0.0.1:41234".
  std::string address() const;
  std::uint16_t port() const;
  // Connections open right now (never more than max_connections).
  std::size_t open_connections() const;
  // Stops accepting, closes every connection; returns at once. Idempotent.
  void stop();
  // Blocks until the server has stopped and its threads have ended.
  void wait();

  struct Impl;  // http_server.cpp's, public only for its connections

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace newsmirror::serve
