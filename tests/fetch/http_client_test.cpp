// The fetcher against a real loopback server: each test names one promise
// the client keeps. Timeouts and backoffs are small so the suite stays fast.
#include "fetch/http_client.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/http_server.hpp"

namespace newsmirror::fetch {
namespace {

using core::ErrorKind;
using core::Result;
using test::HttpRequest;
using test::HttpResponder;
using test::HttpServer;
using namespace std::chrono_literals;

Options fast_options() {
  Options options;
  options.connect_timeout = 2s;
  options.total_timeout = 5s;
  options.backoff_base = 10ms;
  return options;
}

Result<Response> fetch_one(Request request, Options options = fast_options()) {
  Client client(options);
  return std::move(client.fetch_all({std::move(request)}).at(0));
}

Request get(std::string url) {
  Request request;
  request.url = std::move(url);
  return request;
}

std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

using test::closed_port;

TEST(HttpClient, OkReturnsBodyContentTypeAndUrl) {
  HttpServer server;
  server.serve_file("/feed.xml", "<rss>法广</rss>", "application/rss+xml; charset=utf-8");
  auto result = fetch_one(get(server.url("/feed.xml")));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "<rss>法广</rss>");
  EXPECT_EQ(result->content_type, "application/rss+xml; charset=utf-8");
  EXPECT_EQ(result->effective_url, server.url("/feed.xml"));
  EXPECT_EQ(result->attempts, 1);
  EXPECT_FALSE(result->not_modified());
}

TEST(HttpClient, SendsDefaultUserAgentOrTheRequestsOwn) {
  HttpServer server;
  server.serve_file("/a", "x", "text/plain");
  ASSERT_TRUE(fetch_one(get(server.url("/a"))).ok());
  Request custom = get(server.url("/a"));
  custom.user_agent = "Mozilla/5.0 (mirror)";
  ASSERT_TRUE(fetch_one(custom).ok());
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("user-agent"), "newsmirror/" NEWSMIRROR_VERSION);
  EXPECT_EQ(requests[1].header("user-agent"), "Mozilla/5.0 (mirror)");
}

TEST(HttpClient, StoredEtagGetsNotModifiedWithoutBody) {
  HttpServer server;
  server.serve_file("/feed.xml", "<rss/>", "application/xml", {.etag = "\"v1\""});
  auto first = fetch_one(get(server.url("/feed.xml")));
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->validators.etag, "\"v1\"");

  Request again = get(server.url("/feed.xml"));
  again.validators = first->validators;
  auto second = fetch_one(again);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->not_modified());
  EXPECT_EQ(second->status, 304);
  EXPECT_EQ(second->body, "");
  EXPECT_EQ(second->validators.etag, "\"v1\"");
  EXPECT_EQ(server.requests().back().header("if-none-match"), "\"v1\"");
}

TEST(HttpClient, StoredLastModifiedGetsNotModified) {
  const std::string date = "Wed, 12 Jul 2023 08:00:00 GMT";
  HttpServer server;
  server.serve_file("/feed.xml", "<rss/>", "application/xml", {.last_modified = date});
  auto first = fetch_one(get(server.url("/feed.xml")));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->validators.last_modified, date);
  EXPECT_FALSE(first->validators.etag.has_value());

  Request again = get(server.url("/feed.xml"));
  again.validators = first->validators;
  auto second = fetch_one(again);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->not_modified());
  EXPECT_EQ(second->validators.last_modified, date);
  EXPECT_EQ(server.requests().back().header("if-modified-since"), date);
}

TEST(HttpClient, ChangedEtagGetsTheNewBody) {
  HttpServer server;
  server.serve_file("/feed.xml", "new", "application/xml", {.etag = "\"v2\""});
  Request request = get(server.url("/feed.xml"));
  request.validators.etag = "\"v1\"";
  auto result = fetch_one(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "new");
  EXPECT_EQ(result->validators.etag, "\"v2\"");
}

