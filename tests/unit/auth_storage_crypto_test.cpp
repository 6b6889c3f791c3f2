// Pure parts of the auth storage: token hashing, the grace seal, the throttle decision and
// the PostgreSQL helpers.
#include "auth-service/storage/pg_support.hpp"
#include "auth-service/storage/random_token_format.hpp"
#include "auth-service/storage/redis_session_store.hpp"
#include "auth-service/storage/redis_throttle_store.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/random.hpp"

#include <doctest/doctest.h>

using namespace oauth::auth;
using namespace std::chrono_literals;

TEST_CASE("refresh_token_hash is hex SHA-256") {
  CHECK(refresh_token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(refresh_token_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("a sealed successor opens only with the presented token and never shows the plaintext") {
  const std::string presented = oauth::random_token();
  const std::string successor = oauth::random_token();
  const std::string sealed = seal_successor(presented, successor);
  CHECK(sealed.find(successor) == std::string::npos);
  CHECK(sealed.find(presented) == std::string::npos);
  CHECK(sealed.find(refresh_token_hash(presented)) == std::string::npos);
  CHECK(open_successor(presented, sealed) == successor);
  CHECK_FALSE(open_successor(oauth::random_token(), sealed).has_value());
  // A fresh nonce every time.
  CHECK(seal_successor(presented, successor) != sealed);

  SUBCASE("tampering is detected") {
    std::string altered = sealed;
    altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
    CHECK_FALSE(open_successor(presented, altered).has_value());
    CHECK_FALSE(open_successor(presented, sealed.substr(0, 20)).has_value());
    CHECK_FALSE(open_successor(presented, "not base64url!").has_value());
    CHECK_FALSE(open_successor(presented, "").has_value());
  }
}

TEST_CASE("a session's CSRF token: derived from its id, unguessable without it, never the id") {
  const std::string id = oauth::random_token();
  const std::string csrf = session_csrf_token(id);
  CHECK(csrf.size() == 43);
  CHECK(is_random_token(csrf));
  CHECK(csrf == session_csrf_token(id));
  CHECK(csrf != id);
  CHECK(csrf != session_csrf_token(oauth::random_token()));
  CHECK(csrf.find(refresh_token_hash(id)) == std::string::npos);
  // HMAC-SHA-256(key = "k", "oauth2 session csrf v1"), base64url.
  CHECK(session_csrf_token("k") == "B1u40k4O9tlQuFB0Zgy7Cf3_tJxKXsZWxEZGyidyFGg");
}

TEST_CASE("only the shape of random_token() is a well-formed session id or code") {
  for (int i = 0; i < 100; ++i) CHECK(is_random_token(oauth::random_token()));
  const std::string good = oauth::random_token();
  CHECK_FALSE(is_random_token(""));
  CHECK_FALSE(is_random_token(good.substr(0, 42)));
  CHECK_FALSE(is_random_token(good + "A"));
  CHECK_FALSE(is_random_token(good.substr(0, 42) + "="));
  CHECK_FALSE(is_random_token(good.substr(0, 42) + "/"));
  CHECK_FALSE(is_random_token(good.substr(0, 42) + std::string(1, '\0')));
  CHECK_FALSE(is_random_token(good.substr(0, 42) + "B"));  // non-zero trailing bits
  CHECK(is_random_token(good.substr(0, 42) + "A"));
}

TEST_CASE("throttle decision: the limit-th failure throttles the next attempt") {
  throttle_limits limits;  // 5 per user, 50 per IP, 60 s
  CHECK_FALSE(throttle_decision(0, -2, 0, -2, limits).throttled);
  CHECK_FALSE(throttle_decision(4, 59'000, 4, 59'000, limits).throttled);
  auto s = throttle_decision(5, 42'100, 5, 42'100, limits);
  CHECK(s.throttled);
  CHECK(s.retry_after == 43s);  // rounded up
  s = throttle_decision(0, -2, 50, 1, limits);
  CHECK(s.throttled);
  CHECK(s.retry_after == 1s);
  // The longer of two exceeded windows wins; a counter without expiry counts a whole window.
  CHECK(throttle_decision(6, 10'000, 60, 30'000, limits).retry_after == 30s);
  CHECK(throttle_decision(5, -1, 0, -2, limits).retry_after == 60s);
  CHECK(throttle_decision(5, 600'000, 0, -2, limits).retry_after == 60s);
}

TEST_CASE("pg helpers: UUID syntax and JSON arrays") {
  CHECK(pg_support::is_uuid("0b6e3f0e-9c1a-4c55-8f9e-1d2c3b4a5f60"));
  CHECK(pg_support::is_uuid("0B6E3F0E-9C1A-4C55-8F9E-1D2C3B4A5F60"));
  CHECK_FALSE(pg_support::is_uuid(""));
  CHECK_FALSE(pg_support::is_uuid("123"));
  CHECK_FALSE(pg_support::is_uuid("0b6e3f0e9c1a4c558f9e1d2c3b4a5f60"));
  CHECK_FALSE(pg_support::is_uuid("0b6e3f0e-9c1a-4c55-8f9e-1d2c3b4a5f6g"));
  CHECK_FALSE(pg_support::is_uuid("{0b6e3f0e-9c1a-4c55-8f9e-1d2c3b4a5f6}"));

  std::vector<std::string> v{"read-posts", "with \"quote\",comma", "{brace}"};
  CHECK(pg_support::from_json_array(pg_support::to_json_array(v)) == v);
  CHECK(pg_support::to_json_array({}) == "[]");
  CHECK_FALSE(pg_support::from_json_array(std::nullopt).has_value());
  CHECK_FALSE(pg_support::from_json_array(std::string_view("{")).has_value());
  CHECK_FALSE(pg_support::from_json_array(std::string_view("[1]")).has_value());
}
