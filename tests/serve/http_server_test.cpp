// The HTTP layer over real sockets on 127.0.0.1, with a handler of the
// test's own: conditional requests, gzip, HEAD, methods, limits, timeouts
// and the connection cap.
#include "serve/http_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "raw_http.hpp"

namespace newsmirror::serve {
namespace {

using namespace std::chrono_literals;
using test::HttpAnswer;
using test::RawConnection;

std::string page_html() {
  std::string html = "<!doctype html><title>新闻</title>";
  for (int i = 0; i < 300; ++i) html += "<p>第" + std::to_string(i) + "段：台湾 news paragraph</p>";
  return html;
}

// A gate a handler waits at until the test opens it.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int waiting = 0;
  void pass() {
    std::unique_lock lock(mutex);
    ++waiting;
    changed.notify_all();
    changed.wait(lock, [&] { return open; });
  }
  void wait_for(int count) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 20s, [&] { return waiting >= count; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
};

class HttpServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    if (options.threads == 0) options.threads = 4;
    auto server = HttpServer::start(options, [this](const Request& r) { return handle(r); });
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
  }

  std::shared_ptr<const Response> handle(const Request& r) {
    ++requests_;
    if (r.path == "/page") return Response::ok("text/html; charset=utf-8", html_, Caching::page);
    if (r.path == "/echo")
      return Response::ok("text/plain; charset=utf-8",
                          std::string(r.target) + "|" + std::string(r.path) + "|" + std::string(r.query) + "|" +
                              (r.head ? "HEAD" : "GET"),
                          Caching::api);
    if (r.path == "/gate") {
      gate_.pass();
      return Response::ok("text/plain", "through", Caching::api);
    }
    if (r.path == "/throw") throw std::runtime_error("handler failed");
    return Response::plain(404);
  }

  std::uint16_t port() const { return server_->port(); }

  const std::string html_ = page_html();
  std::atomic<int> requests_{0};
  Gate gate_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AnswersWithTheBodyItsLengthAndAnEtag) {
  start();
  auto answer = test::get(port(), "/page");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, html_);
  EXPECT_EQ(answer->header("content-length"), std::to_string(html_.size()));
  EXPECT_EQ(answer->header("content-type"), "text/html; charset=utf-8");
  EXPECT_FALSE(answer->header("etag").empty());
  EXPECT_FALSE(answer->header("date").empty());
  EXPECT_EQ(answer->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(answer->header("referrer-policy"), "no-referrer");
  EXPECT_NE(answer->header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(answer->header("content-encoding"), "") << "the client did not ask for gzip";
}

TEST_F(HttpServerTest, TheHandlerSeesPathAndQueryAsSent) {
  start();
  auto answer = test::get(port(), "/echo?q=%E5%8F%B0&limit=5");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body, "/echo?q=%E5%8F%B0&limit=5|/echo|q=%E5%8F%B0&limit=5|GET");
  auto absolute = test::get(port(), "http://127.0.0.1/echo?x=1");
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->body, "/echo?x=1|/echo|x=1|GET") << "absolute-form targets are read by their path";
}

TEST_F(HttpServerTest, IfNoneMatchWithTheEtagGives304WithoutABody) {
  start();
  auto first = test::get(port(), "/page");
  ASSERT_TRUE(first);
  const std::string etag = first->header("etag");
  auto again = test::get(port(), "/page", "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->header("etag"), etag);
  EXPECT_EQ(again->header("cache-control"), "public, max-age=60");
  EXPECT_TRUE(again->body.empty());
  auto listed = test::get(port(), "/page", "If-None-Match: \"other\", W/" + etag + "\r\n");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 304);
  auto stale = test::get(port(), "/page", "If-None-Match: \"0000\"\r\n");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);
  EXPECT_EQ(stale->body, html_);
}

TEST_F(HttpServerTest, GzipGoesToClientsThatAcceptItAndDecompressesToThePage) {
  start();
  auto answer = test::get(port(), "/page", "Accept-Encoding: br, gzip\r\n");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->header("content-encoding"), "gzip");
  EXPECT_EQ(answer->header("vary"), "Accept-Encoding");
  EXPECT_LT(answer->body.size(), html_.size());
  EXPECT_EQ(test::gunzip(answer->body), html_);
  auto plain = test::get(port(), "/page");
  ASSERT_TRUE(plain);
  EXPECT_NE(answer->header("etag"), plain->header("etag")) << "each encoding has its own strong ETag";
  auto revalidated = test::get(port(), "/page", "Accept-Encoding: gzip\r\nIf-None-Match: " + answer->header("etag") + "\r\n");
  ASSERT_TRUE(revalidated);
  EXPECT_EQ(revalidated->status, 304);
  auto refused = test::get(port(), "/page", "Accept-Encoding: gzip;q=0\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->header("content-encoding"), "");
  EXPECT_EQ(refused->body, html_);
}

