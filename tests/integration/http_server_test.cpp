// The HTTP core against real sockets on loopback: keep-alive, 404/405, every limit,
// and graceful shutdown with a request in flight.
#include "common/http/responses.hpp"
#include "common/http/server.hpp"
#include "tests/support/http_exchange.hpp"
#include "tests/support/run.hpp"


#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <functional>
#include <future>
#include <set>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <cerrno>
#include <thread>

using namespace oauth;
using namespace oauth::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

asio::awaitable<response> hello(request_context& ctx) {
  auto res = text_response(status::ok, "hello " + std::string(ctx.param("name")));
  co_return res;
}

asio::awaitable<response> whoami(request_context& ctx) { co_return text_response(status::ok, ctx.remote_address); }

asio::awaitable<response> echo(request_context& ctx) { co_return text_response(status::ok, ctx.req.body()); }

// The request's field names in order, one per line, then the client address.
asio::awaitable<response> fields(request_context& ctx) {
  std::string out;
  for (const auto& f : ctx.req) out += std::string(f.name_string()) + "\n";
  co_return text_response(status::ok, out + "from " + ctx.remote_address);
}

asio::awaitable<response> broken(request_context&) {
  throw std::runtime_error("secret internal detail");
  co_return empty_response(status::ok);
}

asio::awaitable<response> which_thread(request_context&) {
  co_return text_response(status::ok, std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
}

// A handler that waits until the test opens the gate: its run time is the test's to decide.
struct gate {
  std::mutex mutex;
  std::vector<std::shared_ptr<asio::steady_timer>> waiting;
  std::atomic<int> passed{0};

  void open() {
    std::lock_guard lock(mutex);
    for (auto& t : waiting) asio::post(t->get_executor(), [t] { t->cancel(); });
    waiting.clear();
  }
  std::size_t waiting_now() {
    std::lock_guard lock(mutex);
    return waiting.size();
  }
  // True once n handlers are inside (the event a test waits for, not a sleep).
  bool wait_until_waiting(std::size_t n) {
    return oauth::test::eventually([this, n] { return waiting_now() >= n; });
  }
};

gate& the_gate() {
  static gate g;
  return g;
}

asio::awaitable<response> gated(request_context&) {
  auto t = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                std::chrono::steady_clock::time_point::max());
  {
    std::lock_guard lock(the_gate().mutex);
    the_gate().waiting.push_back(t);
  }
  co_await t->async_wait(asio::as_tuple(asio::use_awaitable));
  the_gate().passed.fetch_add(1);
  co_return text_response(status::ok, "through the gate");
}

enum class threading { shared_context, context_per_thread };

// An io_context whose pending handlers can be destroyed before any context's services are:
// a handler left on one context (the deadline sweeper's frame) may hold the last reference to
// a session whose socket and timer belong to the other (http::io_contexts does the same).
struct test_context : asio::io_context {
  using asio::io_context::io_context;
  void destroy_pending_handlers() { shutdown(); }
};

struct test_server {
  test_context io;
  test_context second{1};  // used with threading::context_per_thread
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  asio::executor_work_guard<asio::io_context::executor_type> second_guard{second.get_executor()};
  std::unique_ptr<server> srv;
  std::vector<std::thread> threads;

  explicit test_server(http_limits limits = {}, threading mode = threading::shared_context,
                       std::function<void(server&)> before_start = {}) {
    auto r = std::make_shared<router>();
    r->add(verb::get, "/hello/{name}", hello);
    r->add(verb::post, "/echo", echo, route_options{.max_body_bytes = 100});
    r->add(verb::post, "/echo-big", echo);
    r->add(verb::post, "/fields", fields);
    r->add(verb::get, "/broken", broken);
    r->add(verb::get, "/whoami", whoami);
    r->add(verb::get, "/thread", which_thread);
    r->add(verb::get, "/gated", gated);
    server_options opts{listen_address{"127.0.0.1", 0}, limits, false, "test"};
    srv = std::make_unique<server>(io, opts, r);
    if (before_start) before_start(*srv);
    if (mode == threading::context_per_thread) {
      srv->spread_sessions({&io, &second});  // as run_until_signalled does with THREADS=2
      srv->start();
      threads.emplace_back([this] { io.run(); });
      threads.emplace_back([this] { second.run(); });
    } else {
      srv->start();
      for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
    }
  }
  ~test_server() {
    guard.reset();
    second_guard.reset();
    io.stop();
    second.stop();
    for (auto& t : threads) t.join();
    io.destroy_pending_handlers();
    second.destroy_pending_handlers();
  }
};

