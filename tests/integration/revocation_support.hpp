#pragma once
// The auth service AND resource services in-process against the real PostgreSQL and Redis of
// scripts/services.sh: the resource services fetch the auth service's own JWKS, so tokens go
// end to end (issue → use → revoke → refused). Builds on auth_token_support.hpp.
#include "auth-service/credentials/password_hasher.hpp"
#include "auth-service/storage/client_admin.hpp"
#include "common/jwt/sign.hpp"
#include "common/revocation/live_list.hpp"
#include "common/time.hpp"
#include "resource-service/app.hpp"
#include "tests/integration/auth_token_support.hpp"
#include "tests/support/tokens.hpp"
#include "tests/support/env.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <vector>

namespace oauth::test::revoke {

using namespace oauth::test::auth_server;
using oauth::test::database_url;
using oauth::test::eventually;
using oauth::test::redis_url;
using oauth::test::run;
using oauth::test::services;
using verb = boost::beast::http::verb;
using field = boost::beast::http::field;
using namespace std::chrono_literals;

// The resource service in-process, trusting the auth service's JWKS.
struct resource_server {
  service_threads threads{2};
  std::unique_ptr<oauth::resource::app> app;

  explicit resource_server(std::uint16_t auth_port) {
    std::map<std::string, std::string> vars{
        {"DATABASE_URL", database_url()},
        {"REDIS_URL", redis_url()},
        {"THREADS", "2"},
        {"AUTH_ISSUER", issuer},
        {"AUTH_JWKS_URL", "http://127.0.0.1:" + std::to_string(auth_port) + "/.well-known/jwks.json"},
        {"PG_QUERY_TIMEOUT_MS", "2000"},
    };
    auto config = oauth::resource::load_resource_config(oauth::test::env_of(vars));
    config.service.listen = listen_address{"127.0.0.1", 0};
    oauth::resource::app_tuning t;
    t.jwks_retry_min = 50ms;
    t.jwks_retry_max = 200ms;
    t.access_log = false;
    t.migrate_wait = 10s;
    app = std::make_unique<oauth::resource::app>(threads.main(), config, t);
    app->migrate();
    app->start();
    threads.run(app->server());
  }
  ~resource_server() {
    app->stop();
    threads.stop();
    app.reset();
  }
  std::uint16_t port() { return app->server().port(); }
  // Keys fetched and the revocation list loaded.
  void wait_ready() {
    auto until = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < until && !(app->keys().loaded() && app->revocations().synced()))
      std::this_thread::sleep_for(20ms);
    REQUIRE_MESSAGE(app->keys().loaded(), "the resource service did not load the JWKS");
    REQUIRE_MESSAGE(app->revocations().synced(), "the resource service's revocation list did not sync");
  }
};

// GET /api/posts with a bearer token → the status.
inline reply api(std::uint16_t port, const std::string& token) {
  return request(port, verb::get, "/api/posts?limit=1", {}, "application/json", "Bearer " + token);
}

// Polls until the resource service refuses the token; returns how long it took.
// Milliseconds from `since` (the revocation) until `port` refuses `token`, polling; a value
// above `deadline` when it never did.
inline std::chrono::milliseconds time_until_refused(std::uint16_t port, const std::string& token,
                                                    std::chrono::steady_clock::time_point since,
                                                    std::chrono::milliseconds deadline = 3s) {
  using clock = std::chrono::steady_clock;
  while (api(port, token).status != 401) {
    if (clock::now() - since > deadline) return deadline + 1ms;
    std::this_thread::sleep_for(10ms);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - since);
}
inline std::chrono::milliseconds time_until_refused(std::uint16_t port, const std::string& token) {
  return time_until_refused(port, token, std::chrono::steady_clock::now());
}

// The same for several replicas at once, each polled on its own thread, all timed from the
// same `since`: a slow first replica cannot lend the second its waiting time.
inline std::vector<std::chrono::milliseconds> times_until_refused(const std::vector<std::uint16_t>& ports,
                                                                  const std::string& token,
                                                                  std::chrono::steady_clock::time_point since) {
  std::vector<std::future<std::chrono::milliseconds>> polls;
  for (auto port : ports)
    polls.push_back(std::async(std::launch::async, [port, &token, since] { return time_until_refused(port, token, since); }));
  std::vector<std::chrono::milliseconds> out;
  for (auto& p : polls) out.push_back(p.get());
  return out;
}

inline void check_refused_as_revoked(std::uint16_t port, const std::string& token) {
  auto r = api(port, token);
  CAPTURE(r.raw.body());
  CHECK(r.status == 401);
  CHECK(r.error() == "invalid_token");
  CHECK(r.header(field::www_authenticate).find("token revoked") != std::string::npos);
}

inline std::string form_revoke(const std::string& token, const std::string& hint = {}) {
  std::string f = "token=" + url_encode(token);
  if (!hint.empty()) f += "&token_type_hint=" + hint;
  return f;
}
inline reply revoke(std::uint16_t port, const std::string& form, const std::string& authorization) {
  return request(port, verb::post, "/oauth/revoke", form, "application/x-www-form-urlencoded", authorization);
}
inline reply introspect(std::uint16_t port, const std::string& form, const std::string& authorization) {
  return request(port, verb::post, "/oauth/introspect", form, "application/x-www-form-urlencoded", authorization);
}

// A user's tokens from the password grant.
struct user_tokens {
  std::string access;
  std::string refresh;
};
inline user_tokens login(std::uint16_t port, const admin::made_client& web, const std::string& email,
                         const std::string& scope = "read-posts write-posts") {
  auto r = token(port, password_form(email, test_password, scope), basic(web.id, web.secret));
  REQUIRE_MESSAGE(r.status == 200, r.raw.body());
  return {r.str("access_token"), r.str("refresh_token")};
}
inline std::string client_token(std::uint16_t port, const admin::made_client& c, const std::string& scope = "read-posts") {
  auto r = token(port, "grant_type=client_credentials&scope=" + url_encode(scope), basic(c.id, c.secret));
  REQUIRE_MESSAGE(r.status == 200, r.raw.body());
  return r.str("access_token");
}

// The personal access client (`authctl install`), created when missing.
inline std::string personal_access_client(admin& a) {
  auto made = run(a.io, oauth::auth::ensure_install_clients(a.db));
  REQUIRE_MESSAGE(made.has_value(), made.error().message);
  return made->personal_access_client.record.id;
}

// A token signed by the auth service's current key with arbitrary claims (expired ones...).
inline std::string mint(server& s, std::int64_t exp_offset, const std::string& client_id, const std::string& sub) {
  return oauth::test::mint_access_token(s.app->keys().signing_key(),
                                        {.issuer = issuer, .sub = sub, .client_id = client_id, .exp_offset = exp_offset});
}

} // namespace oauth::test::revoke
