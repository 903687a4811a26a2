#include "support/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace newsmirror::test {

namespace {

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr int kMaxConnections = 64;  // more wait in the listen backlog
constexpr std::chrono::milliseconds kIdleRequestTimeout{5000};
constexpr int kPollSliceMs = 20;  // how fast threads notice a stop

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

bool has_header(const HttpHeaders& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return lower(h.first) == name; });
}

std::string path_of(std::string_view path_and_query) {
  return std::string(path_and_query.substr(0, path_and_query.find('?')));
}

// "example.org:8080" -> "example.org"; "[::1]:80" -> "[::1]".
std::string host_without_port(std::string_view host) {
  if (host.starts_with('[')) return std::string(host.substr(0, host.find(']') + 1));
  return lower(host.substr(0, host.find(':')));
}

}  // namespace

std::string HttpRequest::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

// ---------------------------------------------------------------- responder

bool HttpResponder::send_raw(std::string_view bytes) {
  if (gone_) return false;
  while (!bytes.empty()) {
    // MSG_NOSIGNAL: a client that hung up must cost an error, not SIGPIPE.
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      gone_ = true;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool HttpResponder::send(int status, const HttpHeaders& headers, std::string_view body) {
  if (started_) return false;  // a handler bug; the response is already on its way
  HttpHeaders all = headers;
  bool has_body = !head_only_ && status != 304 && status != 204;
  if (!has_header(all, "content-length") && status != 304 && status != 204)
    all.emplace_back("Content-Length", std::to_string(body.size()));
  // One write for head and body, so "done" is marked before the only write.
  std::string text = head_text(status, all);
  if (has_body) text += body;
  mark_done();
  return send_raw(text);
}

bool HttpResponder::send_head(int status, const HttpHeaders& headers) {
  if (started_) return false;
  return send_raw(head_text(status, headers));
}

std::string HttpResponder::head_text(int status, const HttpHeaders& headers) {
  started_ = true;
  chunked_ = !head_only_ && status != 304 && status != 204 && !has_header(headers, "content-length");
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  if (chunked_) head += "Transfer-Encoding: chunked\r\n";
  head += "Connection: close\r\n\r\n";
  return head;
}

void HttpResponder::mark_done() {
  if (on_done_) std::exchange(on_done_, nullptr)();
}

bool HttpResponder::send_chunk(std::string_view bytes) {
  if (!started_ || head_only_) return !gone_;
  if (!chunked_) return send_raw(bytes);
  if (bytes.empty()) return !gone_;  // an empty chunk would end the body
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return send_raw(size) && send_raw(bytes) && send_raw("\r\n");
}

bool HttpResponder::client_gone() {
  if (gone_) return true;
  // The request was read whole, so anything readable now is the client's
  // end of stream (or a reset): it has hung up.
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLIN))) {
    char byte;
    if ((p.revents & (POLLRDHUP | POLLHUP | POLLERR)) || ::recv(fd_, &byte, 1, MSG_PEEK) <= 0)
      gone_ = true;
  }
  return gone_;
}

bool HttpResponder::wait(std::chrono::milliseconds duration) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (true) {
    if (stopping_ || client_gone()) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(kPollSliceMs)));
  }
}

void HttpResponder::finish() {
  if (!started_) {
    send(500, {{"Content-Type", "text/plain"}}, "the test handler sent no response\n");
    return;
  }
  mark_done();
  if (chunked_) send_raw("0\r\n\r\n");
}

// ------------------------------------------------------------------- server

struct HttpServer::State {
  int listen_fd = -1;
  int wake_pipe[2] = {-1, -1};  // written once to stop accept_loop
  std::atomic<bool> stopping{false};
  std::thread acceptor;

  mutable std::mutex mutex;
  std::condition_variable connection_closed;
  std::map<std::string, HttpHandler> routes;
  std::map<std::string, int, std::less<>> hits;
  std::vector<HttpRequest> requests;
  struct Connection {
    int fd;
    std::thread thread;
    bool done = false;
  };
  std::list<Connection> connections;
  // Requests being answered, for max_concurrent.
  std::map<std::string, int> in_flight_per_host;
  std::map<std::string, int, std::less<>> max_per_host;
  int in_flight = 0;
  int max_in_flight = 0;
  int open = 0;  // connections, bounded by kMaxConnections
};

HttpServer::HttpServer() : state_(std::make_shared<State>()) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("test server: socket() failed");
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel picks a free port
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("test server: cannot listen on 127.0.0.1");
  }
  if (::pipe2(state_->wake_pipe, O_CLOEXEC) != 0) {
    ::close(fd);
    throw std::runtime_error("test server: pipe() failed");
  }
  port_ = ntohs(addr.sin_port);
  state_->listen_fd = fd;
  state_->acceptor = std::thread([this] { accept_loop(); });
}

