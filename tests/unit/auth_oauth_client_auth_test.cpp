// Client authentication (RFC 6749 §2.3) over a fake client store.
#include "auth-service/credentials/client_secret.hpp"
#include "auth-service/oauth/client_authentication.hpp"
#include "auth-service/oauth/client_cache.hpp"
#include "auth-service/oauth/user_cache.hpp"
#include "common/encoding.hpp"
#include "common/revocation/protocol.hpp"
#include "common/revocation/revocation_set.hpp"
#include "tests/support/run.hpp"
#include "tests/unit/auth_oauth_fakes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

using namespace oauth;
using namespace oauth::auth;

namespace {

http::body_params params(std::vector<std::pair<std::string, std::string>> items) { return http::body_params(std::move(items)); }

std::string basic(std::string_view id, std::string_view secret) {
  return "Basic " + base64_encode(url_encode(id) + ":" + url_encode(secret));
}

presented_client ok(const std::variant<presented_client, token_error>& r) {
  REQUIRE_MESSAGE(std::holds_alternative<presented_client>(r), std::get<token_error>(r).description);
  return std::get<presented_client>(r);
}

oauth_errc code_of(const std::variant<presented_client, token_error>& r) {
  REQUIRE(std::holds_alternative<token_error>(r));
  return std::get<token_error>(r).code;
}

} // namespace

TEST_CASE("client auth: HTTP Basic, with RFC 6749 §2.3.1 form-urldecoding of id and secret") {
  auto p = ok(extract_client_credentials(basic("my client:1", "s3cr+t/=%&:"), params({})));
  CHECK(p.id == "my client:1");
  REQUIRE(p.secret);
  CHECK(*p.secret == "s3cr+t/=%&:");
  CHECK(p.method == client_auth_method::basic);
  // '+' in the urlencoded form is a space.
  auto plus = ok(extract_client_credentials("Basic " + base64_encode("a+b:c+d"), params({})));
  CHECK(plus.id == "a b");
  CHECK(*plus.secret == "c d");
  // Scheme name is case-insensitive (RFC 7235 §2.1).
  CHECK(ok(extract_client_credentials("basic " + base64_encode("id:secret"), params({}))).id == "id");
}

TEST_CASE("client auth: client_secret_post and public clients") {
  auto p = ok(extract_client_credentials("", params({{"client_id", "abc"}, {"client_secret", "xyz"}})));
  CHECK(p.id == "abc");
  CHECK(*p.secret == "xyz");
  CHECK(p.method == client_auth_method::post);
  auto pub = ok(extract_client_credentials("", params({{"client_id", "abc"}})));
  CHECK_FALSE(pub.secret);
  CHECK(pub.method == client_auth_method::none);
}

TEST_CASE("client auth: both methods at once → invalid_request - neither → invalid_client") {
  CHECK(code_of(extract_client_credentials(basic("id", "s"), params({{"client_id", "id"}, {"client_secret", "s"}}))) ==
        oauth_errc::invalid_request);
  CHECK(code_of(extract_client_credentials(basic("id", "s"), params({{"client_id", "other"}}))) ==
        oauth_errc::invalid_request);
  // The same client_id next to Basic is tolerated.
  CHECK(ok(extract_client_credentials(basic("id", "s"), params({{"client_id", "id"}}))).id == "id");
  CHECK(code_of(extract_client_credentials("", params({}))) == oauth_errc::invalid_client);
  CHECK(code_of(extract_client_credentials("", params({{"client_secret", "s"}}))) == oauth_errc::invalid_request);
}

TEST_CASE("client auth: malformed Basic or another scheme → invalid_client") {
  CHECK(code_of(extract_client_credentials("Basic", params({}))) == oauth_errc::invalid_client);
  CHECK(code_of(extract_client_credentials("Basic !!!notbase64", params({}))) == oauth_errc::invalid_client);
  CHECK(code_of(extract_client_credentials("Basic " + base64_encode("no-colon"), params({}))) == oauth_errc::invalid_client);
  CHECK(code_of(extract_client_credentials("Basic " + base64_encode(":secret"), params({}))) == oauth_errc::invalid_client);
  CHECK(code_of(extract_client_credentials("Basic " + base64_encode("id%zz:secret"), params({}))) == oauth_errc::invalid_client);
  CHECK(code_of(extract_client_credentials("Bearer abc", params({}))) == oauth_errc::invalid_client);
}

TEST_CASE("client auth: a NUL in the Basic id or secret → invalid_request") {
  CHECK(code_of(extract_client_credentials(basic(std::string("web\0x", 5), "s"), params({}))) ==
        oauth_errc::invalid_request);
  CHECK(code_of(extract_client_credentials(basic("web", std::string("s\0", 2)), params({}))) ==
        oauth_errc::invalid_request);
  CHECK(code_of(extract_client_credentials("Basic " + base64_encode(std::string("web:s\0", 6)), params({}))) ==
        oauth_errc::invalid_request);
}