TEST(HttpClient, GzipBodyIsDecompressed) {
  const std::string text = "<rss>" + std::string(10000, 'x') + "中文</rss>";
  HttpServer server;
  server.serve_file("/feed.xml", text, "application/xml", {.gzip = true});
  auto result = fetch_one(get(server.url("/feed.xml")));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->body, text);
  EXPECT_NE(server.requests().back().header("accept-encoding").find("gzip"), std::string::npos);
}

TEST(HttpClient, RedirectsAreFollowed) {
  HttpServer server;
  server.redirect("/old", "/middle", 301);
  server.redirect("/middle", server.url("/new"), 302);
  server.serve_file("/new", "here", "text/plain", {.etag = "\"n\""});
  auto result = fetch_one(get(server.url("/old")));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->body, "here");
  EXPECT_EQ(result->effective_url, server.url("/new"));
  EXPECT_EQ(result->validators.etag, "\"n\"");  // the final answer's, not a redirect's
}

TEST(HttpClient, MoreThanFiveRedirectsFail) {
  HttpServer server;
  for (int i = 0; i < 6; ++i) server.redirect("/r" + std::to_string(i), "/r" + std::to_string(i + 1));
  server.serve_file("/r6", "too far", "text/plain");
  auto result = fetch_one(get(server.url("/r0")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::http_status);
  EXPECT_NE(result.error().message.find("redirect"), std::string::npos) << result.error().message;
  EXPECT_EQ(server.hits("/r6"), 0);
  EXPECT_EQ(server.hits("/r0"), 1);  // not retried
}

TEST(HttpClient, NotFoundIsAnHttpStatusErrorAndNotRetried) {
  HttpServer server;
  auto result = fetch_one(get(server.url("/missing")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::http_status);
  EXPECT_EQ(result.error().message, "HTTP 404 Not Found from " + server.url("/missing"));
  EXPECT_EQ(server.hits("/missing"), 1);
}

TEST(HttpClient, ServerErrorThenSuccessTakesTwoAttempts) {
  HttpServer server;
  std::atomic<int> calls{0};
  server.route("/flaky", [&](const HttpRequest&, HttpResponder& res) {
    if (calls++ == 0) res.send(500, {}, "oops");
    else res.send(200, {{"Content-Type", "text/plain"}}, "fine");
  });
  auto start = std::chrono::steady_clock::now();
  auto result = fetch_one(get(server.url("/flaky")));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->body, "fine");
  EXPECT_EQ(result->attempts, 2);
  EXPECT_EQ(server.hits("/flaky"), 2);
  // Regression: a retry woken a fraction of a millisecond early slept a
  // whole extra second.
  EXPECT_LT(since(start), 500ms);
}

TEST(HttpClient, PersistentServerErrorGivesUpAfterMaxAttempts) {
  HttpServer server;
  server.route("/down", [](const HttpRequest&, HttpResponder& res) { res.send(503, {}, "down"); });
  auto result = fetch_one(get(server.url("/down")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::http_status);
  EXPECT_NE(result.error().message.find("HTTP 503 Service Unavailable from " + server.url("/down")),
            std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("3 attempts"), std::string::npos) << result.error().message;
  EXPECT_EQ(server.hits("/down"), 3);
}

TEST(HttpClient, TooManyRequestsHonoursRetryAfterSeconds) {
  HttpServer server;
  std::atomic<int> calls{0};
  server.route("/busy", [&](const HttpRequest&, HttpResponder& res) {
    if (calls++ == 0) res.send(429, {{"Retry-After", "1"}}, "slow down");
    else res.send(200, {}, "ok");
  });
  auto start = std::chrono::steady_clock::now();
  auto result = fetch_one(get(server.url("/busy")));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_GE(since(start), 1000ms);
  EXPECT_EQ(result->attempts, 2);
}

TEST(HttpClient, RetryAfterAsHttpDateIsHonoured) {
  HttpServer server;
  std::atomic<int> calls{0};
  server.route("/busy", [&](const HttpRequest&, HttpResponder& res) {
    if (calls++ == 0) {
      std::time_t later = std::time(nullptr) + 2;
      std::tm tm{};
      gmtime_r(&later, &tm);
      char date[64];
      std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      res.send(503, {{"Retry-After", date}}, "");
    } else {
      res.send(200, {}, "ok");
    }
  });
  auto start = std::chrono::steady_clock::now();
  auto result = fetch_one(get(server.url("/busy")));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_GE(since(start), 1000ms);  // the date has one-second resolution
  EXPECT_EQ(result->attempts, 2);
}

TEST(HttpClient, RetryAfterLongerThanTheCapIsNotWaitedFor) {
  HttpServer server;
  server.route("/later", [](const HttpRequest&, HttpResponder& res) {
    res.send(503, {{"Retry-After", "3600"}}, "come back in an hour");
  });
  auto start = std::chrono::steady_clock::now();
  auto result = fetch_one(get(server.url("/later")));
  ASSERT_FALSE(result.ok());
  EXPECT_LT(since(start), 1000ms);
  EXPECT_EQ(server.hits("/later"), 1);
  EXPECT_NE(result.error().message.find("3600 s"), std::string::npos) << result.error().message;
}

TEST(HttpClient, WaitingRetryDoesNotHoldBackOtherTransfers) {
  HttpServer server;
  std::atomic<int> calls{0};
  server.route("/busy", [&](const HttpRequest&, HttpResponder& res) {
    if (calls++ == 0) res.send(429, {{"Retry-After", "1"}}, "");
    else res.send(200, {}, "ok");
  });
  server.serve_file("/quick", "q", "text/plain");
  Client client(fast_options());
  std::vector<std::size_t> order;
  auto results = client.fetch_all({get(server.url("/busy")), get(server.url("/quick"))},
                                  [&](std::size_t i, const Result<Response>&) { order.push_back(i); });
  ASSERT_TRUE(results[0].ok());
  ASSERT_TRUE(results[1].ok());
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 0}));
}