HttpServer::~HttpServer() {
  State& s = *state_;
  s.stopping = true;
  char byte = 0;
  (void)!::write(s.wake_pipe[1], &byte, 1);
  s.acceptor.join();
  {
    // Handlers blocked in send() or recv() wake up with an error.
    std::lock_guard lock(s.mutex);
    for (auto& c : s.connections)
      if (!c.done) ::shutdown(c.fd, SHUT_RDWR);
  }
  for (auto& c : s.connections) c.thread.join();
  ::close(s.listen_fd);
  ::close(s.wake_pipe[0]);
  ::close(s.wake_pipe[1]);
}

std::string HttpServer::url(std::string_view path) const { return url_on("127.0.0.1", path); }

std::string HttpServer::url_on(std::string_view host, std::string_view path) const {
  return "http://" + std::string(host) + ":" + std::to_string(port_) + std::string(path);
}

void HttpServer::route(std::string path, HttpHandler handler) {
  std::lock_guard lock(state_->mutex);
  state_->routes[std::move(path)] = std::move(handler);
}

void HttpServer::serve_file(std::string path, std::string body, std::string content_type,
                            FileOptions options) {
  std::string gzipped = options.gzip ? gzip_encode(body) : std::string();
  route(std::move(path), [body = std::move(body), gzipped = std::move(gzipped),
                          type = std::move(content_type),
                          options = std::move(options)](const HttpRequest& req, HttpResponder& res) {
    HttpHeaders headers{{"Content-Type", type}};
    if (!options.etag.empty()) headers.emplace_back("ETag", options.etag);
    if (!options.last_modified.empty()) headers.emplace_back("Last-Modified", options.last_modified);
    // If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2).
    std::string inm = req.header("if-none-match");
    bool fresh = !inm.empty() ? !options.etag.empty() && inm.find(options.etag) != std::string::npos
                              : !options.last_modified.empty() &&
                                    req.header("if-modified-since") == options.last_modified;
    if (fresh) {
      res.send(304, headers);
      return;
    }
    if (options.gzip && req.header("accept-encoding").find("gzip") != std::string::npos) {
      headers.emplace_back("Content-Encoding", "gzip");
      res.send(200, headers, gzipped);
      return;
    }
    res.send(200, headers, body);
  });
}

void HttpServer::redirect(std::string path, std::string location, int status) {
  route(std::move(path), [location = std::move(location), status](const HttpRequest&,
                                                                    HttpResponder& res) {
    res.send(status, {{"Location", location}}, "moved\n");
  });
}

int HttpServer::hits(std::string_view path) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->hits.find(path);
  return it == state_->hits.end() ? 0 : it->second;
}

std::vector<HttpRequest> HttpServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

int HttpServer::max_concurrent(std::string_view host) const {
  std::lock_guard lock(state_->mutex);
  if (host.empty()) return state_->max_in_flight;
  auto it = state_->max_per_host.find(host);
  return it == state_->max_per_host.end() ? 0 : it->second;
}

