#pragma once
// The auth service in-process for the integration tests: real PostgreSQL and Redis
// (scripts/services.sh), a temporary AUTH_KEYS_DIR, clients and users created through the
// storage engineer's admin functions, a small blocking HTTP client, and the checks and forms
// that the auth, first-party, revocation and personal-access-token tests share.
#include "auth-service/config/auth_config.hpp"
#include "auth-service/keys/key_manager.hpp"
#include "auth-service/oauth/client_cache.hpp"
#include "auth-service/routes/auth_app.hpp"
#include "auth-service/storage/client_admin.hpp"
#include "auth-service/storage/migrations.hpp"
#include "auth-service/storage/user_admin.hpp"
#include "auth-service/credentials/password_hasher.hpp"
#include "common/encoding.hpp"
#include "common/jwt/key_set.hpp"
#include "common/jwt/verify.hpp"
#include "common/jwt/key_store.hpp"
#include "common/pg/migrate.hpp"
#include "common/pg/pool.hpp"
#include "common/random.hpp"
#include "common/redis/client.hpp"
#include "tests/support/http_exchange.hpp"
#include "tests/support/run.hpp"
#include "tests/support/service_threads.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/env.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace oauth::test::auth_server {

namespace fs = std::filesystem;
namespace http_ = boost::beast::http;
using namespace std::chrono_literals;

inline const std::string issuer = "http://auth.integration.test";

// The password of every test user, and its Argon2id hash (computed once: it is slow on purpose).
inline const std::string test_password = "correct horse battery";
inline const std::string& test_password_hash() {
  static const std::string h = oauth::auth::hash_password_now(test_password);
  return h;
}

struct temp_keys_dir {
  fs::path path;
  temp_keys_dir() {
    path = fs::temp_directory_path() / ("auth-it-keys-" + std::to_string(::getpid()) + "-" + random_uuid());
    fs::create_directories(path);
    fs::permissions(path, fs::perms::owner_all);
  }
  ~temp_keys_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Admin work (schema, clients, users) on its own io_context and pool.
struct admin {
  boost::asio::io_context io;
  pg::pool db{io.get_executor(), [] {
                pg::pool_options o;
                o.conninfo = database_url();
                o.size = 2;
                return o;
              }()};

  admin() {
    auto applied = run(io, pg::migrate(db, oauth::auth::migration_component, oauth::auth::migrations()));
    REQUIRE_MESSAGE(applied.has_value(), "migrations failed: " << applied.error().message);
  }

  struct made_client {
    std::string id;
    std::string secret;
  };
  made_client client(std::vector<std::string> grants, std::optional<std::vector<std::string>> scopes = std::nullopt,
                     bool confidential = true) {
    oauth::auth::new_client spec;
    spec.name = "it-" + random_uuid().substr(0, 8);
    spec.grants = std::move(grants);
    spec.scopes = std::move(scopes);
    spec.confidential = confidential;
    auto made = run(io, oauth::auth::create_client(db, spec));
    REQUIRE_MESSAGE(made.has_value(), made.error().message);
    return {made->record.id, made->secret};
  }
  // A --first-party client: its users' tokens may create personal access tokens.
  made_client first_party_client(std::vector<std::string> grants, bool confidential = true) {
    oauth::auth::new_client spec;
    spec.grants = std::move(grants);
    spec.confidential = confidential;
    spec.first_party = true;
    return create(std::move(spec));
  }
  // Any registration (redirect URIs, first-party...).
  made_client create(oauth::auth::new_client spec) {
    if (spec.name.empty()) spec.name = "it-" + random_uuid().substr(0, 8);
    auto made = run(io, oauth::auth::create_client(db, spec));
    REQUIRE_MESSAGE(made.has_value(), made.error().message);
    return {made->record.id, made->secret};
  }
  bool revoke(const std::string& id) {
    auto r = run(io, oauth::auth::revoke_client(db, id));
    return r.has_value() && *r == oauth::auth::revoke_outcome::revoked;
  }
  // Returns the user's e-mail (unique per call).
  std::string user(const std::string& password_hash, std::vector<std::string> scopes = {"read-posts", "write-posts"}) {
    oauth::auth::new_user spec;
    spec.email = "it-" + random_uuid() + "@example.com";
    spec.name = "Integration";
    spec.password_hash = password_hash;
    spec.scopes = std::move(scopes);
    auto made = run(io, oauth::auth::create_user(db, spec));
    REQUIRE_MESSAGE(made.has_value(), made.error().message);
    return spec.email;
  }
  std::string password_hash_of(const std::string& email) {
    auto rows = run(io, db.query("select password_hash from users where lower(email) = lower($1)", pg::args(email)));
    REQUIRE(rows.has_value());
    return std::string(rows->get(0, 0).value());
  }
};

// The service on 127.0.0.1:<ephemeral>, two I/O threads with an io_context each, as in
// production (connections spread over them, a Redis connection per thread).
struct server {
  temp_keys_dir keys_dir;
  service_threads threads{2};
  std::unique_ptr<oauth::auth::auth_app> app;
  oauth::auth::auth_config config;  // as the app was given it (authctl runs in-process with it)