TEST(HttpClient, SlowTrickleHitsTheTotalTimeout) {
  HttpServer server;
  server.route("/trickle", [](const HttpRequest&, HttpResponder& res) {
    res.send_head(200, {{"Content-Type", "text/plain"}});
    while (res.send_chunk("x") && res.wait(50ms)) {}
  });
  Options options = fast_options();
  options.total_timeout = 300ms;
  options.max_attempts = 1;
  auto start = std::chrono::steady_clock::now();
  auto result = fetch_one(get(server.url("/trickle")), options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::timeout);
  EXPECT_NE(result.error().message.find(server.url("/trickle")), std::string::npos);
  EXPECT_LT(since(start), 3000ms);
}

TEST(HttpClient, TimeoutIsRetried) {
  HttpServer server;
  std::atomic<int> calls{0};
  server.route("/stall", [&](const HttpRequest&, HttpResponder& res) {
    if (calls++ == 0) res.wait(5s);  // answers nothing until the client gives up
    res.send(200, {}, "late but fine");
  });
  Options options = fast_options();
  options.total_timeout = 300ms;
  auto result = fetch_one(get(server.url("/stall")), options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->attempts, 2);
}

long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(HttpClient, EndlessBodyStopsAtTheCapWithBoundedMemory) {
  HttpServer server;
  std::atomic<bool> handler_ended{false};
  server.route("/endless", [&](const HttpRequest&, HttpResponder& res) {
    const std::string block(64 * 1024, 'z');
    res.send_head(200, {{"Content-Type", "application/xml"}});
    while (res.send_chunk(block)) {}
    handler_ended = true;
  });
  Options options = fast_options();
  options.max_body_bytes = 1024 * 1024;
  long rss_before = max_rss_kib();
  auto result = fetch_one(get(server.url("/endless")), options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::too_large);
  EXPECT_NE(result.error().message.find(server.url("/endless")), std::string::npos);
  EXPECT_EQ(server.hits("/endless"), 1);  // a cap is not retried
  EXPECT_LT(max_rss_kib() - rss_before, 64 * 1024);
  for (int i = 0; i < 100 && !handler_ended; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(handler_ended);  // the client hung up, the server noticed
}

TEST(HttpClient, CapAppliesToTheDecompressedBody) {
  HttpServer server;
  // About 25 KiB on the wire, 4 MiB once inflated.
  server.serve_file("/bomb", std::string(4 * 1024 * 1024, 'A'), "text/html", {.gzip = true});
  Options options = fast_options();
  options.max_body_bytes = 1024 * 1024;
  auto result = fetch_one(get(server.url("/bomb")), options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::too_large);
}

TEST(HttpClient, RefusedConnectionIsAConnectionError) {
  std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/feed";
  auto result = fetch_one(get(url));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::connection);
  EXPECT_NE(result.error().message.find(url), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("3 attempts"), std::string::npos) << result.error().message;
}

