#include "serve/http_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace newsmirror::serve {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

// Reads one request head into strings the connection owns (and reuses, so
// a keep-alive connection allocates nothing per request), keeping only the
// headers the server acts on, and throws any body away.
class RequestParser final : public http::basic_parser<true> {
 public:
  struct Fields {
    std::string method;
    std::string target;
    std::string if_none_match;
    int version = 11;
    http::verb verb = http::verb::unknown;
    bool has_host = false;
    bool gzip = false;
    void clear() {
      method.clear();
      target.clear();
      if_none_match.clear();
      version = 11;
      verb = http::verb::unknown;
      has_host = false;
      gzip = false;
    }
  };

  explicit RequestParser(Fields& fields) : fields_(fields) { fields_.clear(); }

 private:
  void on_request_impl(http::verb verb, beast::string_view method, beast::string_view target, int version,
                       beast::error_code&) override {
    fields_.verb = verb;
    fields_.method.assign(method.data(), method.size());
    fields_.target.assign(target.data(), target.size());
    fields_.version = version;
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(http::field name, beast::string_view, beast::string_view value,
                     beast::error_code&) override {
    switch (name) {
      case http::field::host: fields_.has_host = true; break;
      case http::field::accept_encoding: fields_.gzip = fields_.gzip || accepts_gzip(view(value)); break;
      case http::field::if_none_match:
        if (!fields_.if_none_match.empty()) fields_.if_none_match += ", ";
        fields_.if_none_match.append(value.data(), value.size());
        break;
      default: break;
    }
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, beast::error_code&) override {}
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override { return body.size(); }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  Fields& fields_;
};

// "Sun, 06 Nov 1994 08:49:37 GMT", formatted once a second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_second = -1;
  thread_local char text[32];
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = now;
  }
  return text;
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

std::int64_t now_ns() { return Clock::now().time_since_epoch().count(); }

const std::shared_ptr<const Response>& method_not_allowed() {
  static const auto response = Response::status(405, "text/plain; charset=utf-8",
                                                "405 Method Not Allowed: only GET and HEAD\n", "Allow: GET, HEAD\r\n");
  return response;
}

}  // namespace

using Strand = net::strand<net::io_context::executor_type>;
// Sockets bound to their connection's strand by type, not through the
// type-erased any_io_executor, which allocates whenever it is copied.
using Socket = net::basic_stream_socket<tcp, Strand>;

// What the acceptor and the sweep know of a connection; owned by the
// registry, so reading it under the registry's mutex is always safe.
struct Slot {
  std::weak_ptr<class Connection> connection;
  // Steady-clock nanoseconds; 0 for "none".
  std::atomic<std::int64_t> waiting_since{0};  // waiting for a request (idle or trickling)
  std::atomic<std::int64_t> deadline{0};       // closed by the sweep once passed
};