void HttpServer::accept_loop() {
  State& s = *state_;
  while (!s.stopping) {
    {
      // Bounded: reap finished connections; wait while too many are open.
      std::unique_lock lock(s.mutex);
      for (auto it = s.connections.begin(); it != s.connections.end();) {
        if (it->done) {
          it->thread.join();
          it = s.connections.erase(it);
        } else {
          ++it;
        }
      }
      s.connection_closed.wait_for(lock, std::chrono::milliseconds(kPollSliceMs),
                                   [&] { return s.open < kMaxConnections; });
      if (s.open >= kMaxConnections) continue;
    }
    pollfd fds[2] = {{s.listen_fd, POLLIN, 0}, {s.wake_pipe[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 || (fds[1].revents & POLLIN)) continue;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(s.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(s.mutex);
    ++s.open;
    auto& c = s.connections.emplace_back(State::Connection{fd, {}, false});
    c.thread = std::thread([this, fd] { serve_connection(fd); });
  }
}

void HttpServer::serve_connection(int fd) {
  State& s = *state_;
  std::string host;

  // Reads one request: headers up to the blank line, then a Content-Length body.
  auto read_request = [&](HttpRequest& req) -> bool {
    std::string data;
    auto deadline = std::chrono::steady_clock::now() + kIdleRequestTimeout;
    std::size_t header_end = std::string::npos;
    std::size_t body_size = 0;
    while (true) {
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          std::string_view head(data.data(), header_end);
          std::size_t eol = head.find("\r\n");
          std::string_view line = head.substr(0, eol);
          std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
          if (sp1 == std::string_view::npos || sp2 <= sp1) return false;
          req.method = std::string(line.substr(0, sp1));
          req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
          head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
          while (!head.empty()) {
            std::size_t end = head.find("\r\n");
            std::string_view field = head.substr(0, end);
            head.remove_prefix(end == std::string_view::npos ? head.size() : end + 2);
            std::size_t colon = field.find(':');
            if (colon == std::string_view::npos) continue;
            req.headers[lower(trim(field.substr(0, colon)))] =
                std::string(trim(field.substr(colon + 1)));
          }
          // A proxy request names the whole URL: "GET http://host/path HTTP/1.1".
          req.path = req.target;
          if (auto scheme = req.path.find("://"); scheme != std::string::npos && req.path[0] != '/') {
            auto slash = req.path.find('/', scheme + 3);
            req.path = slash == std::string::npos ? "/" : req.path.substr(slash);
          }
          body_size = std::strtoul(req.header("content-length").c_str(), nullptr, 10);
        } else if (data.size() > kMaxHeaderBytes) {
          return false;
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + body_size) {
        req.body = data.substr(header_end + 4, body_size);
        return true;
      }
      if (s.stopping || std::chrono::steady_clock::now() > deadline) return false;
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, kPollSliceMs);
      if (ready < 0 && errno != EINTR) return false;
      if (ready <= 0) continue;
      char buffer[16 * 1024];
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      data.append(buffer, static_cast<std::size_t>(n));
    }
  };

  HttpRequest req;
  if (read_request(req)) {
    HttpHandler handler;
    {
      std::lock_guard lock(s.mutex);
      host = host_without_port(req.header("host"));
      int in_host = ++s.in_flight_per_host[host];
      s.max_per_host[host] = std::max(s.max_per_host[host], in_host);
      s.max_in_flight = std::max(s.max_in_flight, ++s.in_flight);
      ++s.hits[path_of(req.path)];
      s.requests.push_back(req);
      if (auto it = s.routes.find(path_of(req.path)); it != s.routes.end()) handler = it->second;
    }
    HttpResponder responder(fd, s.stopping, req.method == "HEAD");
    // A request stops counting just before its response's last write: the
    // client cannot have seen the end yet, so the server never counts an
    // overlap the client did not have (a count taken after the write raced
    // the client's next request).
    responder.on_done_ = [&s, host] {
      std::lock_guard lock(s.mutex);
      --s.in_flight_per_host[host];
      --s.in_flight;
    };
    if (handler) {
      handler(req, responder);
    } else {
      responder.send(404, {{"Content-Type", "text/plain"}}, "no route for " + req.path + "\n");
    }
    responder.finish();
  }
  // Closing after our last byte; SHUT_WR first so the client sees a clean end.
  ::shutdown(fd, SHUT_WR);
  std::lock_guard lock(s.mutex);
  --s.open;
  for (auto& c : s.connections)
    if (c.fd == fd && !c.done) {
      c.done = true;
      ::close(fd);
      break;
    }
  s.connection_closed.notify_all();
}

// --------------------------------------------------------------------- gzip

namespace {

std::uint32_t crc32(std::string_view data) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : data) c = table[(c ^ byte) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// Deflate packs fields from the least significant bit of each byte;
// Huffman codes go most significant bit first (RFC 1951 section 3.1.1).
class BitWriter {
 public:
  void bits(std::uint32_t value, int count) {
    for (int i = 0; i < count; ++i) put((value >> i) & 1);
  }
  void code(std::uint32_t code, int length) {
    for (int i = length - 1; i >= 0; --i) put((code >> i) & 1);
  }
  std::string done() {
    if (used_) out_.push_back(static_cast<char>(current_));
    return std::move(out_);
  }

 private:
  void put(std::uint32_t bit) {
    current_ |= bit << used_;
    if (++used_ == 8) {
      out_.push_back(static_cast<char>(current_));
      current_ = 0;
      used_ = 0;
    }
  }
  std::string out_;
  std::uint32_t current_ = 0;
  int used_ = 0;
};

// Fixed Huffman codes (RFC 1951 section 3.2.6).
void literal(BitWriter& w, unsigned char byte) {
  if (byte < 144) w.code(0x30 + byte, 8);
  else w.code(0x190 + (byte - 144), 9);
}

}  // namespace

std::string gzip_encode(std::string_view data) {
  // Header: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  BitWriter w;
  w.bits(1, 1);  // final block
  w.bits(1, 2);  // fixed Huffman codes
  std::size_t i = 0;
  while (i < data.size()) {
    // A run of the previous byte, 258 long: length code 285 (no extra
    // bits), distance code 0 = distance 1.
    if (i > 0 && data.size() - i >= 258 &&
        data.substr(i, 258).find_first_not_of(data[i - 1]) == std::string_view::npos) {
      w.code(0xC0 + (285 - 280), 8);
      w.code(0, 5);
      i += 258;
      continue;
    }
    literal(w, static_cast<unsigned char>(data[i]));
    ++i;
  }
  w.code(0, 7);  // end of block (256)
  out += w.done();
  auto le32 = [&](std::uint32_t v) {
    for (int k = 0; k < 4; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
  };
  le32(crc32(data));
  le32(static_cast<std::uint32_t>(data.size()));
  return out;
}

int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace newsmirror::test
