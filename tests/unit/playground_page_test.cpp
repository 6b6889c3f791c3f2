// The playground page's "Authorization code + PKCE" panel, without sockets or databases: the
// cache in front of the playground client lookup, and what the page (and its callback) carry
// for a client that exists, is missing, or could not be looked up.
#include "auth-service/config/auth_config.hpp"
#include "auth-service/oauth/playground_client_cache.hpp"
#include "auth-service/routes/web_routes.hpp"
#include "common/revocation/protocol.hpp"
#include "common/revocation/revocation_set.hpp"
#include "tests/support/run.hpp"

#include <doctest/doctest.h>

#include <boost/system/errc.hpp>

#include <regex>
#include <string>

using namespace oauth::auth;
namespace http = oauth::http;
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

// GET `target` through the routes add_web_routes registers.
http::response get(http::router& r, boost::asio::io_context& io, std::string target) {
  auto q = target.find('?');
  std::string path = target.substr(0, q);
  std::string query = q == std::string::npos ? std::string() : target.substr(q + 1);
  auto m = r.match(http::verb::get, path);
  REQUIRE_MESSAGE(m.found != nullptr, target);
  http::request req{http::verb::get, target, 11};
  http::request_context ctx{req, path, query, m.params, {}, {}, {}};
  return run(io, m.found->handle(ctx));
}

std::string meta_of(const std::string& html) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex(R"re(<meta name="playground-client"[^>]*>)re"))) return "";
  return m[0];
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

TEST_CASE("playground page: the client's id and state, the issuer and the redirect URI, escaped") {
  boost::asio::io_context io;
  fake_playground_clients clients;
  http::router r;
  add_web_routes(r, web_options{"http://api.example:8082", "http://auth.example:8081/"}, clients);

  clients.answer = std::optional<std::string>{};
  auto missing = get(r, io, "/playground");
  CHECK(missing.result_int() == 200);
  CHECK(meta_of(missing.body()) == R"(<meta name="playground-client" content="" data-state="missing">)");
  CHECK(missing.body().find(R"(<meta name="issuer" content="http://auth.example:8081/">)") != std::string::npos);
  CHECK(missing.body().find(R"(<meta name="playground-redirect-uri" content="http://auth.example:8081/playground/callback">)") !=
        std::string::npos);
  CHECK(missing.body().find("{{") == std::string::npos);

  clients.answer = std::optional<std::string>{"44444444-4444-4444-8444-444444444444"};
  auto ready = get(r, io, "/playground");
  CHECK(meta_of(ready.body()) ==
        R"(<meta name="playground-client" content="44444444-4444-4444-8444-444444444444" data-state="ready">)");
  // Whatever the store says is text in an attribute, never markup.
  clients.answer = std::optional<std::string>{R"(x"><script>alert(1)</script>)"};
  CHECK(meta_of(get(r, io, "/playground").body()) ==
        R"(<meta name="playground-client" content="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" data-state="ready">)");

  // PostgreSQL down: the page is still served (the password panel needs no client).
  clients.answer = unavailable;
  auto down = get(r, io, "/playground");
  CHECK(down.result_int() == 200);
  CHECK(meta_of(down.body()) == R"(<meta name="playground-client" content="" data-state="unavailable">)");
}

TEST_CASE("playground callback: the same page with the same headers, whatever the query") {
  boost::asio::io_context io;
  fake_playground_clients clients;
  clients.answer = std::optional<std::string>{"55555555-5555-4555-8555-555555555555"};
  http::router r;
  add_web_routes(r, web_options{"/", "http://127.0.0.1:8081"}, clients);
  auto page = get(r, io, "/playground");
  auto callback = get(r, io, "/playground/callback?code=abc&state=xyz&iss=http%3A%2F%2F127.0.0.1%3A8081");
  CHECK(callback.result_int() == 200);
  CHECK(callback.body() == page.body());
  for (std::string_view h : {"Content-Type", "Content-Security-Policy", "X-Frame-Options", "Cache-Control",
                             "X-Content-Type-Options", "Referrer-Policy"}) {
    CAPTURE(h);
    CHECK(!callback[h].empty());
    CHECK(callback[h] == page[h]);
  }
  CHECK(callback["Content-Security-Policy"] == playground_csp(""));
  CHECK(callback.body().find("code=abc") == std::string::npos);
}
