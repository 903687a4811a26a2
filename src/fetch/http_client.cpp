#include "fetch/http_client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <optional>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/ascii.hpp"
#include "core/url.hpp"
#include "fetch/address_policy.hpp"

namespace newsmirror::fetch {

namespace {

using core::Error;
using core::ErrorKind;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// curl_global_init is not thread-safe with itself; a function-local static
// runs it exactly once. It is never undone: cleanup at exit would race
// other static destructors for nothing.
void ensure_curl_initialized() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) throw std::runtime_error("libcurl failed to initialize");
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// The one place curl's codes become our errors. `detail` is curl's own
// sentence (its error buffer), kept for the numbers it holds.
Error error_from_curl(CURLcode code, std::string_view detail, std::string_view url) {
  auto make = [&](ErrorKind kind, std::string_view what) {
    std::string message = std::string(what) + " " + std::string(url);
    message += " (" + std::string(detail.empty() ? curl_easy_strerror(code) : detail) + ")";
    return Error(kind, std::move(message));
  };
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return make(ErrorKind::timeout, "timed out fetching");
    case CURLE_COULDNT_RESOLVE_HOST:
      return make(ErrorKind::connection, "could not resolve the host name (check the address, DNS or proxy) of");
    case CURLE_COULDNT_RESOLVE_PROXY:
      return make(ErrorKind::connection, "could not resolve the proxy's host name for");
    case CURLE_COULDNT_CONNECT:
      return make(ErrorKind::connection, "could not connect (server down, blocked, or a proxy needed?) to");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return make(ErrorKind::connection, "TLS handshake or certificate check failed for");
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PROXY:
      return make(ErrorKind::connection, "the connection broke off while fetching");
    case CURLE_TOO_MANY_REDIRECTS:
      return make(ErrorKind::http_status, "too many redirects from");
    case CURLE_FILESIZE_EXCEEDED:
      return make(ErrorKind::too_large, "the body is larger than allowed from");
    case CURLE_BAD_CONTENT_ENCODING:
      return make(ErrorKind::parse, "could not decompress the body from");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return make(ErrorKind::config, "not a fetchable http(s) URL:");
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
      return make(ErrorKind::internal, "libcurl refused the request for");
    default:
      return make(ErrorKind::connection, "network error fetching");
  }
}

bool retryable(ErrorKind kind) { return kind == ErrorKind::timeout || kind == ErrorKind::connection; }

// A certificate that does not verify will not verify a second later.
bool certificate_failure(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR;
}
bool retryable_status(long status) { return status == 429 || status >= 500; }

const char* reason_phrase(long status) {
  switch (status) {
    case 300: return "Multiple Choices";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string status_text(long status) {
  std::string text = "HTTP " + std::to_string(status);
  if (*reason_phrase(status)) text += std::string(" ") + reason_phrase(status);
  return text;
}

// Host name of a URL, lower-case, for the per-host limit; "" if unparsable
// (curl then reports the bad URL itself).
std::string host_of(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
  char* host = nullptr;
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      curl_url_get(handle.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK)
    return {};
  std::string result = core::ascii_lower(host);
  curl_free(host);
  return result;
}

// One attempt at one request. Lives at a stable address (held by
// unique_ptr) because curl keeps pointers to it for its callbacks.
struct Transfer {
  std::size_t index = 0;
  int attempt = 1;
  std::string host;
  Slist headers;  // declared before `easy` so it outlives the handle using it
  Easy easy;
  std::string body;
  std::size_t max_body = 0;
  bool too_large = false;
  // Headers of the last response only: a redirect's headers are dropped
  // when the next status line arrives.
  std::map<std::string, std::string> response_headers;
  char error_buffer[CURL_ERROR_SIZE] = {};
  bool public_only = false;
  bool via_proxy = false;
  // Set when the address policy stopped a connection: what it led to.
  std::string refused_address, refused_kind;
};

// The cap is on decompressed bytes, which is what curl hands us here; saying
// we took fewer bytes than offered makes curl abort with CURLE_WRITE_ERROR.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  if (t->body.size() + n > t->max_body) {
    t->too_large = true;
    return 0;
  }
  t->body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->response_headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    t->response_headers[core::ascii_lower(core::trim_c_space(line.substr(0, colon)))] = std::string(core::trim_c_space(line.substr(colon + 1)));
  }
  return n;
}

