// A bare HTTP/1.1 client over a real socket for the server tests: it sends
// exactly the bytes a test gives (malformed, oversized, trickled) and reads
// responses with a deadline, so a test never hangs on a server that keeps
// quiet.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "site/site_paths.hpp"

namespace newsmirror::serve::test {

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  // False once the server has closed the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One response; no body is read for HEAD requests, 304 and 1xx. nullopt
  // when the connection closed or the deadline passed first.
  std::optional<HttpAnswer> read_response(bool head_request = false,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    HttpAnswer answer;
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    answer.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      answer.headers[name] = value;
    }
    if (head_request || answer.status == 304 || answer.status < 200) return answer;
    const std::size_t length = answer.headers.count("content-length") ? std::stoul(answer.headers["content-length"]) : 0;
    while (buffer_.size() < length)
      if (!fill(deadline)) return std::nullopt;
    answer.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return answer;
  }

  // Whether the server closes the connection (EOF or reset) before the
  // deadline; bytes it sends meanwhile are kept for read_response.
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
      if (!fill(deadline)) return eof_;
    return false;
  }

 private:
  // Reads what is there; false on EOF, error or deadline.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// One request on a fresh connection. `headers` are complete lines.
inline std::optional<HttpAnswer> request(std::uint16_t port, std::string_view method, std::string_view target,
                                         std::string_view headers = {}) {
  RawConnection connection(port);
  if (!connection.connected()) return std::nullopt;
  std::string text = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  text.append(headers);
  text += "Connection: close\r\n\r\n";
  if (!connection.send(text)) return std::nullopt;
  return connection.read_response(method == "HEAD");
}

inline std::optional<HttpAnswer> get(std::uint16_t port, std::string_view target, std::string_view headers = {}) {
  return request(port, "GET", target, headers);
}

// Percent-encodes every byte outside the unreserved set (for UTF-8 queries).
inline std::string url_encode(std::string_view text) { return site::query_value_encoded(text); }

// The bytes of a gzip stream; nullopt when it is not one.
inline std::optional<std::string> gunzip(std::string_view bytes) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
  std::string out;
  char chunk[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  int status;
  do {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    status = inflate(&z, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      inflateEnd(&z);
      return std::nullopt;
    }
    out.append(chunk, sizeof chunk - z.avail_out);
  } while (status != Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

}  // namespace newsmirror::serve::test