class Connection;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  ServerOptions options;
  Handler handler;
  std::atomic<bool> stopping{false};
  std::chrono::nanoseconds sweep_period{};

  // Every open connection, for the cap, eviction and timeouts. Guarded by
  // mutex. A shared_ptr<Connection> must never be released while it is
  // held: a connection's destructor takes it to leave the registry.
  mutable std::mutex mutex;
  std::list<std::shared_ptr<Slot>> slots;

  std::mutex wait_mutex;
  std::vector<std::thread> threads;
  tcp::endpoint bound;

  // Declared after what connections touch in their destructors, so that
  // handlers still queued when it goes are destroyed while those live;
  // before the I/O objects, which must go first.
  net::io_context ioc;
  Strand accept_strand{ioc.get_executor()};
  tcp::acceptor acceptor{accept_strand};
  net::steady_timer retry_timer{accept_strand};
  net::steady_timer sweep_timer{accept_strand};
  std::optional<Socket> incoming;  // the socket the next accept fills
  bool holding = false;            // `incoming` is accepted and waits for a slot

  explicit Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  void accept();
  void on_accept(beast::error_code ec);
  bool admit();
  void retry_later();
  void sweep();
  void shutdown();
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Socket socket, HttpServer::Impl& server) : socket_(std::move(socket)), server_(server) {
    beast::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    if (!ec) remote_ = fmt::format("{}:{}", remote.address().to_string(), remote.port());
    buffer_.max_size(server_.options.max_header_bytes + 4096);
    socket_.set_option(tcp::no_delay(true), ec);
  }

  ~Connection() {
    std::lock_guard lock(server_.mutex);
    if (registered_) server_.slots.erase(slot_);
  }

  // Called with server_.mutex held, before start().
  void registered(std::list<std::shared_ptr<Slot>>::iterator slot) {
    slot_ = slot;
    state_ = *slot;
    registered_ = true;
  }

  void start() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
  }

  // Called with server_.mutex held: drops the connection from the registry
  // (its slot is free at once) and closes it on its own strand.
  void evict_locked() {
    if (!registered_) return;
    server_.slots.erase(slot_);
    registered_ = false;
    net::post(socket_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  void set_deadline(std::chrono::milliseconds from_now) {
    state_->deadline.store(now_ns() + std::chrono::nanoseconds(from_now).count(), std::memory_order_relaxed);
  }

  void wait_for_request() {
    if (server_.stopping) return close();
    state_->waiting_since.store(now_ns(), std::memory_order_relaxed);
    parser_.emplace(fields_);
    parser_->eager(true);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    request_started_ = false;
    if (buffer_.size() > 0) return parse();  // pipelined bytes are here already
    set_deadline(server_.options.idle_timeout);
    read_more();
  }

  void read_more() {
    const std::size_t room = buffer_.max_size() - buffer_.size();
    if (room == 0) return on_request(http::error::buffer_overflow);
    socket_.async_read_some(buffer_.prepare(std::min<std::size_t>(room, 8192)),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->parse();
                            });
  }

  // Feeds what has arrived to the parser; reads more until the request is
  // whole. Most requests arrive in one read and are parsed right here.
  void parse() {
    if (!request_started_) {
      // The whole request must arrive within request_timeout of its first
      // byte: the clock is not reset by each byte a slow client trickles.
      request_started_ = true;
      set_deadline(server_.options.request_timeout);
    }
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) return on_request(ec);
      if (used == 0) break;
    }
    if (parser_->is_done()) return on_request({});
    read_more();
  }

  void on_request(beast::error_code ec) {
    state_->waiting_since.store(0, std::memory_order_relaxed);
    state_->deadline.store(0, std::memory_order_relaxed);  // the handler's time is not the client's
    started_ = Clock::now();
    if (ec) {
      if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return send_error(431, "the request line and headers are too large");
      if (ec == http::error::body_limit) return send_error(413, "requests here carry no body");
      return send_error(400, "malformed request");
    }
    if (fields_.version != 10 && fields_.version != 11) return send_error(505, "HTTP/1.0 and HTTP/1.1 only");
    if (fields_.version == 11 && !fields_.has_host) return send_error(400, "HTTP/1.1 requests need a Host header");
    keep_alive_ = parser_->keep_alive() && !server_.stopping;
    if (fields_.verb != http::verb::get && fields_.verb != http::verb::head) {
      keep_alive_ = false;
      return send(method_not_allowed(), false);
    }

    std::string_view target = fields_.target;
    // absolute-form (RFC 9112 3.2.2): the path starts after the authority.
    if (target.starts_with("http://") || target.starts_with("https://")) {
      const std::size_t slash = target.find('/', target.find("//") + 2);
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    if (!target.starts_with('/')) return send_error(400, "the request target must be a path");
    Request request;
    request.head = fields_.verb == http::verb::head;
    request.target = target;
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    std::shared_ptr<const Response> response;
    try {
      response = server_.handler(request);
    } catch (const std::exception& e) {
      // The reader gets a 500; the operator gets what went wrong, and where.
      spdlog::error("serve: {} failed: {}", target, e.what());
      response = nullptr;
    }
    if (!response) response = Response::plain(500);
    send(std::move(response), request.head);
  }

  void send_error(int code, std::string_view message) {
    keep_alive_ = false;
    if (fields_.method.empty()) fields_.method = "-";
    send(Response::plain(code, message), fields_.verb == http::verb::head);
  }

  void send(std::shared_ptr<const Response> response, bool head) {
    response_ = std::move(response);
    const Response& r = *response_;
    const bool gzip = r.code() == 200 && fields_.gzip && !r.gzip_body().empty();
    const std::string& etag = gzip ? r.gzip_etag() : r.etag();
    const bool not_modified = r.code() == 200 && !fields_.if_none_match.empty() &&
                              (etag_matches(fields_.if_none_match, r.etag()) ||
                               etag_matches(fields_.if_none_match, r.gzip_etag()));
    const int code = not_modified ? 304 : r.code();
    const std::string& body = gzip ? r.gzip_body() : r.body();
    body_ = (head || not_modified) ? std::string_view{} : std::string_view(body);

    head_.clear();
    head_.append(fields_.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    append_number(head_, static_cast<std::size_t>(code));
    head_.push_back(' ');
    head_.append(reason_phrase(code));
    head_.append("\r\nDate: ").append(http_date()).append("\r\n");
    if (!etag.empty()) head_.append("ETag: ").append(etag).append("\r\n");
    if (not_modified) {
      head_.append(r.validator_headers());
    } else {
      head_.append("Content-Length: ");
      append_number(head_, body.size());
      head_.append("\r\n");
      if (gzip) head_.append("Content-Encoding: gzip\r\n");
      head_.append(r.headers());
    }
    if (!keep_alive_) head_.append("Connection: close\r\n");
    else if (fields_.version == 10) head_.append("Connection: keep-alive\r\n");
    head_.append("\r\n");
    status_ = code;

    set_deadline(server_.options.write_timeout);
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_.data(), body_.size())};
    net::async_write(socket_, buffers, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_written(ec);
    });
  }

  void on_written(beast::error_code ec) {
    if (server_.options.access_log) {
      AccessRecord record;
      record.remote = remote_;
      record.method = fields_.method;
      record.target = fields_.target;
      record.status = status_;
      record.bytes = body_.size();
      record.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
      server_.options.access_log(record);
    }
    response_.reset();
    if (ec || !keep_alive_) {
      beast::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      return close();
    }
    wait_for_request();
  }

  void close() {
    beast::error_code ignored;
    socket_.close(ignored);
  }

  Socket socket_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  RequestParser::Fields fields_;
  std::optional<RequestParser> parser_;
  bool request_started_ = false;
  std::string head_;
  std::string_view body_;
  std::shared_ptr<const Response> response_;
  std::string remote_;
  bool keep_alive_ = false;
  int status_ = 0;
  Clock::time_point started_;
  std::shared_ptr<Slot> state_;
  // Guarded by server_.mutex.
  std::list<std::shared_ptr<Slot>>::iterator slot_;
  bool registered_ = false;
};

