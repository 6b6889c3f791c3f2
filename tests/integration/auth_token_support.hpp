#pragma once
// The auth service in-process for the integration tests: real PostgreSQL and Redis
// (scripts/services.sh), a temporary AUTH_KEYS_DIR, clients and users created through the
// storage engineer's admin functions, and a small blocking HTTP client.
#include "auth-service/config/auth_config.hpp"
#include "auth-service/keys/key_manager.hpp"
#include "auth-service/oauth/client_cache.hpp"
#include "auth-service/routes/auth_app.hpp"
#include "auth-service/storage/client_admin.hpp"
#include "auth-service/storage/migrations.hpp"
#include "auth-service/storage/user_admin.hpp"
#include "auth-service/credentials/password_hasher.hpp"
#include "common/encoding.hpp"
#include "common/jwt/key_store.hpp"
#include "common/pg/migrate.hpp"
#include "common/pg/pool.hpp"
#include "common/random.hpp"
#include "common/redis/client.hpp"
#include "tests/support/run.hpp"
#include "tests/support/test_env.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <sys/socket.h>
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

// The service on 127.0.0.1:<ephemeral>, two I/O threads.
struct server {
  temp_keys_dir keys_dir;
  boost::asio::io_context io{2};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  std::unique_ptr<oauth::auth::auth_app> app;
  std::vector<std::thread> threads;

  explicit server(std::map<std::string, std::string> env = {}, jwt::algorithm alg = jwt::algorithm::rs256) {
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
    env_reader reader([env](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(std::string(name));
      if (it == env.end()) return std::nullopt;
      return it->second;
    });
    auto config = oauth::auth::load_auth_config(reader);
    config.service.listen.port = 0;
    oauth::auth::app_tuning tuning;
    tuning.access_log = false;
    tuning.client_cache_ttl = 300ms;
    app = std::make_unique<oauth::auth::auth_app>(io, config, tuning);
    app->start();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
    wait_for_redis();
  }
  ~server() {
    app->stop();
    guard.reset();
    io.stop();
    for (auto& t : threads) t.join();
    app.reset();
  }
  std::uint16_t port() const { return app->server().port(); }
  void wait_for_redis() {
    for (int i = 0; i < 200 && !app->redis().connected(); ++i) std::this_thread::sleep_for(10ms);
    REQUIRE_MESSAGE(app->redis().connected(), "the auth service did not connect to Redis");
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

inline reply request(std::uint16_t port, http_::verb method, std::string target, std::string body = {},
                     std::string content_type = "application/x-www-form-urlencoded", std::string authorization = {}) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  timeval tv{15, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  http_::request<http_::string_body> req{method, target, 11};
  req.set(http_::field::host, "127.0.0.1");
  req.set(http_::field::connection, "close");
  if (!body.empty() || method == http_::verb::post) {
    req.set(http_::field::content_type, content_type);
    req.body() = std::move(body);
  }
  if (!authorization.empty()) req.set(http_::field::authorization, authorization);
  req.prepare_payload();
  http_::write(socket, req);
  boost::beast::flat_buffer buffer;
  reply out;
  http_::read(socket, buffer, out.raw);
  out.status = out.raw.result_int();
  boost::system::error_code ec;
  if (out.raw[http_::field::content_type].starts_with("application/json")) out.json = boost::json::parse(out.raw.body(), ec);
  return out;
}

inline std::string basic(const std::string& id, const std::string& secret) {
  return "Basic " + base64_encode(url_encode(id) + ":" + url_encode(secret));
}

inline reply token(std::uint16_t port, const std::string& form, const std::string& authorization = {}) {
  return request(port, http_::verb::post, "/oauth/token", form, "application/x-www-form-urlencoded", authorization);
}

} // namespace oauth::test::auth_server