TEST_CASE("client auth: the record decides: unknown, revoked, wrong secret → invalid_client") {
  boost::asio::io_context io;
  test::fake_clients store;
  client conf = test::make_client("c1", hash_client_secret("right"), {"client_credentials"});
  client pub = test::make_client("p1", "", {"password"});
  client revoked = conf;
  revoked.id = "r1";
  revoked.revoked = true;
  store.clients = {{"c1", conf}, {"p1", pub}, {"r1", revoked}};

  auto attempt = [&](presented_client p) { return test::run(io, authenticate_client(store, p)); };
  auto code = [](const std::variant<client, token_error>& r) {
    return std::holds_alternative<token_error>(r) ? std::get<token_error>(r).code : oauth_errc::server_error;
  };
  CHECK(std::get<client>(attempt({"c1", "right", client_auth_method::basic})).id == "c1");
  CHECK(code(attempt({"c1", "wrong", client_auth_method::basic})) == oauth_errc::invalid_client);
  CHECK(code(attempt({"c1", std::nullopt, client_auth_method::none})) == oauth_errc::invalid_client);
  CHECK(code(attempt({"nope", "right", client_auth_method::post})) == oauth_errc::invalid_client);
  CHECK(code(attempt({"r1", "right", client_auth_method::post})) == oauth_errc::invalid_client);
  CHECK(std::get<client>(attempt({"p1", std::nullopt, client_auth_method::none})).id == "p1");
  CHECK(std::get<client>(attempt({"p1", "", client_auth_method::basic})).id == "p1");
  CHECK(code(attempt({"p1", "something", client_auth_method::post})) == oauth_errc::invalid_client);
  store.down = true;
  CHECK(code(attempt({"c1", "right", client_auth_method::basic})) == oauth_errc::temporarily_unavailable);
}

namespace {
// The cache's clock in the test below: moved by hand.
client_cache::clock::time_point manual_now{};
client_cache::clock::time_point manual_clock() { return manual_now; }
} // namespace

