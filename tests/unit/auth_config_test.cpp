#include "auth-service/config/auth_config.hpp"
#include "tests/support/env.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace oauth;

namespace {
using oauth::test::env_of;
} // namespace

TEST_CASE("auth defaults follow the contract") {
  auto c = auth::load_auth_config(env_of({}));
  CHECK(c.service.listen.port == 8081);
  CHECK(c.keys_dir == "./var/keys");
  CHECK(c.jwt_alg == jwt::algorithm::rs256);
  CHECK(c.access_token_ttl.count() == 7200);
  CHECK(c.refresh_token_ttl.count() == 2592000);
  CHECK(c.personal_access_token_ttl.count() == 31536000);
  CHECK(c.refresh_reuse_grace.count() == 0);
  CHECK(c.password_hash_queue == 256);
}

TEST_CASE("auth settings and their errors") {
  auto c = auth::load_auth_config(env_of({{"JWT_ALG", "ES256"}, {"REFRESH_REUSE_GRACE", "5"}}));
  CHECK(c.jwt_alg == jwt::algorithm::es256);
  CHECK(c.refresh_reuse_grace.count() == 5);
  CHECK(auth::load_auth_config(env_of({{"JWT_ALG", "EdDSA"}})).jwt_alg == jwt::algorithm::eddsa);
  auto message = [](std::map<std::string, std::string> vars) {
    try {
      auth::load_auth_config(env_of(std::move(vars)));
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message({{"JWT_ALG", "HS256"}}).starts_with("JWT_ALG:"));
  CHECK(message({{"JWT_ALG", "none"}}).starts_with("JWT_ALG:"));
  CHECK(message({{"ACCESS_TOKEN_TTL", "two hours"}}).starts_with("ACCESS_TOKEN_TTL:"));
  CHECK(message({{"REFRESH_REUSE_GRACE", "-3"}}).starts_with("REFRESH_REUSE_GRACE:"));
  CHECK(auth::load_auth_config(env_of({{"PASSWORD_HASH_QUEUE", "3"}})).password_hash_queue == 3);
  for (std::string bad : {"many", "0", "-1", "12x", "1000001"}) {
    CAPTURE(bad);
    auto m = message({{"PASSWORD_HASH_QUEUE", bad}});
    CHECK(m.starts_with("PASSWORD_HASH_QUEUE:"));
    CHECK(m.find('\n') == std::string::npos);
  }
}