TEST_F(HttpServerTest, HeadSendsTheHeadersOfGetWithoutTheBody) {
  start();
  RawConnection c(port());
  ASSERT_TRUE(c.send("HEAD /page HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c.read_response(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(html_.size()));
  EXPECT_FALSE(head->header("etag").empty());
  // Had the server sent a body, it would come back as the next "response".
  ASSERT_TRUE(c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "/echo|/echo||GET");
}

TEST_F(HttpServerTest, OnlyGetAndHeadAreAllowed) {
  start();
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"}) {
    auto answer = test::request(port(), method, "/page");
    ASSERT_TRUE(answer) << method;
    EXPECT_EQ(answer->status, 405) << method;
    EXPECT_EQ(answer->header("allow"), "GET, HEAD") << method;
  }
  EXPECT_EQ(requests_, 0) << "the handler never sees another method";
}

TEST_F(HttpServerTest, KeepAliveServesRequestsInTurnAndPipelined) {
  start();
  RawConnection c(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send("GET /echo?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto answer = c.read_response();
    ASSERT_TRUE(answer) << i;
    EXPECT_EQ(answer->body, "/echo?n=" + std::to_string(i) + "|/echo|n=" + std::to_string(i) + "|GET");
  }
  ASSERT_TRUE(c.send("GET /echo?p=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?p=2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto one = c.read_response();
  auto two = c.read_response();
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->body, "/echo?p=1|/echo|p=1|GET");
  EXPECT_EQ(two->body, "/echo?p=2|/echo|p=2|GET");
  EXPECT_EQ(server_->open_connections(), 1u);
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10AreHonoured) {
  start();
  RawConnection closing(port());
  ASSERT_TRUE(closing.send("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto answer = closing.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->header("connection"), "close");
  EXPECT_TRUE(closing.closed_by_server());

  RawConnection old(port());
  ASSERT_TRUE(old.send("GET /echo HTTP/1.0\r\n\r\n"));
  auto old_answer = old.read_response();
  ASSERT_TRUE(old_answer);
  EXPECT_EQ(old_answer->status, 200) << "HTTP/1.0 needs no Host";
  EXPECT_TRUE(old.closed_by_server());
}

TEST_F(HttpServerTest, MalformedRequestsAre400AndCloseTheConnection) {
  start();
  for (const char* bytes : {"GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /page HTTP/1.1\r\nHost x\r\n\r\n",
                            "GET /page HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
                            "GET /page HTTP/1.1\r\n\r\n" /* no Host */, "GET page HTTP/1.1\r\nHost: x\r\n\r\n",
                            "GET /pa\x01ge HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    RawConnection c(port());
    ASSERT_TRUE(c.send(bytes));
    auto answer = c.read_response();
    ASSERT_TRUE(answer) << bytes;
    EXPECT_EQ(answer->status, 400) << bytes;
    EXPECT_TRUE(c.closed_by_server()) << bytes;
  }
  RawConnection future(port());
  ASSERT_TRUE(future.send("GET /page HTTP/2.0\r\nHost: x\r\n\r\n"));
  auto answer = future.read_response();
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->status == 505 || answer->status == 400) << answer->status;
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpServerTest, OversizedHeadersAre431AndOversizedBodies413) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  options.max_body_bytes = 1024;
  start(options);
  {
    RawConnection c(port());
    ASSERT_TRUE(c.send("GET /" + std::string(8000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto answer = c.read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 431) << "a long request line";
  }
  {
    RawConnection c(port());
    std::string many = "GET /page HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 200; ++i) many += "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'v') + "\r\n";
    ASSERT_TRUE(c.send(many + "\r\n"));
    auto answer = c.read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 431) << "many headers";
  }
  {
    RawConnection c(port());
    ASSERT_TRUE(c.send("GET /page HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + std::string(2000, 'b')));
    auto answer = c.read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 413);
  }
  {
    RawConnection c(port());
    ASSERT_TRUE(c.send("GET /page HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "1000\r\n" + std::string(4096, 'c') + "\r\n0\r\n\r\n"));
    auto answer = c.read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 413) << "a chunked body over the limit";
  }
  {
    RawConnection c(port());
    ASSERT_TRUE(c.send("GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
                       "GET /echo?second HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto first = c.read_response();
    auto second = c.read_response();
    ASSERT_TRUE(first && second) << "a small body is read and skipped";
    EXPECT_EQ(first->status, 200);
    EXPECT_EQ(second->body, "/echo?second|/echo|second|GET");
  }
  EXPECT_EQ(requests_, 2);
}

TEST_F(HttpServerTest, AHandlerThatThrowsGives500AndTheServerGoesOn) {
  start();
  auto failed = test::get(port(), "/throw");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  auto next = test::get(port(), "/page");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(HttpServerTest, AClientTricklingItsRequestIsCutOffAtTheRequestTimeout) {
  ServerOptions options;
  options.request_timeout = 1s;
  start(options);
  RawConnection slow(port());
  const std::string request = "GET /page HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100, 's') + "\r\n\r\n";
  bool cut = false;
  for (std::size_t i = 0; i < request.size() && !cut; ++i) {
    if (!slow.send(request.substr(i, 1))) cut = true;
    else cut = slow.closed_by_server(100ms);
  }
  EXPECT_TRUE(cut || slow.closed_by_server()) << "a byte every 100 ms never completes a request in time";
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpServerTest, AnIdleConnectionIsClosedAtTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = 500ms;
  start(options);
  RawConnection idle(port());
  EXPECT_TRUE(idle.closed_by_server());
}

// 200 connections trickle a byte each every 50 ms, well past the request
// timeout, reconnecting when dropped; meanwhile a normal client must be
// answered, and the server never holds more connections than its cap.
TEST_F(HttpServerTest, AFloodOfSlowClientsDoesNotLockOutANormalOne) {
  ServerOptions options;
  options.max_connections = 64;
  options.request_timeout = 2s;
  start(options);
  std::atomic<bool> flooding{true};
  std::atomic<std::size_t> most_open{0};
  std::thread flood([&] {
    std::vector<std::unique_ptr<RawConnection>> slow;
    for (int i = 0; i < 200; ++i) slow.push_back(std::make_unique<RawConnection>(port()));
    const std::string request = "GET /page HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(1000, 's') + "\r\n\r\n";
    std::vector<std::size_t> sent(slow.size(), 0);
    while (flooding) {
      for (std::size_t i = 0; i < slow.size(); ++i) {
        if (!slow[i]->send(request.substr(sent[i] % request.size(), 1))) {
          slow[i] = std::make_unique<RawConnection>(port());
          sent[i] = 0;
        }
        ++sent[i];
      }
      most_open = std::max(most_open.load(), server_->open_connections());
      std::this_thread::sleep_for(50ms);
    }
  });
  std::this_thread::sleep_for(1500ms);  // the flood is in place
  for (int i = 0; i < 5; ++i) {
    auto answer = test::get(port(), "/page");
    ASSERT_TRUE(answer) << "request " << i << " during the flood";
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(answer->body, html_);
    std::this_thread::sleep_for(300ms);
  }
  flooding = false;
  flood.join();
  EXPECT_LE(most_open.load(), 64u);
  EXPECT_GT(most_open.load(), 0u);
  EXPECT_EQ(requests_, 5) << "no trickled request ever completed";
}

TEST_F(HttpServerTest, AtTheCapTheLongestIdleConnectionMakesRoom) {
  ServerOptions options;
  options.max_connections = 4;
  start(options);
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 10; ++i) idle.push_back(std::make_unique<RawConnection>(port()));
  auto answer = test::get(port(), "/page");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_LE(server_->open_connections(), 4u);
  // The first ones were evicted: the server closed them.
  EXPECT_TRUE(idle.front()->closed_by_server());
}

TEST_F(HttpServerTest, AtTheCapWithEveryConnectionBusyNewOnesWaitTheirTurn) {
  ServerOptions options;
  options.max_connections = 2;
  options.threads = 4;
  start(options);
  RawConnection a(port()), b(port());
  ASSERT_TRUE(a.send("GET /gate HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.send("GET /gate HTTP/1.1\r\nHost: x\r\n\r\n"));
  gate_.wait_for(2);  // both connections are busy in the handler
  RawConnection third(port());  // the kernel completes the handshake; the server has no slot
  ASSERT_TRUE(third.send("GET /page HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_LE(server_->open_connections(), 2u);
  EXPECT_FALSE(third.read_response(false, 300ms)) << "no busy connection was dropped for it";
  gate_.release();
  auto ra = a.read_response(), rb = b.read_response();
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->body, "through");
  EXPECT_EQ(rb->body, "through");
  auto late = third.read_response();
  ASSERT_TRUE(late) << "it is served once a slot frees";
  EXPECT_EQ(late->status, 200);
}

TEST_F(HttpServerTest, StopClosesConnectionsAndReturns) {
  start();
  RawConnection c(port());
  ASSERT_TRUE(c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.read_response());
  server_->stop();
  server_->wait();
  EXPECT_TRUE(c.closed_by_server());
  RawConnection after(port());
  EXPECT_FALSE(after.connected() && after.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") && after.read_response(false, 1s));
}

TEST(HttpServerStart, ABadListenAddressIsAnErrorNamingIt) {
  auto handler = [](const Request&) { return Response::plain(404); };
  for (const char* listen : {"nonsense", "127.0.0.1:notaport", "127.0.0.1:70000", "127.0.0.1:"}) {
    ServerOptions options;
    options.listen = listen;
    auto server = HttpServer::start(options, handler);
    ASSERT_FALSE(server.ok()) << listen;
    EXPECT_NE(server.error().message.find(listen), std::string::npos) << server.error().message;
  }
  ServerOptions first;
  first.listen = "127.0.0.1:0";
  auto taken = HttpServer::start(first, handler);
  ASSERT_TRUE(taken.ok());
  ServerOptions second;
  second.listen = (*taken)->address();
  auto clash = HttpServer::start(second, handler);
  ASSERT_FALSE(clash.ok()) << "the port is in use";
  EXPECT_NE(clash.error().message.find(second.listen), std::string::npos);
}

}  // namespace
}  // namespace newsmirror::serve