TEST(HttpClient, UnsupportedSchemeIsAConfigError) {
  auto result = fetch_one(get("ftp://example.org/feed"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::config);
}

TEST(HttpClient, ProxyCarriesTheRequest) {
  HttpServer proxy;  // answers proxy-form requests by path
  proxy.serve_file("/feed", "via proxy", "text/plain");
  Request request = get("http://feeds.example.invalid/feed");
  request.proxy = proxy.url("");
  auto result = fetch_one(request);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->body, "via proxy");
  EXPECT_EQ(proxy.requests().back().target, "http://feeds.example.invalid/feed");
}

TEST(HttpClient, UnreachableProxyIsAConnectionErrorNamingTheProxy) {
  Request request = get("http://feeds.example.invalid/feed");
  request.proxy = "http://127.0.0.1:" + std::to_string(closed_port());
  Options options = fast_options();
  options.max_attempts = 1;
  auto result = fetch_one(request, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::connection);
  EXPECT_NE(result.error().message.find("via proxy " + request.proxy), std::string::npos)
      << result.error().message;
}

TEST(HttpClient, ManyRequestsRunConcurrentlyWithinPerHostLimit) {
  HttpServer server;
  server.route("/slow", [](const HttpRequest& req, HttpResponder& res) {
    res.wait(100ms);
    res.send(200, {{"Content-Type", "text/plain"}}, req.path);
  });
  std::vector<Request> requests;
  for (int i = 0; i < 8; ++i) {
    requests.push_back(get(server.url("/slow?n=" + std::to_string(i))));
    requests.push_back(get(server.url_on("localhost", "/slow?n=" + std::to_string(i))));
  }
  Client client(fast_options());
  std::size_t done = 0;
  auto start = std::chrono::steady_clock::now();
  auto results = client.fetch_all(requests, [&](std::size_t, const Result<Response>&) { ++done; });
  ASSERT_EQ(results.size(), requests.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().message;
    EXPECT_EQ(results[i]->body, "/slow?n=" + std::to_string(i / 2));
  }
  EXPECT_EQ(done, requests.size());
  EXPECT_EQ(server.max_concurrent("127.0.0.1"), 2);
  EXPECT_EQ(server.max_concurrent("localhost"), 2);
  EXPECT_LE(server.max_concurrent(), 4);
  // 16 requests of 100 ms, 4 at a time: about 400 ms, far from 1.6 s serial.
  EXPECT_LT(since(start), 1200ms);
}

TEST(HttpClient, MaxTransfersLimitsAllHosts) {
  HttpServer server;
  server.route("/slow", [](const HttpRequest&, HttpResponder& res) {
    res.wait(30ms);
    res.send(200, {}, "s");
  });
  Options options = fast_options();
  options.max_transfers = 1;
  std::vector<Request> requests;
  for (int i = 0; i < 3; ++i) {
    requests.push_back(get(server.url("/slow")));
    requests.push_back(get(server.url_on("localhost", "/slow")));
  }
  Client client(options);
  auto start = std::chrono::steady_clock::now();
  for (const auto& result : client.fetch_all(requests)) ASSERT_TRUE(result.ok());
  EXPECT_EQ(server.max_concurrent(), 1);
  // Regression: a slot freed by a finished transfer was refilled only after
  // a one-second idle poll.
  EXPECT_LT(since(start), 1000ms);
}

