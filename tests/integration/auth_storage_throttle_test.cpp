// The Redis throttle store against the real server.
#include "auth-service/storage/redis_throttle_store.hpp"
#include "tests/integration/redis_test_support.hpp"

#include <doctest/doctest.h>

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

  throttle_state check(std::string_view ip, std::string_view user) {
    auto r = run(io, store.check(ip, user));
    REQUIRE_MESSAGE(ok(r), "check failed: " << r.error().message());
    return *r;
  }
  void fail(std::string_view ip, std::string_view user, int times = 1) {
    for (int i = 0; i < times; ++i) REQUIRE(run(io, store.record_failure(ip, user)));
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "five failures within the window throttle the sixth attempt") {
  fail("10.0.0.1", "alice@example.com", 4);
  CHECK_FALSE(check("10.0.0.1", "alice@example.com").throttled);  // the 5th attempt is still heard
  fail("10.0.0.1", "alice@example.com");
  auto s = check("10.0.0.1", "alice@example.com");
  CHECK(s.throttled);
  CHECK(s.retry_after > 0s);
  CHECK(s.retry_after <= 60s);
  // The user name is compared case-insensitively; other IPs and other names are unaffected.
  CHECK(check("10.0.0.1", "ALICE@Example.com").throttled);
  CHECK_FALSE(check("10.0.0.2", "alice@example.com").throttled);
  CHECK_FALSE(check("10.0.0.1", "bob@example.com").throttled);
}

TEST_CASE_FIXTURE(fixture, "a success clears the (IP, user) counter but not the per-IP one") {
  fail("10.0.0.3", "carol@example.com", 4);
  REQUIRE(ok(run(io, store.record_success("10.0.0.3", "Carol@Example.com"))));
  fail("10.0.0.3", "carol@example.com", 4);
  CHECK_FALSE(check("10.0.0.3", "carol@example.com").throttled);
  auto ip_count = run(io, redis.command({"GET", store.ip_key("10.0.0.3")}));
  REQUIRE(ok(ip_count));
  CHECK(ip_count->str == "8");
}

TEST_CASE_FIXTURE(fixture, "one address cannot spray many user names") {
  for (int i = 0; i < 50; ++i) fail("10.0.0.4", "user" + std::to_string(i) + "@example.com");
  auto s = check("10.0.0.4", "someone-new@example.com");
  CHECK(s.throttled);
  CHECK(s.retry_after > 0s);
  CHECK(s.retry_after <= 60s);
  CHECK_FALSE(check("10.0.0.5", "someone-new@example.com").throttled);
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
  CHECK_FALSE(ok(run(io, store.check("10.0.0.7", "erin@example.com"))));
  CHECK_FALSE(ok(run(io, store.record_failure("10.0.0.7", "erin@example.com"))));
  CHECK_FALSE(ok(run(io, store.record_success("10.0.0.7", "erin@example.com"))));
  oauth::test::services("start", "redis");
  REQUIRE(rt::eventually(io, [&] { return redis.connected(); }, 15s));
  fail("10.0.0.7", "erin@example.com");
  CHECK_FALSE(check("10.0.0.7", "erin@example.com").throttled);
}
