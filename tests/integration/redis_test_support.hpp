#pragma once
// Shared by the Redis integration tests: options for the test server, unique key names,
// polling with a deadline, and a guard that brings a stopped server back.
#include "common/config.hpp"
#include "common/redis/client.hpp"
#include "common/redis/server_info.hpp"
#include "tests/support/run.hpp"
#include "tests/support/test_env.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::test::redis {

using namespace std::chrono_literals;

inline oauth::redis::client_options options() {
  const std::string url = oauth::test::redis_url();  // throws (the test fails) when unset
  auto endpoint = oauth::parse_redis_url(url);
  REQUIRE_MESSAGE(endpoint.has_value(), "TEST_REDIS_URL is not a redis:// URL: " << url);
  oauth::redis::client_options o;
  o.endpoint = *endpoint;
  return o;
}

// As options(), for a client that eval_with_server_id (the authorization code store) needs.
inline oauth::redis::client_options identifying_options() {
  auto o = options();
  o.identify_server = true;
  return o;
}

// Keys and channels private to this process: other suites share the server.
inline std::string key(std::string_view name) {
  return "test:redis:" + std::to_string(::getpid()) + ":" + std::string(name);
}

// A command that must succeed at the transport level (the reply may still be a Redis error).
inline boost::asio::awaitable<oauth::redis::reply> must(oauth::redis::client& c, std::vector<std::string> args) {
  auto r = co_await c.command(std::move(args));
  REQUIRE_MESSAGE(r.has_value(), "redis command failed: " << r.error().message());
  co_return std::move(*r);
}

// Starts the client and requires a connection: a missing server fails the test, loudly.
inline void start_and_wait(boost::asio::io_context& io, oauth::redis::client& c) {
  c.start();
  REQUIRE_MESSAGE(eventually_on(io, [&] { return c.connected(); }, 5s),
                  "cannot connect to Redis at " << oauth::test::redis_url()
                                                << " (run the suite through ./scripts/test.sh)");
}

// Stops the client (or subscriber) and requires the io_context to run out of work:
// stop() must leave nothing behind.
template <class T>
void stop_and_drain(boost::asio::io_context& io, T& c) {
  c.stop();
  io.restart();
  io.run_for(5s);
  CHECK_MESSAGE(io.stopped(), "work left on the io_context after stop()");
}

// The server id client::eval_with_server_id appends, as plain commands read it.
inline std::string server_id(boost::asio::io_context& io, oauth::redis::client& c) {
  std::string id;
  for (const auto& [section, field] : {std::pair{"server", "run_id"}, std::pair{"replication", "master_replid"}}) {
    auto r = oauth::test::run(io, must(c, {"INFO", section}));
    auto value = oauth::redis::hex_id_from_info(r.str, field);
    REQUIRE_MESSAGE(value.has_value(), "no " << field << " in INFO " << section);
    id += (id.empty() ? "" : "-") + *value;
  }
  return id;
}

// Brings Redis back even when a test that stopped it fails half-way.
struct server_guard : oauth::test::restart_on_exit {
  server_guard() : restart_on_exit{"redis"} {}
};

} // namespace oauth::test::redis