TEST(HttpClient, OneFailureDoesNotAffectTheOthers) {
  HttpServer server;
  server.serve_file("/a", "A", "text/plain");
  server.serve_file("/c", "C", "text/plain");
  Client client(fast_options());
  auto results = client.fetch_all({get(server.url("/a")), get(server.url("/gone")), get(server.url("/c"))});
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0].ok());
  EXPECT_EQ(results[0]->body, "A");
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().kind, ErrorKind::http_status);
  ASSERT_TRUE(results[2].ok());
  EXPECT_EQ(results[2]->body, "C");
}

// Server-side request forgery: a URL from a feed must not make the mirror
// read its operator's own network. Every test below fails with zero hits
// on the "internal" server, whatever spelling or route the URL takes.
Request from_content(std::string url) {
  Request request = get(std::move(url));
  request.public_only = true;
  return request;
}

TEST(HttpClient, ContentUrlsNeverReachALoopbackServerInAnySpelling) {
  HttpServer internal;
  internal.serve_file("/admin/token", "secret-token", "text/plain");
  const std::string port = std::to_string(internal.port());
  const std::vector<std::string> spellings = {
      internal.url("/admin/token"),
      "http://2130706433:" + port + "/admin/token",     // decimal
      "http://0x7f000001:" + port + "/admin/token",     // hex
      "http://0177.0.0.1:" + port + "/admin/token",     // octal
      "http://127.1:" + port + "/admin/token",          // short form
      "http://localhost:" + port + "/admin/token",      // a name that resolves to loopback
      "http://[::ffff:127.0.0.1]:" + port + "/admin/token",  // IPv4-mapped IPv6
  };
  std::vector<Request> requests;
  for (const auto& url : spellings) requests.push_back(from_content(url));
  Client client(fast_options());
  auto results = client.fetch_all(requests);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_FALSE(results[i].ok()) << spellings[i] << " was fetched";
    EXPECT_EQ(results[i].error().kind, ErrorKind::forbidden) << results[i].error().message;
    EXPECT_NE(results[i].error().message.find("loopback"), std::string::npos) << results[i].error().message;
  }
  EXPECT_EQ(internal.requests().size(), 0u);

  // The same URLs, as the operator's own (a feed on this machine), go through.
  auto own = fetch_one(get(internal.url("/admin/token")));
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_EQ(own->body, "secret-token");
}

TEST(HttpClient, ContentUrlsAreNotRetriedWhenRefused) {
  HttpServer internal;
  auto result = fetch_one(from_content(internal.url("/x")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(result.error().message.find("attempts"), std::string::npos) << result.error().message;
}

TEST(HttpClient, ARedirectToAPrivateAddressIsRefusedAtItsHopThroughAProxy) {
  // The proxy stands in for the internet: it serves news.example, whose
  // page redirects to an address inside the operator's network.
  HttpServer proxy;
  HttpServer internal;
  internal.serve_file("/admin", "password", "text/plain");
  proxy.redirect("/story", internal.url("/admin"));
  proxy.redirect("/story-metadata", "http://169.254.169.254/latest/meta-data/");
  proxy.serve_file("/fine", "public page", "text/plain");
  std::vector<Request> requests = {from_content("http://news.example/story"),
                                   from_content("http://news.example/story-metadata"),
                                   from_content("http://news.example/fine")};
  for (auto& request : requests) request.proxy = proxy.url("");
  Client client(fast_options());
  auto results = client.fetch_all(requests);
  ASSERT_FALSE(results[0].ok());
  EXPECT_EQ(results[0].error().kind, ErrorKind::forbidden);
  EXPECT_NE(results[0].error().message.find("redirected to " + internal.url("/admin")), std::string::npos)
      << results[0].error().message;
  ASSERT_FALSE(results[1].ok());
  EXPECT_NE(results[1].error().message.find("link-local"), std::string::npos) << results[1].error().message;
  ASSERT_TRUE(results[2].ok()) << results[2].error().message;
  EXPECT_EQ(results[2]->body, "public page");
  EXPECT_EQ(internal.requests().size(), 0u);
  EXPECT_EQ(proxy.hits("/latest/meta-data/"), 0);
}

TEST(HttpClient, EmptyRequestListReturnsNothing) {
  Client client;
  EXPECT_TRUE(client.fetch_all({}).empty());
}

}  // namespace
}  // namespace newsmirror::fetch
