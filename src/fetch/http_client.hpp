// HTTP client for feeds and article pages: many transfers at once over
// libcurl's multi interface, conditional GET, retries with backoff, limits.
// The curl machinery stays in http_client.cpp; this header is all a caller
// sees.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace newsmirror::fetch {

// Cache validators of a stored copy. Sent back as If-None-Match /
// If-Modified-Since so an unchanged feed costs one 304 and no body.
struct Validators {
  std::optional<std::string> etag, last_modified;
};

struct Request {
  std::string url;
  Validators validators;   // sent as If-None-Match / If-Modified-Since
  std::string proxy;       // "" = none (environment proxies are ignored too);
                           // e.g. "socks5h://127.0.0.1:1080", "http://host:3128"
  std::string user_agent;  // "" = "newsmirror/<version>"
  // A URL taken from content (an item's link, an image) may connect only to
  // public addresses (fetch/address_policy.hpp), checked on the address
  // each connection really goes to, at every redirect; anything else fails
  // with ErrorKind::forbidden and is not retried. The operator's own URLs
  // (feeds, `save`) leave this false. Through a proxy, which resolves names
  // itself, only the host as written can be checked: IP literals and
  // localhost.
  bool public_only = false;
};

struct Response {
  long status = 0;              // 200, 304 ...
  std::string body;             // decompressed; empty for 304
  std::string content_type;     // Content-Type header value, "" if none
  std::string effective_url;    // after redirects
  // ETag / Last-Modified of this response. A 304 that does not repeat them
  // keeps the request's, so a caller can always store these.
  Validators validators;
  int attempts = 1;             // 1 + retries it took
  bool not_modified() const { return status == 304; }
};

struct Options {
  int max_transfers = 8;  // at once
  int max_per_host = 2;   // at once, per host name
  std::chrono::milliseconds connect_timeout{10'000}, total_timeout{60'000};
  int max_redirects = 5;
  std::size_t max_body_bytes = 20 * 1024 * 1024;  // decompressed; bigger = ErrorKind::too_large
  int max_attempts = 3;   // retries timeouts, connection errors, 429 and 5xx
  std::chrono::milliseconds backoff_base{1000};   // doubles per retry, with jitter
  // A Retry-After up to this long is honoured; a server asking for more
  // gets no retry in this cycle (the error says so) rather than a stalled run.
  std::chrono::milliseconds max_retry_after{120'000};
  // Set (by a signal handler, say) when the user asks to stop: requests not
  // started yet fail at once, and transfers in flight get `cancel_grace` to
  // finish before they are cut. Not owned; null: never.
  const std::atomic<bool>* cancel = nullptr;
  std::chrono::milliseconds cancel_grace{5'000};
  // A PEM file of the certificate authorities to trust instead of the
  // system's ("": the system's), for feeds behind a private CA.
  std::string ca_file;
};

// One per cycle. Not thread-safe: use it from one thread. Transfers run
// concurrently inside fetch_all, which returns when all have finished.
class Client {
 public:
  explicit Client(Options options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  using OnDone = std::function<void(std::size_t, const core::Result<Response>&)>;

  // Fetches all requests concurrently. results[i] answers requests[i]; a
  // failure costs only its own request. `on_done(i, result)` is called as
  // each request finishes for good (after its retries), from this thread.
  std::vector<core::Result<Response>> fetch_all(const std::vector<Request>& requests,
                                                OnDone on_done = {});

 private:
  struct Impl;
  class Scheduler;  // one fetch_all's transfers (http_client.cpp)
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsmirror::fetch