struct client {
  asio::io_context io;
  tcp::socket socket{io};
  boost::beast::flat_buffer buffer;

  explicit client(std::uint16_t port) {
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(std::string_view raw) { asio::write(socket, asio::buffer(raw)); }
  response read() {
    response res;
    oauth::test::bounded_stream in{socket, 5s};  // a broken server fails the test, not hangs it
    boost::beast::http::read(in, buffer, res);
    return res;
  }
  response request(std::string_view raw) {
    send(raw);
    return read();
  }
  // True when the server closed the connection (EOF or reset) within the receive timeout.
  bool closed_by_server() {
    char c;
    boost::system::error_code ec;
    oauth::test::bounded_stream in{socket, 5s};  // a broken server fails the test, not hangs it
    auto n = in.read_some(asio::buffer(&c, 1), ec);
    return n == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
  }
};

} // namespace

TEST_CASE("keep-alive serves several requests on one connection") {
  test_server s;
  client c(s.srv->port());
  for (int i = 0; i < 3; ++i) {
    auto res = c.request("GET /hello/world HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(res.result() == status::ok);
    CHECK(res.body() == "hello world");
    CHECK(res.keep_alive());
  }
  auto last = c.request("GET /hello/bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(last.body() == "hello bye");
  CHECK_FALSE(last.keep_alive());
  CHECK(c.closed_by_server());
}

TEST_CASE("the response on the wire: status line, fields and body exactly, HTTP/1.0 closes") {
  test_server s;
  client c(s.srv->port());
  c.send("GET /hello/wire HTTP/1.0\r\nX-Request-Id: wire-1\r\n\r\n");
  std::string raw;
  char chunk[512];
  boost::system::error_code ec;
  for (;;) {  // HTTP/1.0 without keep-alive: the server closes after the response
    auto n = c.socket.read_some(asio::buffer(chunk), ec);
    raw.append(chunk, n);
    if (ec) break;
  }
  CHECK(ec == asio::error::eof);
  CHECK(raw.rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
  CHECK(raw.find("\r\nContent-Length: 10\r\n") != std::string::npos);
  CHECK(raw.find("\r\nServer: test\r\n") != std::string::npos);
  CHECK(raw.find("\r\nX-Request-Id: wire-1\r\n") != std::string::npos);
  auto end_of_head = raw.find("\r\n\r\n");
  REQUIRE(end_of_head != std::string::npos);
  CHECK(raw.substr(end_of_head + 4) == "hello wire");
}

TEST_CASE("404 and 405 with Allow, as JSON") {
  test_server s;
  client c(s.srv->port());
  auto nf = c.request("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(nf.result() == status::not_found);
  CHECK(nf[field::content_type] == "application/json");
  CHECK(nf.body().find("\"error\":\"not_found\"") != std::string::npos);
  auto na = c.request("DELETE /hello/x HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(na.result() == status::method_not_allowed);
  CHECK(na[field::allow] == "GET");
}

TEST_CASE("request ids are echoed when sane and generated otherwise") {
  test_server s;
  client c(s.srv->port());
  auto given = c.request("GET /hello/a HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\n\r\n");
  CHECK(given["X-Request-Id"] == "abc-123");
  auto made = c.request("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(made["X-Request-Id"].size() == 36);
  auto hostile = c.request("GET /hello/a HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + std::string(300, 'a') + "\r\n\r\n");
  CHECK(hostile["X-Request-Id"].size() == 36);
}

TEST_CASE("a body over the route's limit gets 413 and the connection closes") {
  test_server s;
  {
    client c(s.srv->port());
    auto fine = c.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(fine.body() == "hello");
    auto big = c.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" + std::string(101, 'a'));
    CHECK(big.result() == status::payload_too_large);
    CHECK(c.closed_by_server());
  }
  {
    // Chunked bodies have no Content-Length: the limit is enforced while reading.
    client c(s.srv->port());
    std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunked += "40\r\n" + std::string(64, 'b') + "\r\n";
    chunked += "0\r\n\r\n";
    auto big = c.request(chunked);
    CHECK(big.result() == status::payload_too_large);
  }
  {
    // Routes without their own limit use the server default (64 KiB).
    client c(s.srv->port());
    auto ok = c.request("POST /echo-big HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'c'));
    CHECK(ok.result() == status::ok);
    auto big = c.request("POST /echo-big HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n");
    CHECK(big.result() == status::payload_too_large);
  }
}

TEST_CASE("Expect: 100-continue is answered before the body is sent") {
  test_server s;
  client c(s.srv->port());
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  char buf[25] = {};
  asio::read(c.socket, asio::buffer(buf, 25));
  CHECK(std::string_view(buf, 25) == "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("abc");
  CHECK(c.read().body() == "abc");
}

TEST_CASE("a header over the limit gets 431") {
  http_limits limits;
  limits.max_header_bytes = 2048;
  test_server s(limits);
  client c(s.srv->port());
  auto res = c.request("GET /hello/a HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'h') + "\r\n\r\n");
  CHECK(res.result() == status::request_header_fields_too_large);
  CHECK(c.closed_by_server());
}

// Issue 11, item 4: what a chunked body carries besides data (the chunk-size lines with their
// extensions, the trailers) is metadata, bounded by the header limit like the head, and the
// connection's buffer has a maximum; before, `1;aaaa…` without CRLF grew it for the whole
// body timeout.
TEST_CASE("a chunk-size line that never ends gets 431 at once and the connection closes") {
  http_limits limits;
  limits.max_header_bytes = 2048;
  test_server s(limits);
  client c(s.srv->port());
  auto start = std::chrono::steady_clock::now();
  auto res = c.request("POST /echo-big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                       std::string(16 * 1024, 'a'));
  CHECK(res.result() == status::request_header_fields_too_large);
  CHECK(res.body().find("chunk extensions or trailers exceed 2048 bytes") != std::string::npos);
  CHECK(c.closed_by_server());
  CHECK(std::chrono::steady_clock::now() - start < 3s);  // the body timeout is 30 s
}

TEST_CASE("trailers that never end get 431 and the connection closes") {
  http_limits limits;
  limits.max_header_bytes = 2048;
  test_server s(limits);
  client c(s.srv->port());
  auto res = c.request("POST /echo-big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabc\r\n0\r\nX-Trailer: " + std::string(16 * 1024, 't'));
  CHECK(res.result() == status::request_header_fields_too_large);
  CHECK(c.closed_by_server());
}

TEST_CASE("trailer fields never reach the handler: no Authorization, Cookie or X-Forwarded-For after the body") {
  http_limits limits;
  limits.trusted_proxies = {"127.0.0.1"};
  test_server s(limits);
  client c(s.srv->port());
  auto res = c.request("POST /fields HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: Authorization\r\n\r\n"
                       "3\r\nabc\r\n0\r\nAuthorization: Bearer smuggled\r\nCookie: oauth_refresh=x\r\n"
                       "X-Forwarded-For: 6.6.6.6\r\n\r\n");
  CHECK(res.result() == status::ok);
  CHECK(res.body() == "Host\nTransfer-Encoding\nTrailer\nfrom 127.0.0.1");
  // The connection goes on: the next request's head is its own.
  auto next = c.request("POST /fields HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nX-Forwarded-For: 198.51.100.7\r\n\r\n");
  CHECK(next.body() == "Host\nContent-Length\nX-Forwarded-For\nfrom 198.51.100.7");
}

TEST_CASE("chunk extensions count together against the header limit, a malformed chunk gets 400") {
  http_limits limits;
  limits.max_header_bytes = 2048;
  test_server s(limits);
  const std::string head = "POST /echo-big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  {
    client c(s.srv->port());  // extensions and trailers within the limit are fine
    auto ok = c.request(head + "3;name=value\r\nabc\r\n2;x\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n");
    CHECK(ok.result() == status::ok);
    CHECK(ok.body() == "abcde");
  }
  {
    client c(s.srv->port());  // each line well under the limit, together over it
    std::string body;
    for (int i = 0; i < 40; ++i) body += "1;" + std::string(100, 'e') + "\r\nx\r\n";
    auto res = c.request(head + body + "0\r\n\r\n");
    CHECK(res.result() == status::request_header_fields_too_large);
    CHECK(c.closed_by_server());
  }
  {
    client c(s.srv->port());
    auto res = c.request(head + "zz\r\nabc\r\n0\r\n\r\n");
    CHECK(res.result() == status::bad_request);
    CHECK(c.closed_by_server());
  }
}

TEST_CASE("a malformed request gets 400") {
  test_server s;
  client c(s.srv->port());
  auto res = c.request("GARBAGE\r\n\r\n");
  CHECK(res.result() == status::bad_request);
}

TEST_CASE("a header trickled slower than the header timeout is cut off") {
  http_limits limits;
  limits.header_timeout = 300ms;
  test_server s(limits);
  client c(s.srv->port());
  auto start = std::chrono::steady_clock::now();
  c.send("GET /hello/a HTTP/1.1\r\nHost: x\r\n");  // never finished
  CHECK(c.closed_by_server());
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 3s);
}

TEST_CASE("a body slower than the body timeout is cut off") {
  http_limits limits;
  limits.body_timeout = 300ms;
  test_server s(limits);
  client c(s.srv->port());
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nonly part");
  CHECK(c.closed_by_server());
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout") {
  http_limits limits;
  limits.idle_timeout = 300ms;
  test_server s(limits);
  client c(s.srv->port());
  CHECK(c.request("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n").result() == status::ok);
  auto start = std::chrono::steady_clock::now();
  CHECK(c.closed_by_server());
  CHECK(std::chrono::steady_clock::now() - start < 3s);
}

TEST_CASE("connections over the limit are refused with 503 and Retry-After") {
  http_limits limits;
  limits.max_connections = 2;
  test_server s(limits);
  client a(s.srv->port());
  client b(s.srv->port());
  CHECK(a.request("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n").result() == status::ok);
  CHECK(b.request("GET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n").result() == status::ok);
  client refused(s.srv->port());
  auto res = refused.read();
  CHECK(res.result() == status::service_unavailable);
  CHECK(res[field::retry_after] == "1");
  // Once a connection goes away there is room again.
  a.send("GET /hello/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  a.read();
  CHECK(a.closed_by_server());
  REQUIRE(oauth::test::eventually([&] { return s.srv->active_connections() <= 1; }));
  client again(s.srv->port());
  CHECK(again.request("GET /hello/c HTTP/1.1\r\nHost: x\r\n\r\n").result() == status::ok);
}

TEST_CASE("a handler that throws gives an opaque 500") {
  test_server s;
  client c(s.srv->port());
  auto res = c.request("GET /broken HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(res.result() == status::internal_server_error);
  CHECK(res.body().find("secret") == std::string::npos);
  // The connection survives a handler failure.
  CHECK(c.request("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n").result() == status::ok);
}

// Issue 11, item 7: HTTP_HANDLER_TIMEOUT_MS was parsed and never used. 503
// temporarily_unavailable (RFC 6749 §5.2), not 504: the server is not a gateway, and OAuth
// clients already retry on temporarily_unavailable.
TEST_CASE("a handler past the handler timeout gets 503 temporarily_unavailable and finishes on its own later") {
  http_limits limits;
  limits.handler_timeout = 300ms;
  test_server s(limits);
  client c(s.srv->port());
  auto start = std::chrono::steady_clock::now();
  auto res = c.request("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n");
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(res.result() == status::service_unavailable);
  CHECK(res.body().find("\"error\":\"temporarily_unavailable\"") != std::string::npos);
  CHECK(res[field::retry_after] == "1");
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 3s);
  CHECK(the_gate().passed.load() == 0);  // the handler still waits
  // The connection serves on, and the abandoned handler ends harmlessly once the gate opens.
  CHECK(c.request("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n").body() == "hello a");
  the_gate().open();
  CHECK(oauth::test::eventually([] { return the_gate().passed.load() == 1; }));
  CHECK(c.request("GET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n").body() == "hello b");
}

TEST_CASE("graceful shutdown finishes the request in flight, closes idle connections, stops accepting") {
  test_server s;
  auto port = s.srv->port();
  client idle(port);
  CHECK(idle.request("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n").result() == status::ok);
  client busy(port);
  busy.send("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(the_gate().wait_until_waiting(1));  // the handler is running

  std::promise<void> drained;
  auto drained_future = drained.get_future();
  s.srv->shutdown(30s, [&] { drained.set_value(); });
  CHECK(idle.closed_by_server());
  // The drain waits for the handler in flight, however long it takes (within its deadline).
  CHECK(drained_future.wait_for(300ms) == std::future_status::timeout);
  the_gate().open();

  auto res = busy.read();
  CHECK(res.result() == status::ok);
  CHECK(res.body() == "through the gate");
  CHECK_FALSE(res.keep_alive());
  REQUIRE(drained_future.wait_for(10s) == std::future_status::ready);

  boost::system::error_code ec;
  asio::io_context io;
  tcp::socket late(io);
  late.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  CHECK(ec);  // connection refused: the listener is closed
}

TEST_CASE("the drain answers the first request of a connection accepted just before the signal") {
  test_server s;
  auto port = s.srv->port();
  // The chaos harness's SIGTERM scenario: a client connects as the signal arrives and sends
  // its request a moment later. Its connection was accepted, so the request is answered.
  client fresh(port);
  client silent(port);  // connects, then never sends anything
  REQUIRE(oauth::test::eventually([&] { return s.srv->active_connections() == 2; }));

  std::promise<void> drained;
  auto drained_future = drained.get_future();
  s.srv->shutdown(30s, [&] { drained.set_value(); });
  auto res = fresh.request("GET /hello/late HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(res.result() == status::ok);
  CHECK(res.body() == "hello late");
  CHECK_FALSE(res.keep_alive());
  CHECK(fresh.closed_by_server());
  // The silent one is closed after the grace, long before the 30 s deadline.
  REQUIRE(drained_future.wait_for(10s) == std::future_status::ready);
  CHECK(silent.closed_by_server());
}

TEST_CASE("hold_accept_until: connections wait in the backlog until the service is ready, then are served") {
  std::atomic<bool> ready{false};
  test_server s({}, threading::shared_context,
                [&](server& srv) { srv.hold_accept_until([&] { return ready.load(); }, 60s); });
  client early(s.srv->port());  // the kernel completes the handshake; the service has not accepted
  early.send("GET /hello/early HTTP/1.1\r\nHost: x\r\n\r\n");
  // Not accepted while held (the hold is 60 s: only `ready` can end it within this test).
  for (int i = 0; i < 20; ++i) {
    CHECK(s.srv->active_connections() == 0);
    std::this_thread::sleep_for(10ms);
  }
  ready = true;
  auto res = early.read();
  CHECK(res.result() == status::ok);
  CHECK(res.body() == "hello early");
}

TEST_CASE("hold_accept_until is bounded: a service that never gets ready accepts after at_most") {
  test_server s({}, threading::shared_context,
                [](server& srv) { srv.hold_accept_until([] { return false; }, 200ms); });
  client c(s.srv->port());
  auto res = c.request("GET /hello/late HTTP/1.1\r\nHost: x\r\n\r\n");  // read() allows 5 s
  CHECK(res.result() == status::ok);
}

TEST_CASE("one context per thread: connections alternate between threads, timeouts and the drain still apply") {
  http_limits limits;
  limits.idle_timeout = 300ms;
  test_server s(limits, threading::context_per_thread);
  auto port = s.srv->port();
  std::vector<std::unique_ptr<client>> clients;
  std::set<std::string> threads_seen;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<client>(port));
    auto first = clients.back()->request("GET /thread HTTP/1.1\r\nHost: x\r\n\r\n");
    auto again = clients.back()->request("GET /thread HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(first.body() == again.body());  // a connection stays on its thread
    threads_seen.insert(first.body());
  }
  CHECK(threads_seen.size() == 2);
  // The sweeper (on the first context) closes idle connections of both contexts.
  for (auto& c : clients) CHECK(c->closed_by_server());

  client busy_first(port), busy_second(port);  // the next two connections: one per context
  busy_first.send("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n");
  busy_second.send("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(the_gate().wait_until_waiting(2));
  std::promise<void> drained;
  s.srv->shutdown(30s, [&] { drained.set_value(); });
  the_gate().open();
  CHECK(busy_first.read().body() == "through the gate");
  CHECK(busy_second.read().body() == "through the gate");
  REQUIRE(drained.get_future().wait_for(10s) == std::future_status::ready);
  CHECK(s.srv->active_connections() == 0);
}

TEST_CASE("the drain is bounded: a handler slower than the deadline is cut off") {
  test_server s;
  client busy(s.srv->port());
  busy.send("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(the_gate().wait_until_waiting(1));
  std::promise<void> drained;
  s.srv->shutdown(100ms, [&] { drained.set_value(); });
  // The handler never ends on its own (the gate stays shut): only the deadline ends the drain.
  REQUIRE(drained.get_future().wait_for(10s) == std::future_status::ready);
  CHECK(the_gate().waiting_now() == 1);
  // The request cut off is answered (503, as a handler past its timeout) and the connection closed.
  auto res = busy.read();
  CHECK(res.result() == status::service_unavailable);
  CHECK_FALSE(res.keep_alive());
  CHECK(busy.closed_by_server());
  the_gate().open();
}

TEST_CASE("the client address comes from X-Forwarded-For only behind a trusted proxy") {
  {
    test_server s;  // trusts no one
    client c(s.srv->port());
    CHECK(c.request("GET /whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.7\r\n\r\n").body() ==
          "127.0.0.1");
  }
  http_limits limits;
  limits.trusted_proxies = {"127.0.0.1"};
  test_server s(limits);
  client c(s.srv->port());
  CHECK(c.request("GET /whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6, 198.51.100.7\r\n\r\n").body() ==
        "198.51.100.7");
  CHECK(c.request("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n").body() == "127.0.0.1");
}

namespace {

enum class attempt { not_established, answered, unanswered, no_socket };

// One client of a rolling restart: connects (giving up after `patience`, as a gateway's
// connect timeout would), sends a request and reads until the server closes. A connection the
// kernel established must be answered: its client may already have sent a POST that it cannot
// send elsewhere (a gateway answers 502 then).
attempt connect_and_ask(std::uint16_t port, std::chrono::milliseconds patience) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return attempt::no_socket;
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } closes{fd};
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    if (errno != EINPROGRESS) return attempt::not_established;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(patience.count())) != 1) return attempt::not_established;
    int error = 0;
    socklen_t len = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return attempt::not_established;
  }
  const std::string_view ask = "GET /hello/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  if (::send(fd, ask.data(), ask.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(ask.size())) return attempt::unanswered;
  std::string got;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) break;
    char buf[512];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got.starts_with("HTTP/1.1 200 ") && got.ends_with("hello x") ? attempt::answered : attempt::unanswered;
}

} // namespace

TEST_CASE("the drain resets no connection: one established while the listener closes is answered") {
  // Clients keep connecting while the server drains, as a gateway does during a rolling
  // restart. Each either never gets a connection (and goes elsewhere) or is answered; none is
  // established and then reset by the listener's close. Repeated: the race is narrow.
  int answered = 0;
  int not_established = 0;
  for (int round = 0; round < 30; ++round) {
    test_server s;
    const auto port = s.srv->port();
    std::atomic<bool> stop{false};
    std::atomic<int> unanswered{0}, served{0}, refused{0}, failed{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 8; ++i)
      clients.emplace_back([&] {
        while (!stop)
          switch (connect_and_ask(port, 200ms)) {
          case attempt::answered: ++served; break;
          case attempt::not_established: ++refused; break;
          case attempt::unanswered: ++unanswered; break;
          case attempt::no_socket: ++failed; break;
          }
      });
    REQUIRE(oauth::test::eventually([&] { return served.load() >= 20; }));
    std::promise<void> drained;
    s.srv->shutdown(10s, [&] { drained.set_value(); });
    REQUIRE(drained.get_future().wait_for(10s) == std::future_status::ready);
    // Until the clients see the port closed.
    REQUIRE(oauth::test::eventually([&] { return refused.load() >= 8; }));
    stop = true;
    for (auto& t : clients) t.join();
    CHECK_MESSAGE(unanswered.load() == 0, "round " << round);
    REQUIRE(failed.load() == 0);
    answered += served;
    not_established += refused;
  }
  MESSAGE("answered " << answered << ", not established " << not_established);
}
