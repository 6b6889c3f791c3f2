// Each grant's rules, through the token endpoint's dispatch, over fake stores (no sockets).
#include "auth-service/credentials/client_secret.hpp"
#include "auth-service/credentials/password_hasher.hpp"
#include "auth-service/oauth/client_credentials_grant.hpp"
#include "auth-service/oauth/password_grant.hpp"
#include "auth-service/oauth/refresh_token_grant.hpp"
#include "auth-service/oauth/token_endpoint.hpp"
#include "common/encoding.hpp"
#include "common/jwt/verify.hpp"
#include "common/time.hpp"
#include "tests/support/held_worker.hpp"
#include "tests/support/run.hpp"
#include "tests/unit/auth_oauth_fakes.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

using namespace oauth;
using namespace oauth::auth;
using namespace std::chrono_literals;

namespace {

const std::string laravel_hash = "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi";  // "password"

const std::string& alice_hash() {
  static const std::string h = hash_password_now("alice-pw");
  return h;
}

struct fixture {
  boost::asio::io_context io;
  test::fake_clients clients;
  test::fake_users users;
  test::fake_throttle throttle;
  test::fake_refresh refresh;
  password_hasher hasher{1, 1};  // one worker, one check may wait
  token_issuer issuer = test::make_test_issuer();
  password_login login{{users, throttle, hasher}};
  password_grant password{{login, refresh, issuer, 30 * 24h}};
  client_credentials_grant credentials{issuer};
  refresh_token_grant refreshing{{refresh, issuer, 30 * 24h, 0s}};
  token_endpoint endpoint{clients, {&password, &credentials, &refreshing}};

  fixture() {
    clients.clients["m2m"] = test::make_client("m2m", hash_client_secret("m2m-secret"), {"client_credentials"});
    clients.clients["m2m-read"] =
        test::make_client("m2m-read", hash_client_secret("s"), {"client_credentials"}, std::vector<std::string>{"read-posts"});
    clients.clients["web"] = test::make_client("web", hash_client_secret("web-secret"), {"password", "refresh_token"});
    clients.clients["web"].password_client = true;
    clients.clients["pw-only"] = test::make_client("pw-only", hash_client_secret("s"), {"password"});
    clients.clients["spa"] = test::make_client("spa", "", {"password", "refresh_token", "client_credentials"});
    users.by_email["alice@example.com"] =
        test::make_user("u-alice", "alice@example.com", alice_hash(), {"read-posts", "write-posts"});
    users.by_email["taylor@laravel.com"] = test::make_user("u-taylor", "taylor@laravel.com", laravel_hash, {"admin"});
    refresh.record = refresh_grant_record{"fam-1", "web", "u-alice", {"read-posts", "write-posts"}, unix_now() + 1000};
  }

  grant_result post(std::string body, std::string authorization = "",
                    std::string content_type = "application/x-www-form-urlencoded") {
    token_request_input in{content_type, authorization, body, "198.51.100.7", unix_now()};
    return test::run(io, endpoint.process(in));
  }
};

std::string basic(std::string_view id, std::string_view secret) {
  return "Basic " + base64_encode(url_encode(id) + ":" + url_encode(secret));
}

token_response success(const grant_result& r) {
  REQUIRE_MESSAGE(std::holds_alternative<token_response>(r), std::get<token_error>(r).description);
  return std::get<token_response>(r);
}

oauth_errc failure(const grant_result& r) {
  REQUIRE_MESSAGE(std::holds_alternative<token_error>(r), "expected an error, got a token");
  return std::get<token_error>(r).code;
}

jwt::verified_token decode(const std::string& token) {
  jwt::key_set ks;
  ks.add(test::test_signing_key().public_key());
  auto v = jwt::verify(token, ks, {.issuer = test::test_issuer, .audience = test::test_audience});
  REQUIRE_MESSAGE(v.has_value(), v.error().message());
  return *v;
}

} // namespace