  // client_cache_ttl: 300 ms keeps most tests independent of the cache; the production
  // default (5 s) for those proving a revocation does not wait for it.
  // wait: until Redis is connected and the revocation list has loaded (false: a test that starts
  // the service while Redis is down).
  explicit server(std::map<std::string, std::string> env = {}, jwt::algorithm alg = jwt::algorithm::rs256,
                  std::chrono::milliseconds client_cache_ttl = std::chrono::milliseconds(300), bool wait = true) {
    auto made = jwt::key_store::create(keys_dir.path, alg);
    REQUIRE(made.has_value());
    env.try_emplace("DATABASE_URL", database_url());
    env.try_emplace("REDIS_URL", redis_url());
    env.try_emplace("LISTEN_ADDR", "127.0.0.1:1");  // port replaced by an ephemeral one below
    env.try_emplace("THREADS", "2");
    env.try_emplace("AUTH_ISSUER", issuer);
    env.try_emplace("AUTH_KEYS_DIR", keys_dir.path.string());
    env.try_emplace("JWT_ALG", std::string(jwt::name(alg)));
    env.try_emplace("PASSWORD_HASH_THREADS", "2");
    // Every test logs in from 127.0.0.1: the per-IP limit would couple the tests.
    env.try_emplace("THROTTLE_IP_FAILURES", "1000000");
    config = oauth::auth::load_auth_config(oauth::test::env_of(env));
    config.service.listen.port = 0;
    oauth::auth::app_tuning tuning;
    tuning.access_log = false;
    tuning.client_cache_ttl = client_cache_ttl;
    app = std::make_unique<oauth::auth::auth_app>(threads.contexts(), config, tuning);
    REQUIRE(app->redis().lanes() == 2);
    app->start();
    threads.run(app->server());
    try {
      if (wait) wait_for_redis();
    } catch (...) {
      // ~server will not run: stop the threads before the members (app first) go.
      app->stop();
      threads.stop();
      throw;
    }
  }
  ~server() {
    app->stop();
    threads.stop();
    app.reset();
  }
  std::uint16_t port() const { return app->server().port(); }
  void wait_for_redis() {
    for (int i = 0; i < 1000 && !(app->redis().connected() && app->revocations_loaded()); ++i)
      std::this_thread::sleep_for(10ms);
    REQUIRE_MESSAGE(app->redis().connected(), "the auth service did not connect to Redis");
    REQUIRE_MESSAGE(app->revocations_loaded(), "the auth service did not load its revocation list");
  }
};

struct reply {
  unsigned status = 0;
  http_::response<http_::string_body> raw;
  boost::json::value json;
  std::string header(http_::field f) const { return std::string(raw[f]); }
  std::string error() const {
    return json.is_object() && json.as_object().contains("error") ? std::string(json.at("error").as_string()) : "";
  }
  std::string str(std::string_view member) const {
    return json.is_object() && json.as_object().contains(member) ? std::string(json.at(member).as_string()) : "";
  }
};

// The response as a reply (its JSON body parsed when it has one).
inline reply as_reply(http_::response<http_::string_body> res) {
  reply out;
  out.raw = std::move(res);
  out.status = out.raw.result_int();
  boost::system::error_code ec;
  if (out.raw[http_::field::content_type].starts_with("application/json")) out.json = boost::json::parse(out.raw.body(), ec);
  return out;
}

inline reply request(std::uint16_t port, http_::verb method, std::string target, std::string body = {},
                     std::string content_type = "application/x-www-form-urlencoded", std::string authorization = {}) {
  http_::request<http_::string_body> req{method, target, 11};
  req.set(http_::field::host, "127.0.0.1");
  req.set(http_::field::connection, "close");
  if (!body.empty() || method == http_::verb::post) {
    req.set(http_::field::content_type, content_type);
    req.body() = std::move(body);
  }
  if (!authorization.empty()) req.set(http_::field::authorization, authorization);
  return as_reply(http_exchange(port, std::move(req)));
}

inline std::string basic(const std::string& id, const std::string& secret) {
  return "Basic " + base64_encode(url_encode(id) + ":" + url_encode(secret));
}

inline reply token(std::uint16_t port, const std::string& form, const std::string& authorization = {}) {
  return request(port, http_::verb::post, "/oauth/token", form, "application/x-www-form-urlencoded", authorization);
}

inline std::string password_form(const std::string& email, const std::string& password, const std::string& scope = "") {
  std::string f = "grant_type=password&username=" + url_encode(email) + "&password=" + url_encode(password);
  if (!scope.empty()) f += "&scope=" + url_encode(scope);
  return f;
}

// RFC 6749 §5.1: token responses and errors are never cached.
inline void check_no_store(const reply& r) {
  CHECK(r.header(http_::field::cache_control) == "no-store");
  CHECK(r.header(http_::field::pragma) == "no-cache");
}

// An RFC 6749 §5.2 error: status, code, a description, not cached.
inline void check_error(const reply& r, unsigned status, const std::string& code) {
  CAPTURE(r.raw.body());
  CHECK(r.status == status);
  CHECK(r.error() == code);
  CHECK(r.json.as_object().contains("error_description"));
  check_no_store(r);
}

inline jwt::key_set published_keys(std::uint16_t port) {
  auto r = request(port, http_::verb::get, "/.well-known/jwks.json");
  REQUIRE(r.status == 200);
  auto ks = jwt::key_set::from_jwks(r.raw.body());
  REQUIRE(ks.has_value());
  return *ks;
}

// An access token checked as the resource service checks it, against the published JWKS.
inline jwt::verified_token verify(std::uint16_t port, const std::string& token,
                                  std::vector<jwt::algorithm> algs = {jwt::algorithm::rs256}) {
  auto v = jwt::verify(token, published_keys(port),
                       {.issuer = issuer, .audience = "posts-api", .allowed_algorithms = std::move(algs)});
  REQUIRE_MESSAGE(v.has_value(), v.error().message());
  return *v;
}

} // namespace oauth::test::auth_server