TEST_CASE("client cache: hits within the TTL, misses after, never caches failures") {
  boost::asio::io_context io;
  test::fake_clients store;
  store.clients["c1"] = test::make_client("c1", "", {});
  manual_now = client_cache::clock::time_point{} + std::chrono::hours(1);
  client_cache cache(store, std::chrono::milliseconds(100), 10'000, &manual_clock);
  CHECK(test::run(io, cache.find("c1")).value()->id == "c1");
  CHECK(test::run(io, cache.find("c1")).value()->id == "c1");
  CHECK_FALSE(test::run(io, cache.find("zz")).value().has_value());
  CHECK_FALSE(test::run(io, cache.find("zz")).value().has_value());
  CHECK(store.finds == 2);
  store.clients["c1"].revoked = true;
  manual_now += std::chrono::milliseconds(99);  // still within the TTL: the cached record
  CHECK_FALSE(test::run(io, cache.find("c1")).value()->revoked);
  CHECK(store.finds == 2);
  manual_now += std::chrono::milliseconds(2);  // past it: read again
  CHECK(test::run(io, cache.find("c1")).value()->revoked);
  CHECK(store.finds == 3);
  store.down = true;
  cache.clear();
  CHECK_FALSE(test::run(io, cache.find("c1")).has_value());
  CHECK_FALSE(test::run(io, cache.find("c1")).has_value());
  CHECK(store.finds == 5);
  CHECK(cache.size() == 0);
}

TEST_CASE("user cache: find_by_id within the TTL, no password hash kept, a subject cutoff wins at once") {
  boost::asio::io_context io;
  test::fake_users store;
  store.by_email["a@x"] = auth::user{"11111111-1111-4111-8111-111111111111", "a@x", "A", "$argon2id$secret-hash", {"read-posts"}};
  manual_now = client_cache::clock::time_point{} + std::chrono::hours(1);
  revocation::revocation_set cut_offs;
  user_cache cache(store, std::chrono::milliseconds(100), 100'000, &manual_clock);
  cache.watch(&cut_offs);
  const std::string id = "11111111-1111-4111-8111-111111111111";
  auto first = test::run(io, cache.find_by_id(id)).value();
  REQUIRE(first.has_value());
  CHECK(first->scopes == std::vector<std::string>{"read-posts"});
  CHECK(first->password_hash.empty());
  CHECK(test::run(io, cache.find_by_id(id)).value().has_value());
  CHECK(store.id_finds == 1);
  // Scopes changed in the store: the cached record until the TTL passes, then the new one.
  store.by_email["a@x"].scopes = {};
  manual_now += std::chrono::milliseconds(99);
  CHECK(test::run(io, cache.find_by_id(id)).value()->scopes.size() == 1);
  manual_now += std::chrono::milliseconds(2);
  CHECK(test::run(io, cache.find_by_id(id)).value()->scopes.empty());
  CHECK(store.id_finds == 2);
  // Deleted (a subject cutoff announced): absent at once, though the record is cached.
  cut_offs.add(revocation::cutoff_member(revocation::cutoff::kind::subject, 2'000'000'000, id), 2'000'003'600);
  CHECK_FALSE(test::run(io, cache.find_by_id(id)).value().has_value());
  CHECK(store.id_finds == 2);
  // Failures are not cached; logins are never served from the cache.
  store.down = true;
  CHECK_FALSE(test::run(io, cache.find_by_id("22222222-2222-4222-8222-222222222222")).has_value());
  CHECK_FALSE(test::run(io, cache.find_by_id("22222222-2222-4222-8222-222222222222")).has_value());
  CHECK(store.id_finds == 4);
  store.down = false;
  auto login = test::run(io, cache.find_for_login("a@x")).value();
  REQUIRE(login.found.has_value());
  CHECK(login.found->password_hash == "$argon2id$secret-hash");
}

namespace {
// A client store whose lookups wait at a gate the test opens: concurrent finds overlap for sure.
struct gated_clients final : client_store {
  boost::asio::steady_timer gate;
  int finds = 0;
  bool down = false;
  explicit gated_clients(boost::asio::io_context& io) : gate(io, boost::asio::steady_timer::time_point::max()) {}
  boost::asio::awaitable<store_result<std::optional<client>>> find(std::string_view id) override {
    ++finds;
    std::string key(id);
    co_await gate.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (down) co_return test::store_down();
    co_return std::optional<client>{test::make_client(key, "", {})};
  }
};
} // namespace

TEST_CASE("client cache: concurrent misses for one id share one lookup, its failure included") {
  boost::asio::io_context io;
  gated_clients store(io);
  client_cache cache(store, std::chrono::milliseconds(100));
  std::vector<store_result<std::optional<client>>> got;
  // Literals only: find() takes a string_view, read when the coroutine first runs.
  auto find = [&](std::string_view id) {
    boost::asio::co_spawn(io, cache.find(id), [&](std::exception_ptr e, store_result<std::optional<client>> r) {
      REQUIRE_FALSE(e);
      got.push_back(std::move(r));
    });
  };
  for (int i = 0; i < 10; ++i) find("c1");
  find("c2");  // another id: its own lookup
  io.poll();
  CHECK(store.finds == 2);
  CHECK(cache.lookups_in_flight() == 2);
  store.gate.cancel();
  io.run();
  io.restart();
  REQUIRE(got.size() == 11);
  for (const auto& r : got) CHECK(r.value()->id.starts_with("c"));
  CHECK(std::count_if(got.begin(), got.end(), [](const auto& r) { return r.value()->id == "c1"; }) == 10);
  CHECK(cache.lookups_in_flight() == 0);
  // The shared lookup filled the cache: no further lookup.
  CHECK(test::run(io, cache.find("c1")).value()->id == "c1");
  CHECK(store.finds == 2);

  // A failed lookup is shared by its waiters and not cached: the next miss looks up again.
  cache.clear();
  got.clear();
  store.down = true;
  store.gate.expires_at(boost::asio::steady_timer::time_point::max());
  io.restart();
  for (int i = 0; i < 5; ++i) find("c1");
  io.poll();
  CHECK(store.finds == 3);
  store.gate.cancel();
  io.run();
  io.restart();
  REQUIRE(got.size() == 5);
  for (const auto& r : got) CHECK_FALSE(r.has_value());
  store.down = false;
  store.gate.expires_at(boost::asio::steady_timer::time_point::min());  // open: no wait
  CHECK(test::run(io, cache.find("c1")).value()->id == "c1");
  CHECK(store.finds == 4);
}

TEST_CASE("single flight: an exception from the lookup reaches the leader and every waiter") {
  boost::asio::io_context io;
  boost::asio::steady_timer gate(io, boost::asio::steady_timer::time_point::max());
  single_flight<int> flights;
  int lookups = 0;
  int thrown = 0;
  single_flight<int>::lookup_fn lookup = [&]() -> boost::asio::awaitable<int> {
    ++lookups;
    co_await gate.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    throw std::runtime_error("lookup failed");
  };
  for (int i = 0; i < 3; ++i)
    boost::asio::co_spawn(io, flights.run("k", lookup), [&](std::exception_ptr e, int) {
      if (e) ++thrown;
    });
  io.poll();
  CHECK(lookups == 1);
  gate.cancel();
  io.run();
  CHECK(thrown == 3);
  CHECK(flights.in_flight() == 0);
}
