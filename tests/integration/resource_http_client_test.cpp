// common/http/client (used by the resource service to fetch the JWKS) against a real server on
// loopback: a normal exchange, the response size limit, the deadline, a refused connection.
#include "../support/run.hpp"
#include "common/http/client.hpp"
#include "common/http/responses.hpp"
#include "common/http/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/core/error.hpp>
#include <doctest/doctest.h>

#include <thread>

using namespace oauth;
using namespace oauth::http;
using namespace std::chrono_literals;

namespace {

asio::awaitable<response> ok(request_context& ctx) {
  auto res = text_response(status::ok, "hello " + std::string(ctx.req.body()), "application/json");
  res.set(field::cache_control, "max-age=120");
  co_return res;
}
asio::awaitable<response> big(request_context&) { co_return text_response(status::ok, std::string(4096, 'x')); }
asio::awaitable<response> slow(request_context&) {
  asio::steady_timer t(co_await asio::this_coro::executor, 2s);
  co_await t.async_wait(asio::use_awaitable);
  co_return text_response(status::ok, "late");
}

struct peer {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::unique_ptr<server> srv;
  std::thread thread;
  peer() {
    auto r = std::make_shared<router>();
    r->add(verb::get, "/ok", ok);
    r->add(verb::post, "/ok", ok);
    r->add(verb::get, "/big", big);
    r->add(verb::get, "/slow", slow);
    srv = std::make_unique<server>(io, server_options{listen_address{"127.0.0.1", 0}, {}, false, "peer"}, r);
    srv->start();
    thread = std::thread([this] { io.run(); });
  }
  ~peer() {
    guard.reset();
    io.stop();
    thread.join();
  }
  url at(std::string path) { return *parse_http_url("http://127.0.0.1:" + std::to_string(srv->port()) + path); }
};

} // namespace

TEST_CASE("GET and POST round trips") {
  peer p;
  asio::io_context io;
  auto res = test::run(io, get(io.get_executor(), p.at("/ok")));
  REQUIRE(res.has_value());
  CHECK(res->result() == status::ok);
  CHECK(res->body() == "hello ");
  CHECK((*res)[field::cache_control] == "max-age=120");
  auto posted = test::run(io, fetch(io.get_executor(), verb::post, p.at("/ok"), {}, "there", "text/plain"));
  REQUIRE(posted.has_value());
  CHECK(posted->body() == "hello there");
  auto missing = test::run(io, get(io.get_executor(), p.at("/nope")));
  REQUIRE(missing.has_value());
  CHECK(missing->result() == status::not_found);
}

TEST_CASE("a response body over the limit is an error") {
  peer p;
  asio::io_context io;
  client_options small;
  small.max_body_bytes = 1024;
  auto res = test::run(io, get(io.get_executor(), p.at("/big"), small));
  REQUIRE_FALSE(res.has_value());
  CHECK(res.error() == boost::beast::http::error::body_limit);
  CHECK(test::run(io, get(io.get_executor(), p.at("/big"))).has_value());
}

TEST_CASE("the deadline bounds the whole exchange") {
  peer p;
  asio::io_context io;
  client_options quick;
  quick.timeout = 200ms;
  auto started = std::chrono::steady_clock::now();
  auto res = test::run(io, get(io.get_executor(), p.at("/slow"), quick));
  CHECK(std::chrono::steady_clock::now() - started < 1500ms);
  REQUIRE_FALSE(res.has_value());
  CHECK(res.error() == boost::beast::error::timeout);
}

TEST_CASE("a refused connection is an error code, not an exception") {
  std::uint16_t port;
  {
    peer p;
    port = p.srv->port();
  }
  asio::io_context io;
  auto res = test::run(io, get(io.get_executor(), *parse_http_url("http://127.0.0.1:" + std::to_string(port) + "/")));
  REQUIRE_FALSE(res.has_value());
  CHECK(res.error() == asio::error::connection_refused);
}
