// The playground page's "Authorization code + PKCE" panel, without sockets or databases: the
// cache in front of the playground client lookup.
#include "auth-service/config/auth_config.hpp"
#include "auth-service/oauth/playground_client_cache.hpp"
#include "common/revocation/protocol.hpp"
#include "common/revocation/revocation_set.hpp"
#include "tests/support/run.hpp"

#include <doctest/doctest.h>

#include <boost/system/errc.hpp>

#include <string>

using namespace oauth::auth;
using oauth::test::run;

namespace {

// Answers what it is told and counts the questions.
struct fake_playground_clients final : playground_client_store {
  store_result<std::optional<std::string>> answer = std::optional<std::string>{};
  int asked = 0;
  boost::asio::awaitable<store_result<std::optional<std::string>>> find_id() override {
    ++asked;
    co_return answer;
  }
};

const auto unavailable = store_error_of<std::optional<std::string>>(
    boost::system::errc::make_error_code(boost::system::errc::connection_refused));

playground_client_cache::clock::time_point manual_now{};
playground_client_cache::clock::time_point manual_clock() { return manual_now; }

std::optional<std::string> found_id(boost::asio::io_context& io, playground_client_store& s) {
  auto r = run(io, s.find_id());
  REQUIRE(r.has_value());
  return *r;
}

} // namespace

TEST_CASE("playground_redirect_uri: the issuer without trailing slashes, then /playground/callback") {
  CHECK(playground_redirect_uri("http://localhost:8081") == "http://localhost:8081/playground/callback");
  CHECK(playground_redirect_uri("https://auth.example/") == "https://auth.example/playground/callback");
  CHECK(playground_redirect_uri("https://auth.example//") == "https://auth.example/playground/callback");
}

TEST_CASE("playground client cache: a found id for the TTL, an absent one and failures never") {
  boost::asio::io_context io;
  fake_playground_clients backing;
  manual_now = playground_client_cache::clock::time_point{} + std::chrono::hours(1);
  playground_client_cache cache(backing, std::chrono::seconds(30), &manual_clock);

  // Absent: asked again every time, so the page shows the client right after `authctl install`.
  CHECK(found_id(io, cache) == std::nullopt);
  CHECK(found_id(io, cache) == std::nullopt);
  CHECK(backing.asked == 2);
  backing.answer = std::optional<std::string>{"11111111-1111-4111-8111-111111111111"};
  CHECK(found_id(io, cache) == "11111111-1111-4111-8111-111111111111");
  CHECK(backing.asked == 3);

  // Found: reused within the TTL.
  backing.answer = std::optional<std::string>{"22222222-2222-4222-8222-222222222222"};
  manual_now += std::chrono::milliseconds(29'999);
  CHECK(found_id(io, cache) == "11111111-1111-4111-8111-111111111111");
  CHECK(backing.asked == 3);
  manual_now += std::chrono::milliseconds(2);
  CHECK(found_id(io, cache) == "22222222-2222-4222-8222-222222222222");
  CHECK(backing.asked == 4);

  // A failure is reported, not cached, and does not erase what the next answer says.
  manual_now += std::chrono::seconds(31);
  backing.answer = unavailable;
  CHECK_FALSE(run(io, cache.find_id()).has_value());
  CHECK_FALSE(run(io, cache.find_id()).has_value());
  CHECK(backing.asked == 6);
  backing.answer = std::optional<std::string>{};
  CHECK(found_id(io, cache) == std::nullopt);
  CHECK(backing.asked == 7);
}

TEST_CASE("playground client cache: a revoked (cut off) client is looked up again at once") {
  using namespace oauth::revocation;
  boost::asio::io_context io;
  fake_playground_clients backing;
  backing.answer = std::optional<std::string>{"33333333-3333-4333-8333-333333333333"};
  revocation_set cut_offs;
  playground_client_cache cache(backing, std::chrono::hours(1));
  cache.watch(&cut_offs);
  CHECK(found_id(io, cache) == "33333333-3333-4333-8333-333333333333");
  CHECK(found_id(io, cache) == "33333333-3333-4333-8333-333333333333");
  CHECK(backing.asked == 1);
  REQUIRE(cut_offs.add(cutoff_member(cutoff::kind::client, 1000, "33333333-3333-4333-8333-333333333333"), 5000));
  backing.answer = std::optional<std::string>{};
  CHECK(found_id(io, cache) == std::nullopt);
  CHECK(backing.asked == 2);
}