// Every connection curl opens passes here, after name resolution and at
// every redirect hop: the one place where the address is known for certain.
// Through a proxy the socket goes to the proxy, which the operator chose.
curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (t->public_only && !t->via_proxy) {
    if (auto kind = non_public_kind(address->addr)) {
      t->refused_address = address_text(address->addr);
      t->refused_kind = *kind;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Called before each request goes out, on a new or a reused connection. A
// connection the operator's own request opened to a private address (a
// feed on the intranet) may be reused; this check stops content from
// riding on it. Through a proxy, the URL of this hop is what can be judged.
int on_request_ready(void* user, char* primary_ip, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->public_only) return CURL_PREREQFUNC_OK;
  if (!t->via_proxy) {
    if (auto kind = non_public_host_kind(primary_ip)) {
      t->refused_address = primary_ip;
      t->refused_kind = *kind;
      return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
  }
  char* url = nullptr;
  curl_easy_getinfo(t->easy.get(), CURLINFO_EFFECTIVE_URL, &url);
  std::string host = url ? host_of(url) : std::string();
  if (auto kind = non_public_host_kind(host)) {
    t->refused_address = host;
    t->refused_kind = *kind;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

struct Pending {
  std::size_t index;
  int attempt;
  Clock::time_point not_before;
};

}  // namespace

struct Client::Impl {
  Options options;
  std::mt19937 random{std::random_device{}()};

  Easy make_easy(const Request& request, Transfer& t) const;
  milliseconds backoff(int attempt);
};

Client::Client(Options options) : impl_(std::make_unique<Impl>()) {
  ensure_curl_initialized();
  // A limit below one would leave every request waiting forever.
  options.max_transfers = std::max(options.max_transfers, 1);
  options.max_per_host = std::max(options.max_per_host, 1);
  options.max_attempts = std::max(options.max_attempts, 1);
  impl_->options = options;
}

Client::~Client() = default;

Easy Client::Impl::make_easy(const Request& request, Transfer& t) const {
  Easy easy(curl_easy_init());
  if (!easy) return easy;
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // we run beside other threads
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this curl can decode
  if (!options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
  // An explicit "" also turns off proxies from the environment, so the
  // configuration alone decides the route.
  curl_easy_setopt(e, CURLOPT_PROXY, request.proxy.c_str());
  std::string agent = request.user_agent.empty() ? "newsmirror/" NEWSMIRROR_VERSION : request.user_agent;
  curl_easy_setopt(e, CURLOPT_USERAGENT, agent.c_str());  // curl copies strings
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  t.public_only = request.public_only;
  t.via_proxy = !request.proxy.empty();
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_request_ready);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, &t);

  curl_slist* list = nullptr;
  auto add = [&](const std::string& line) {
    if (curl_slist* next = curl_slist_append(list, line.c_str())) list = next;
  };
  if (request.validators.etag) add("If-None-Match: " + *request.validators.etag);
  if (request.validators.last_modified) add("If-Modified-Since: " + *request.validators.last_modified);
  t.headers.reset(list);
  if (list) curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  return easy;
}

// Exponential backoff with jitter: base * 2^(attempt-1), scaled by a random
// factor in [0.5, 1.5) so that feeds failing together do not retry together.
milliseconds Client::Impl::backoff(int attempt) {
  double base = static_cast<double>(options.backoff_base.count()) * (1 << std::min(attempt - 1, 16));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return milliseconds(static_cast<long long>(base * jitter(random)));
}

// One fetch_all: its requests waiting (first attempts in order, retries
// with a not-before time), its transfers in flight within the limits, and
// each attempt's outcome turned into a result or another try.
class Client::Scheduler {
 public:
  Scheduler(Impl& impl, const std::vector<Request>& requests, OnDone on_done)
      : impl_(impl),
        opt_(impl.options),
        requests_(requests),
        on_done_(std::move(on_done)),
        results_(requests.size(), core::Result<Response>(Error(ErrorKind::internal, "not fetched"))),
        multi_(curl_multi_init()) {
    hosts_.reserve(requests.size());
    for (const auto& r : requests) hosts_.push_back(host_of(r.url));
    for (std::size_t i = 0; i < requests.size(); ++i) pending_.push_back({i, 1, Clock::time_point{}});
  }

  std::vector<core::Result<Response>> run() {
    if (!multi_) {
      for (std::size_t i = 0; i < requests_.size(); ++i)
        finish(i, Error(ErrorKind::internal, "libcurl could not start a transfer for " + requests_[i].url));
      return std::move(results_);
    }
    // The scheduler enforces both limits; these make curl agree, so it
    // never opens more connections than we start transfers.
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(opt_.max_transfers));
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(opt_.max_per_host));
    start_ready();
    while (!pending_.empty() || !active_.empty()) {
      honour_cancel();
      if (pending_.empty() && active_.empty()) break;
      int running = 0;
      curl_multi_perform(multi_.get(), &running);
      collect_finished();
      if (pending_.empty() && active_.empty()) break;
      // Before sleeping, so a slot freed just now is filled at once; curl
      // then reports a zero timeout for the new handle and we do not sleep.
      start_ready();
      wait_for_work();
    }
    return std::move(results_);
  }

 private:
  void finish(std::size_t index, core::Result<Response> result) {
    results_[index] = std::move(result);
    if (on_done_) on_done_(index, results_[index]);
  }

  // Starts every waiting request that is due and within the limits.
  void start_ready() {
    const auto now = Clock::now();
    for (auto it = pending_.begin(); it != pending_.end() && static_cast<int>(active_.size()) < opt_.max_transfers;) {
      const std::string& host = hosts_[it->index];
      if (it->not_before > now || active_per_host_[host] >= opt_.max_per_host) {
        ++it;
        continue;
      }
      auto t = std::make_unique<Transfer>();
      t->index = it->index;
      t->attempt = it->attempt;
      t->host = host;
      t->max_body = opt_.max_body_bytes;
      t->easy = impl_.make_easy(requests_[it->index], *t);
      if (!t->easy || curl_multi_add_handle(multi_.get(), t->easy.get()) != CURLM_OK) {
        finish(it->index, Error(ErrorKind::internal, "libcurl could not start a transfer for " +
                                                         requests_[it->index].url));
      } else {
        ++active_per_host_[host];
        active_.emplace(t->easy.get(), std::move(t));
      }
      it = pending_.erase(it);
    }
  }

  void collect_finished() {
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      const CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi_.get(), e);
      auto it = active_.find(e);
      if (it == active_.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      active_.erase(it);
      complete(std::move(t), code);
    }
  }

  // What a finished attempt means: a result, or another try later.
  void complete(std::unique_ptr<Transfer> t, CURLcode code) {
    const Request& request = requests_[t->index];
    CURL* e = t->easy.get();
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    char* effective = nullptr;
    curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &effective);
    active_per_host_[t->host]--;
    if (code == CURLE_OK && !t->too_large && ((status >= 200 && status < 300) || status == 304)) {
      finish(t->index, response_of(*t, status, effective));
      return;
    }
    std::string where = request.url;
    if (effective && where != effective) where += " (redirected to " + std::string(effective) + ")";
    if (!request.proxy.empty()) where += " via proxy " + core::url::redact_password(request.proxy);
    bool retry = false;
    Error error = failure_of(*t, code, status, where, retry);
    milliseconds delay{0};
    if (retry) retry = retry_delay(*t, error, delay);
    if (retry && t->attempt < opt_.max_attempts) {
      pending_.push_back({t->index, t->attempt + 1, Clock::now() + delay});
      return;
    }
    if (t->attempt > 1) error.message += " (gave up after " + std::to_string(t->attempt) + " attempts)";
    finish(t->index, std::move(error));
  }

  Response response_of(Transfer& t, long status, const char* effective) {
    const Request& request = requests_[t.index];
    Response response;
    response.status = status;
    if (status != 304) response.body = std::move(t.body);
    char* type = nullptr;
    curl_easy_getinfo(t.easy.get(), CURLINFO_CONTENT_TYPE, &type);
    if (type) response.content_type = type;
    response.effective_url = effective ? effective : request.url;
    auto header = [&](const char* name) -> std::optional<std::string> {
      auto it = t.response_headers.find(name);
      if (it == t.response_headers.end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
    response.validators.etag = header("etag");
    response.validators.last_modified = header("last-modified");
    if (status == 304) {
      if (!response.validators.etag) response.validators.etag = request.validators.etag;
      if (!response.validators.last_modified) response.validators.last_modified = request.validators.last_modified;
    }
    response.attempts = t.attempt;
    return response;
  }

  // Why an attempt failed, and whether another might do better.
  Error failure_of(const Transfer& t, CURLcode code, long status, const std::string& where, bool& retry) const {
    if (t.too_large)
      return Error(ErrorKind::too_large, "the body of " + where + " is larger than the limit of " +
                                             std::to_string(opt_.max_body_bytes) + " bytes; transfer stopped");
    if (code != CURLE_OK && !t.refused_address.empty()) {
      // (A refused address among several a name resolves to fails the
      // transfer only if no other one served it.)
      return Error(ErrorKind::forbidden,
                   "refused to fetch " + where + ": it leads to " + t.refused_address +
                       (t.refused_kind.find_first_of("aeiou") == 0 ? ", an " : ", a ") + t.refused_kind +
                       " address, and links and images from a feed may reach only public addresses "
                       "(a source whose links really lead into a private network can say "
                       "allow_private = true)");
    }
    if (code != CURLE_OK) {
      Error error = error_from_curl(code, t.error_buffer, where);
      retry = retryable(error.kind) && !certificate_failure(code);
      return error;
    }
    retry = retryable_status(status);
    return Error(ErrorKind::http_status, status_text(status) + " from " + where);
  }

  // The wait before the next attempt: backoff, or the server's Retry-After
  // when it asks for longer. False (and the error says why) when it asks
  // for more than we wait.
  bool retry_delay(const Transfer& t, Error& error, milliseconds& delay) {
    delay = impl_.backoff(t.attempt);
    curl_off_t retry_after = 0;  // curl parses both seconds and HTTP-date
    if (curl_easy_getinfo(t.easy.get(), CURLINFO_RETRY_AFTER, &retry_after) != CURLE_OK || retry_after <= 0)
      return true;
    const milliseconds asked(retry_after * 1000);
    if (asked > opt_.max_retry_after) {
      error.message += "; the server asks to retry after " + std::to_string(retry_after) + " s, longer than the " +
                       std::to_string(opt_.max_retry_after.count() / 1000) + " s we wait";
      return false;
    }
    delay = std::max(delay, asked);
    return true;
  }

  // Asked to stop: what has not started never will, and what is in flight
  // gets a short grace before it is cut. Each fails with a reason that says so.
  void honour_cancel() {
    if (!opt_.cancel || !opt_.cancel->load()) return;
    if (!cancelled_at_) cancelled_at_ = Clock::now();
    for (const auto& p : pending_)
      finish(p.index, Error(ErrorKind::cancelled, "not fetched: newsmirror was asked to stop (" +
                                                    requests_[p.index].url + ")"));
    pending_.clear();
    if (Clock::now() - *cancelled_at_ < opt_.cancel_grace) return;
    for (auto& [easy, t] : active_) {
      curl_multi_remove_handle(multi_.get(), easy);
      finish(t->index, Error(ErrorKind::cancelled, "cut in flight: newsmirror was asked to stop (" +
                                                     requests_[t->index].url + ")"));
    }
    active_.clear();
  }

  // Sleeps until curl has work or the next retry is due, whichever is first.
  void wait_for_work() {
    long curl_ms = -1;
    curl_multi_timeout(multi_.get(), &curl_ms);
    long wait_ms = curl_ms < 0 ? 1000 : curl_ms;
    const auto now = Clock::now();
    // Requests already due but held back by a limit wait for a transfer to
    // end, which wakes the poll; only future retries set a deadline.
    // Rounded up: waking a fraction early would find nothing due and sleep long.
    for (const auto& p : pending_)
      if (p.not_before > now)
        wait_ms = std::min<long>(wait_ms, std::chrono::ceil<milliseconds>(p.not_before - now).count());
    if (wait_ms > 0) {
      int ready = 0;
      curl_multi_poll(multi_.get(), nullptr, 0, static_cast<int>(std::min<long>(wait_ms, 1000)), &ready);
    }
  }

  Impl& impl_;
  const Options& opt_;
  const std::vector<Request>& requests_;
  OnDone on_done_;
  std::vector<core::Result<Response>> results_;
  Multi multi_;
  std::vector<std::string> hosts_;  // by request, for the per-host limit
  std::deque<Pending> pending_;
  std::map<CURL*, std::unique_ptr<Transfer>> active_;
  std::map<std::string, int> active_per_host_;
  std::optional<Clock::time_point> cancelled_at_;
};

std::vector<core::Result<Response>> Client::fetch_all(const std::vector<Request>& requests, OnDone on_done) {
  return Scheduler(*impl_, requests, std::move(on_done)).run();
}

}  // namespace newsmirror::fetch