void HttpServer::Impl::accept() {
  if (stopping) return;
  incoming.emplace(net::make_strand(ioc));
  acceptor.async_accept(*incoming, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void HttpServer::Impl::on_accept(beast::error_code ec) {
  if (stopping) return;
  if (ec) {
    // Out of file descriptors and the like: wait a little rather than spin.
    if (ec == net::error::operation_aborted) return;
    incoming.reset();
    return retry_later();
  }
  if (!admit()) {
    holding = true;
    return retry_later();  // every connection is busy: leave the rest in the backlog
  }
  accept();
}

// Starts a connection for `incoming` when there is a slot, making one by
// evicting the connection that has waited longest for its request.
bool HttpServer::Impl::admit() {
  std::shared_ptr<Connection> connection;
  std::shared_ptr<Connection> evicted;  // released after the lock (see `mutex`)
  {
    std::lock_guard lock(mutex);
    if (slots.size() >= options.max_connections) {
      Slot* oldest = nullptr;
      for (const auto& slot : slots) {
        const std::int64_t since = slot->waiting_since.load(std::memory_order_relaxed);
        if (since != 0 && (!oldest || since < oldest->waiting_since.load(std::memory_order_relaxed)))
          oldest = slot.get();
      }
      if (oldest) evicted = oldest->connection.lock();
      if (!evicted) return false;
      evicted->evict_locked();
    }
    connection = std::make_shared<Connection>(std::move(*incoming), *this);
    auto slot = std::make_shared<Slot>();
    slot->connection = connection;
    connection->registered(slots.insert(slots.end(), std::move(slot)));
  }
  incoming.reset();
  connection->start();
  return true;
}

void HttpServer::Impl::retry_later() {
  retry_timer.expires_after(std::chrono::milliseconds(50));
  retry_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->stopping) return;
    if (self->holding) {
      if (!self->admit()) return self->retry_later();
      self->holding = false;
    }
    self->accept();
  });
}