TEST_CASE("endpoint: grant_type missing → invalid_request - unknown → unsupported_grant_type") {
  fixture f;
  CHECK(failure(f.post("", basic("m2m", "m2m-secret"))) == oauth_errc::invalid_request);
  CHECK(failure(f.post("grant_type=authorization_code", basic("m2m", "m2m-secret"))) == oauth_errc::unsupported_grant_type);
  CHECK(failure(f.post("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer")) == oauth_errc::unsupported_grant_type);
  CHECK(f.clients.finds == 0);  // junk costs no store lookup
}

TEST_CASE("endpoint: repeated parameters and malformed bodies → invalid_request (RFC 6749 §3.1)") {
  fixture f;
  CHECK(failure(f.post("grant_type=client_credentials&scope=read-posts&scope=admin", basic("m2m", "m2m-secret"))) ==
        oauth_errc::invalid_request);
  CHECK(failure(f.post("grant_type=client_credentials&grant_type=password", basic("m2m", "m2m-secret"))) ==
        oauth_errc::invalid_request);
  CHECK(failure(f.post("grant_type=%zz", basic("m2m", "m2m-secret"))) == oauth_errc::invalid_request);
  CHECK(failure(f.post("{nope", basic("m2m", "m2m-secret"), "application/json")) == oauth_errc::invalid_request);
  CHECK(failure(f.post("grant_type=client_credentials", basic("m2m", "m2m-secret"), "text/plain")) ==
        oauth_errc::invalid_request);
}

TEST_CASE("endpoint: JSON bodies are accepted") {
  fixture f;
  auto t = success(f.post(R"({"grant_type":"client_credentials","scope":["read-posts","write-posts"]})",
                           basic("m2m", "m2m-secret"), "application/json"));
  CHECK(t.scopes == std::vector<std::string>{"read-posts", "write-posts"});
}

TEST_CASE("endpoint: unauthorized_client when the registration lacks the grant or the client is public") {
  fixture f;
  CHECK(failure(f.post("grant_type=password&username=alice@example.com&password=alice-pw", basic("m2m", "m2m-secret"))) ==
        oauth_errc::unauthorized_client);
  CHECK(failure(f.post("grant_type=client_credentials", basic("web", "web-secret"))) == oauth_errc::unauthorized_client);
  CHECK(failure(f.post("grant_type=refresh_token&refresh_token=x", basic("m2m", "m2m-secret"))) ==
        oauth_errc::unauthorized_client);
  // RFC 6749 §4.4: a public client never gets client credentials, even if registered for it.
  CHECK(failure(f.post("grant_type=client_credentials&client_id=spa")) == oauth_errc::unauthorized_client);
  CHECK(failure(f.post("grant_type=client_credentials", basic("m2m", "bad"))) == oauth_errc::invalid_client);
  CHECK(failure(f.post("grant_type=client_credentials")) == oauth_errc::invalid_client);
}

TEST_CASE("client credentials: sub is the client, no refresh token, scopes checked") {
  fixture f;
  auto t = success(f.post("grant_type=client_credentials&scope=read-posts", basic("m2m", "m2m-secret")));
  CHECK_FALSE(t.refresh_token);
  CHECK(t.expires_in == 7200);
  auto v = decode(t.access_token);
  CHECK(v.sub() == "m2m");
  CHECK(v.client_id() == "m2m");
  CHECK(v.scope() == "read-posts");
  CHECK(success(f.post("grant_type=client_credentials", basic("m2m", "m2m-secret"))).scopes.empty());
  CHECK(failure(f.post("grant_type=client_credentials&scope=*", basic("m2m", "m2m-secret"))) == oauth_errc::invalid_scope);
  CHECK(failure(f.post("grant_type=client_credentials&scope=unknown", basic("m2m", "m2m-secret"))) == oauth_errc::invalid_scope);
  CHECK(failure(f.post("grant_type=client_credentials&scope=write-posts", basic("m2m-read", "s"))) ==
        oauth_errc::invalid_scope);
  CHECK(success(f.post("grant_type=client_credentials&scope=read-posts&client_id=m2m-read&client_secret=s")).scopes ==
        std::vector<std::string>{"read-posts"});
  CHECK(f.refresh.issued.empty());
  f.clients.down = true;
  CHECK(failure(f.post("grant_type=client_credentials", basic("m2m", "m2m-secret"))) == oauth_errc::temporarily_unavailable);
}

