// The loopback server the other tests lean on: checked here with plain
// sockets so a server bug does not masquerade as a client bug.
#include "support/http_server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace newsmirror::test {
namespace {

using namespace std::chrono_literals;

// Sends `request` raw and reads until the server closes.
std::string exchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

TEST(TestServer, ServesAFileWithLengthAndType) {
  HttpServer server;
  server.serve_file("/f", "hello", "text/plain");
  std::string reply = exchange(server.port(), "GET /f?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 OK\r\n")) << reply;
  EXPECT_NE(reply.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_NE(reply.find("Content-Type: text/plain\r\n"), std::string::npos);
  EXPECT_TRUE(reply.ends_with("\r\n\r\nhello"));
  EXPECT_EQ(server.hits("/f"), 1);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].path, "/f?x=1");
  EXPECT_EQ(server.requests()[0].header("host"), "a");
}

TEST(TestServer, UnknownPathIs404) {
  HttpServer server;
  EXPECT_TRUE(exchange(server.port(), "GET /nope HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
  EXPECT_EQ(server.hits("/nope"), 1);
}

TEST(TestServer, StreamsChunked) {
  HttpServer server;
  server.route("/s", [](const HttpRequest&, HttpResponder& res) {
    res.send_head(200);
    res.send_chunk("ab");
    res.send_chunk("cde");
  });
  std::string reply = exchange(server.port(), "GET /s HTTP/1.1\r\n\r\n");
  EXPECT_NE(reply.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_TRUE(reply.ends_with("\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n")) << reply;
}

TEST(TestServer, AnswersConditionalRequestsForFiles) {
  HttpServer server;
  server.serve_file("/f", "body", "text/plain", {.etag = "\"e\"", .last_modified = "Mon, 01 Jan 2024 00:00:00 GMT"});
  EXPECT_TRUE(exchange(server.port(), "GET /f HTTP/1.1\r\nIf-None-Match: \"e\"\r\n\r\n").starts_with("HTTP/1.1 304"));
  EXPECT_TRUE(exchange(server.port(),
                       "GET /f HTTP/1.1\r\nIf-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n")
                  .starts_with("HTTP/1.1 304"));
  EXPECT_TRUE(exchange(server.port(), "GET /f HTTP/1.1\r\nIf-None-Match: \"old\"\r\n\r\n").starts_with("HTTP/1.1 200"));
}

TEST(TestServer, SurvivesAClientThatHangsUpMidStream) {
  HttpServer server;
  std::atomic<bool> ended{false};
  server.route("/endless", [&](const HttpRequest&, HttpResponder& res) {
    res.send_head(200);
    while (res.send_chunk(std::string(8192, 'x'))) {}
    ended = true;
  });
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(server.port()));
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string request = "GET /endless HTTP/1.1\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buffer[1024];
  ASSERT_GT(::recv(fd, buffer, sizeof buffer, 0), 0);
  ::close(fd);
  for (int i = 0; i < 200 && !ended; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(ended);
  server.serve_file("/after", "still here", "text/plain");
  EXPECT_TRUE(exchange(server.port(), "GET /after HTTP/1.1\r\n\r\n").ends_with("still here"));
}

TEST(TestServer, StopsPromptlyWhileAHandlerWaits) {
  auto start = std::chrono::steady_clock::now();
  std::thread client;
  {
    HttpServer server;
    server.route("/forever", [](const HttpRequest&, HttpResponder& res) { res.wait(60s); });
    client = std::thread([port = server.port()] { exchange(port, "GET /forever HTTP/1.1\r\n\r\n"); });
    while (server.hits("/forever") == 0) std::this_thread::sleep_for(5ms);
  }
  client.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(TestServer, GzipEncodeRoundTripsThroughTheClientSide) {
  // The byte layout is checked by curl in HttpClient.GzipBodyIsDecompressed;
  // here: header, trailer length and that runs really shrink.
  std::string out = gzip_encode(std::string(100000, 'a'));
  ASSERT_GE(out.size(), 18u);
  EXPECT_EQ(out.substr(0, 3), std::string("\x1f\x8b\x08", 3));
  EXPECT_LT(out.size(), 1000u);
  std::uint32_t size = 0;
  for (int k = 0; k < 4; ++k) size |= static_cast<std::uint32_t>(static_cast<unsigned char>(out[out.size() - 4 + k])) << (8 * k);
  EXPECT_EQ(size, 100000u);
}

}  // namespace
}  // namespace newsmirror::test