// Timeouts are enforced here, a few times per shortest timeout, rather
// than by a timer armed and cancelled around every read and write.
void HttpServer::Impl::sweep() {
  sweep_timer.expires_after(sweep_period);
  sweep_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->stopping) return;
    std::vector<std::shared_ptr<Connection>> expired;  // released after the lock
    {
      const std::int64_t now = now_ns();
      std::lock_guard lock(self->mutex);
      for (auto it = self->slots.begin(); it != self->slots.end();) {
        const Slot& slot = **it;
        ++it;  // evict_locked() erases the entry
        const std::int64_t deadline = slot.deadline.load(std::memory_order_relaxed);
        if (deadline == 0 || deadline > now) continue;
        if (auto c = slot.connection.lock()) {
          c->evict_locked();
          expired.push_back(std::move(c));
        }
      }
    }
    self->sweep();
  });
}

void HttpServer::Impl::shutdown() {
  beast::error_code ignored;
  acceptor.close(ignored);
  retry_timer.cancel();
  sweep_timer.cancel();
  incoming.reset();
  std::vector<std::shared_ptr<Connection>> open;  // released after the lock
  std::lock_guard lock(mutex);
  for (auto it = slots.begin(); it != slots.end();) {
    const Slot& slot = **it;
    ++it;  // evict_locked() erases the entry
    if (auto c = slot.connection.lock()) {
      c->evict_locked();
      open.push_back(std::move(c));
    }
  }
}

core::Result<std::unique_ptr<HttpServer>> HttpServer::start(ServerOptions options, Handler handler) {
  const std::string listen = options.listen;
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return core::Error(core::ErrorKind::usage, fmt::format("--listen {}: expected HOST:PORT", listen));
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port_number = 0;
  auto [end, parsed] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (port.empty() || parsed != std::errc() || end != port.data() + port.size() || port_number > 65535)
    return core::Error(core::ErrorKind::usage, fmt::format("--listen {}: \"{}\" is not a port", listen, port));

  auto impl = std::make_shared<Impl>(std::move(options), std::move(handler));
  const auto shortest = std::min({impl->options.idle_timeout, impl->options.request_timeout, impl->options.write_timeout});
  impl->sweep_period = std::clamp<std::chrono::nanoseconds>(shortest / 8, std::chrono::milliseconds(10),
                                                            std::chrono::milliseconds(250));
  beast::error_code ec;
  tcp::resolver resolver(impl->ioc);
  auto endpoints = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty())
    return core::Error(core::ErrorKind::usage, fmt::format("--listen {}: cannot resolve {}: {}", listen, host,
                                                           ec ? ec.message() : "no address"));
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto fail = [&](const char* step) {
    return core::Error(core::ErrorKind::io, fmt::format("--listen {}: {}: {}", listen, step, ec.message()));
  };
  if (impl->acceptor.open(endpoint.protocol(), ec)) return fail("cannot open a socket");
  if (impl->acceptor.set_option(net::socket_base::reuse_address(true), ec)) return fail("cannot set SO_REUSEADDR");
  if (impl->acceptor.bind(endpoint, ec)) return fail("cannot bind");
  if (impl->acceptor.listen(net::socket_base::max_listen_connections, ec)) return fail("cannot listen");
  impl->bound = impl->acceptor.local_endpoint(ec);

  net::post(impl->accept_strand, [impl] {
    impl->accept();
    impl->sweep();
  });
  unsigned threads = impl->options.threads ? impl->options.threads : std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  for (unsigned i = 0; i < threads; ++i) impl->threads.emplace_back([impl = impl.get()] { impl->ioc.run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  stop();
  wait();
}

std::string HttpServer::address() const {
  const auto& a = impl_->bound.address();
  if (a.is_v6()) return fmt::format("[{}]:{}", a.to_string(), impl_->bound.port());
  return fmt::format("{}:{}", a.to_string(), impl_->bound.port());
}

std::uint16_t HttpServer::port() const { return impl_->bound.port(); }

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->slots.size();
}

void HttpServer::stop() {
  if (impl_->stopping.exchange(true)) return;
  net::post(impl_->accept_strand, [impl = impl_] { impl->shutdown(); });
}

void HttpServer::wait() {
  std::lock_guard lock(impl_->wait_mutex);
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
}

}  // namespace newsmirror::serve