TEST_CASE("password: success issues an access token and a new refresh family") {
  fixture f;
  auto t = success(f.post("grant_type=password&username=alice%40example.com&password=alice-pw&scope=read-posts",
                           basic("web", "web-secret")));
  REQUIRE(t.refresh_token);
  CHECK(t.refresh_token->size() == 43);  // 256 bits, base64url
  CHECK(t.scopes == std::vector<std::string>{"read-posts"});
  REQUIRE(f.refresh.issued.size() == 1);
  const auto& issued = f.refresh.issued[0];
  CHECK(issued.token == *t.refresh_token);
  CHECK(issued.record.client_id == "web");
  CHECK(issued.record.user_id == "u-alice");
  CHECK(issued.record.scopes == t.scopes);
  CHECK(issued.record.expires_at > unix_now() + 29 * 24 * 3600);
  auto v = decode(t.access_token);
  CHECK(v.sub() == "u-alice");
  CHECK(v.client_id() == "web");
  CHECK(issued.jti == v.jti());
  CHECK(issued.exp == v.exp());
  CHECK(f.throttle.successes == 1);
  CHECK(f.throttle.last_ip == "198.51.100.7");
  CHECK(f.throttle.last_user == "alice@example.com");
  // A client registered for `password` only still gets its refresh token.
  CHECK(success(f.post("grant_type=password&username=alice@example.com&password=alice-pw", basic("pw-only", "s")))
            .refresh_token);
  // A public client may use the password grant.
  CHECK(success(f.post("grant_type=password&username=alice@example.com&password=alice-pw&client_id=spa")).refresh_token);
}

TEST_CASE("password: missing parameters → invalid_request") {
  fixture f;
  CHECK(failure(f.post("grant_type=password&password=x", basic("web", "web-secret"))) == oauth_errc::invalid_request);
  CHECK(failure(f.post("grant_type=password&username=alice@example.com", basic("web", "web-secret"))) ==
        oauth_errc::invalid_request);
  CHECK(f.throttle.reservations == 0);
}

TEST_CASE("password: wrong password and unknown user take the same path → invalid_grant, attempt counted") {
  fixture f;
  CHECK(failure(f.post("grant_type=password&username=alice@example.com&password=nope", basic("web", "web-secret"))) ==
        oauth_errc::invalid_grant);
  CHECK(failure(f.post("grant_type=password&username=ghost@example.com&password=nope", basic("web", "web-secret"))) ==
        oauth_errc::invalid_grant);
  // Each was reserved before its password was checked; a failure stays counted.
  CHECK(f.throttle.reservations == 2);
  CHECK(f.throttle.successes == 0);
  CHECK(f.throttle.cancels == 0);
  CHECK(f.refresh.issued.empty());
}

TEST_CASE("password: throttled → 429 with Retry-After even with the right password") {
  fixture f;
  f.throttle.state = throttle_state{true, 37s};
  auto r = f.post("grant_type=password&username=alice@example.com&password=alice-pw", basic("web", "web-secret"));
  REQUIRE(failure(r) == oauth_errc::too_many_requests);
  CHECK(std::get<token_error>(r).retry_after == 37s);
  CHECK(to_response(std::get<token_error>(r))[http::field::retry_after] == "37");
  CHECK(f.throttle.successes == 0);
  CHECK(f.refresh.issued.empty());
}

