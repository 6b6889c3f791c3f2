// The Redis throttle store against the real server.
#include "auth-service/storage/redis_throttle_store.hpp"
#include "tests/integration/redis_test_support.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <string>

namespace asio = boost::asio;
namespace rt = oauth::test::redis;
using namespace oauth::auth;
using namespace std::chrono_literals;
using oauth::test::run;

namespace {

template <class R>
bool ok(const R& r) {
  return r.has_value();
}

std::string unique_prefix() {
  static int n = 0;
  return "test:authstore:" + std::to_string(::getpid()) + ":" + std::to_string(++n) + ":throttle:";
}

struct fixture {
  asio::io_context io;
  oauth::redis::client redis{io.get_executor(), rt::options()};
  std::string prefix = unique_prefix();
  redis_throttle_store store{redis, throttle_limits{5, 50, 60s}, prefix};

  fixture() { rt::start_and_wait(io, redis); }
  ~fixture() {
    redis.stop();
    io.restart();
    io.run_for(2s);
  }

  throttle_state reserve(std::string_view ip, std::string_view user) {
    auto r = run(io, store.reserve(ip, user));
    REQUIRE_MESSAGE(ok(r), "reserve failed: " << r.error().message());
    return *r;
  }
  // `times` attempts that are let through (and then fail: they stay counted).
  void fail(std::string_view ip, std::string_view user, int times = 1) {
    for (int i = 0; i < times; ++i) REQUIRE_FALSE(reserve(ip, user).throttled);
  }
  std::string counter(const std::string& key) {
    auto r = run(io, redis.command({"GET", key}));
    REQUIRE(ok(r));
    return r->is_nil() ? "" : r->str;
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "five attempts are let through in a window, the sixth is refused and not counted") {
  fail("10.0.0.1", "alice@example.com", 5);
  auto s = reserve("10.0.0.1", "alice@example.com");
  CHECK(s.throttled);
  CHECK(s.retry_after > 0s);
  CHECK(s.retry_after <= 60s);
  CHECK(reserve("10.0.0.1", "alice@example.com").throttled);
  CHECK(counter(store.user_key("10.0.0.1", "alice@example.com")) == "5");
  CHECK(counter(store.ip_key("10.0.0.1")) == "5");
  // Other IPs and other names are unaffected.
  CHECK_FALSE(reserve("10.0.0.2", "alice@example.com").throttled);
  CHECK_FALSE(reserve("10.0.0.1", "bob@example.com").throttled);
}

TEST_CASE_FIXTURE(fixture, "concurrent reservations: of 40 at once exactly 5 are let through") {
  int granted = 0, refused = 0, failed = 0;
  for (int i = 0; i < 40; ++i)
    asio::co_spawn(io, store.reserve("10.0.0.8", "frank@example.com"),
                   [&](std::exception_ptr e, store_result<throttle_state> r) {
                     if (e || !r) ++failed;
                     else if (r->throttled) ++refused;
                     else ++granted;
                   });
  io.restart();
  for (int i = 0; i < 400 && granted + refused + failed < 40; ++i) io.run_one_for(50ms);
  CHECK(failed == 0);
  CHECK(granted == 5);
  CHECK(refused == 35);
}

TEST_CASE_FIXTURE(fixture, "a success clears the (IP, user) counter and gives its per-IP count back") {
  fail("10.0.0.3", "carol@example.com", 5);  // four failures, then the right password
  REQUIRE(ok(run(io, store.record_success("10.0.0.3", "carol@example.com"))));
  CHECK(counter(store.user_key("10.0.0.3", "carol@example.com")).empty());
  CHECK(counter(store.ip_key("10.0.0.3")) == "4");
  fail("10.0.0.3", "carol@example.com", 5);
  CHECK(reserve("10.0.0.3", "carol@example.com").throttled);
  CHECK(counter(store.ip_key("10.0.0.3")) == "9");
}

TEST_CASE_FIXTURE(fixture, "cancel gives an unevaluated attempt back to both counters") {
  fail("10.0.0.9", "gina@example.com", 5);
  REQUIRE(ok(run(io, store.cancel("10.0.0.9", "gina@example.com"))));
  CHECK(counter(store.user_key("10.0.0.9", "gina@example.com")) == "4");
  CHECK(counter(store.ip_key("10.0.0.9")) == "4");
  fail("10.0.0.9", "gina@example.com");
  CHECK(reserve("10.0.0.9", "gina@example.com").throttled);
  // Giving back the last count removes the key rather than leaving a zero.
  fail("10.0.0.10", "hal@example.com");
  REQUIRE(ok(run(io, store.cancel("10.0.0.10", "hal@example.com"))));
  CHECK(counter(store.user_key("10.0.0.10", "hal@example.com")).empty());
  CHECK(counter(store.ip_key("10.0.0.10")).empty());
}

TEST_CASE_FIXTURE(fixture, "one address cannot spray many user names") {
  for (int i = 0; i < 50; ++i) fail("10.0.0.4", "user" + std::to_string(i) + "@example.com");
  auto s = reserve("10.0.0.4", "someone-new@example.com");
  CHECK(s.throttled);
  CHECK(s.retry_after > 0s);
  CHECK(s.retry_after <= 60s);
  CHECK_FALSE(reserve("10.0.0.5", "someone-new@example.com").throttled);
}

TEST_CASE_FIXTURE(fixture, "counters expire with their window and never name the user") {
  fail("10.0.0.6", "dave@example.com");
  auto user_ttl = run(io, redis.command({"PTTL", store.user_key("10.0.0.6", "dave@example.com")}));
  REQUIRE(ok(user_ttl));
  CHECK(user_ttl->integer > 0);
  CHECK(user_ttl->integer <= 60'000);
  auto keys = run(io, redis.command({"KEYS", prefix + "*"}));
  REQUIRE(ok(keys));
  CHECK(keys->elements.size() == 2);
  for (const auto& k : keys->elements) CHECK(k.str.find("dave") == std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "Redis down: errors, not crashes; then it works again") {
  rt::server_guard guard;
  oauth::test::services("stop", "redis");
  CHECK_FALSE(ok(run(io, store.reserve("10.0.0.7", "erin@example.com"))));
  CHECK_FALSE(ok(run(io, store.record_success("10.0.0.7", "erin@example.com"))));
  CHECK_FALSE(ok(run(io, store.cancel("10.0.0.7", "erin@example.com"))));
  oauth::test::services("start", "redis");
  REQUIRE(oauth::test::eventually_on(io, [&] { return redis.connected(); }, 15s));
  fail("10.0.0.7", "erin@example.com");
}