TEST_CASE("password: PASSWORD_HASH_QUEUE checks already waiting → 503 + Retry-After at once, attempt given back") {
  fixture f;
  test::held_worker hold(f.hasher.executor());
  std::optional<password_check> queued;
  bool queued_done = false;
  boost::asio::co_spawn(f.io, f.hasher.verify("alice-pw", alice_hash()),
                        [&](std::exception_ptr, std::optional<password_check> r) {
                          queued = r;
                          queued_done = true;
                        });
  f.io.poll();
  REQUIRE(f.hasher.waiting() == 1);

  auto r = f.post("grant_type=password&username=alice@example.com&password=alice-pw", basic("web", "web-secret"));
  REQUIRE(failure(r) == oauth_errc::temporarily_unavailable);
  CHECK(std::get<token_error>(r).retry_after == 1s);
  auto res = to_response(std::get<token_error>(r));
  CHECK(res.result_int() == 503);
  CHECK(res[http::field::retry_after] == "1");
  // Nothing was evaluated: the reservation is given back, nothing issued.
  CHECK(f.throttle.reservations == 1);
  CHECK(f.throttle.cancels == 1);
  CHECK(f.throttle.successes == 0);
  CHECK(f.refresh.issued.empty());

  hold.release();
  f.io.restart();
  for (int i = 0; i < 1200 && !queued_done; ++i) f.io.run_one_for(50ms);
  REQUIRE(queued_done);
  CHECK((queued && queued->ok));
  // With the queue free again the same login succeeds.
  success(f.post("grant_type=password&username=alice@example.com&password=alice-pw", basic("web", "web-secret")));
}

TEST_CASE("password: a Laravel bcrypt hash logs in and is rehashed to Argon2id") {
  fixture f;
  auto t = success(f.post("grant_type=password&username=taylor@laravel.com&password=password&scope=admin",
                           basic("web", "web-secret")));
  CHECK(t.scopes == std::vector<std::string>{"admin"});
  REQUIRE(f.users.updates.size() == 1);
  CHECK(f.users.updates[0].first == "u-taylor");
  CHECK(f.users.updates[0].second.starts_with("$argon2id$"));
  CHECK(verify_password_now("password", f.users.updates[0].second).ok);
  // The next login verifies the new hash and rehashes nothing.
  success(f.post("grant_type=password&username=taylor@laravel.com&password=password", basic("web", "web-secret")));
  CHECK(f.users.updates.size() == 1);
}

TEST_CASE("password: a failed rehash save does not fail the login") {
  fixture f;
  f.users.update_down = true;
  success(f.post("grant_type=password&username=taylor@laravel.com&password=password", basic("web", "web-secret")));
  CHECK(f.users.updates.empty());
}

TEST_CASE("password: scopes: * expands to user ∩ client - the user's allowance is enforced") {
  fixture f;
  auto t = success(f.post("grant_type=password&username=alice@example.com&password=alice-pw&scope=*",
                           basic("web", "web-secret")));
  CHECK(t.scopes == std::vector<std::string>{"read-posts", "write-posts"});
  CHECK(decode(t.access_token).scope() == "read-posts write-posts");
  auto admin = success(f.post("grant_type=password&username=taylor@laravel.com&password=password&scope=*",
                               basic("web", "web-secret")));
  CHECK(admin.scopes == std::vector<std::string>{"read-posts", "write-posts", "admin"});
  CHECK(failure(f.post("grant_type=password&username=alice@example.com&password=alice-pw&scope=admin",
                       basic("web", "web-secret"))) == oauth_errc::invalid_scope);
  CHECK(failure(f.post("grant_type=password&username=alice@example.com&password=alice-pw&scope=bogus",
                       basic("web", "web-secret"))) == oauth_errc::invalid_scope);
  // An undefined scope is refused before any store is touched.
  CHECK(f.throttle.reservations == 3);
}

TEST_CASE("password: any store failure → 503 temporarily_unavailable") {
  std::string body = "grant_type=password&username=alice@example.com&password=alice-pw";
  {
    fixture f;
    f.throttle.down = true;
    CHECK(failure(f.post(body, basic("web", "web-secret"))) == oauth_errc::temporarily_unavailable);
  }
  {
    fixture f;
    f.users.down = true;
    CHECK(failure(f.post(body, basic("web", "web-secret"))) == oauth_errc::temporarily_unavailable);
  }
  {
    fixture f;
    f.refresh.down = true;
    CHECK(failure(f.post(body, basic("web", "web-secret"))) == oauth_errc::temporarily_unavailable);
  }
}

TEST_CASE("refresh: rotation returns the successor and an access token for the original user") {
  fixture f;
  auto t = success(f.post("grant_type=refresh_token&refresh_token=old-token", basic("web", "web-secret")));
  REQUIRE(f.refresh.rotations.size() == 1);
  const auto& rq = f.refresh.rotations[0];
  CHECK(rq.presented_token == "old-token");
  CHECK(rq.client_id == "web");
  CHECK(rq.grace == 0s);
  CHECK(rq.ttl == 30 * 24h);
  CHECK(rq.successor_token.size() == 43);
  CHECK(rq.successor_token != "old-token");
  REQUIRE(t.refresh_token);
  CHECK(*t.refresh_token == rq.successor_token);
  CHECK(t.scopes == std::vector<std::string>{"read-posts", "write-posts"});
  auto v = decode(t.access_token);
  CHECK(v.sub() == "u-alice");
  CHECK(v.client_id() == "web");
  CHECK(v.jti() == rq.access_token_jti);
  CHECK(v.exp() == rq.access_token_exp);
}

TEST_CASE("refresh: grace replay returns the first successor with a fresh access token") {
  fixture f;
  f.refresh.outcome = rotation_outcome::grace_replay;
  auto t = success(f.post("grant_type=refresh_token&refresh_token=old-token", basic("web", "web-secret")));
  CHECK(*t.refresh_token == "the-first-successor");
  CHECK(decode(t.access_token).sub() == "u-alice");
}

TEST_CASE("refresh: reused, invalid and foreign tokens → invalid_grant") {
  for (auto outcome : {rotation_outcome::reused, rotation_outcome::invalid, rotation_outcome::wrong_client}) {
    fixture f;
    f.refresh.outcome = outcome;
    CHECK(failure(f.post("grant_type=refresh_token&refresh_token=t", basic("web", "web-secret"))) ==
          oauth_errc::invalid_grant);
  }
}

TEST_CASE("refresh: scope may only narrow - the stored grant keeps its scopes") {
  fixture f;
  auto t = success(f.post("grant_type=refresh_token&refresh_token=t&scope=read-posts", basic("web", "web-secret")));
  CHECK(t.scopes == std::vector<std::string>{"read-posts"});
  CHECK(decode(t.access_token).scope() == "read-posts");
  CHECK(failure(f.post("grant_type=refresh_token&refresh_token=t&scope=admin", basic("web", "web-secret"))) ==
        oauth_errc::invalid_scope);
  auto rotations = f.refresh.rotations.size();
  // Malformed, undefined or * are refused before the token is spent.
  CHECK(failure(f.post("grant_type=refresh_token&refresh_token=t&scope=*", basic("web", "web-secret"))) ==
        oauth_errc::invalid_scope);
  CHECK(failure(f.post("grant_type=refresh_token&refresh_token=t&scope=zzz", basic("web", "web-secret"))) ==
        oauth_errc::invalid_scope);
  CHECK(f.refresh.rotations.size() == rotations);
}

TEST_CASE("refresh: missing token → invalid_request - store down → 503 - public client allowed") {
  fixture f;
  CHECK(failure(f.post("grant_type=refresh_token", basic("web", "web-secret"))) == oauth_errc::invalid_request);
  CHECK(success(f.post("grant_type=refresh_token&refresh_token=t&client_id=spa")).refresh_token);
  CHECK(success(f.post("grant_type=refresh_token&refresh_token=t", basic("pw-only", "s"))).refresh_token);
  f.refresh.down = true;
  CHECK(failure(f.post("grant_type=refresh_token&refresh_token=t", basic("web", "web-secret"))) ==
        oauth_errc::temporarily_unavailable);
}
