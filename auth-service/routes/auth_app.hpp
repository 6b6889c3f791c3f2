#pragma once
// The auth service assembled: configuration → PostgreSQL pool and Redis client → stores
// (PostgreSQL clients/users, Redis refresh tokens/throttle) → client cache → password hasher
// → key manager → token issuer → grants → token endpoint → router → HTTP server.
// main.cpp runs it until a signal; the integration tests run it in-process.
//
// The service does NOT migrate the schema: `authctl migrate` / `authctl install` do, once, by
// an operator's decision (as `php artisan migrate`); a service replica that altered the
// schema on start would make rolling upgrades order-dependent.
#include "auth-service/config/auth_config.hpp"
#include "common/http/server.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace oauth::http {
class io_contexts;
}
namespace oauth::pg {
class pool;
}
namespace oauth::redis {
class client;
}

namespace oauth::auth {

class key_manager;
class client_cache;
class password_hasher;

// Knobs the environment does not set (tests shorten them).
struct app_tuning {
  bool access_log = true;
  // How long a client record, and the user record a refresh re-reads, are reused from memory:
  // the bound on how late a secret change or `authctl user update --scopes` takes effect on a
  // running service (client revocations and user deletions do not wait for it: cutoffs).
  std::chrono::milliseconds client_cache_ttl{5000};
  // How long new connections wait in the backlog for the revocation list to load
  // (http::server::hold_accept_until); past it bearer routes fail closed (503) until it does.
  std::chrono::milliseconds ready_wait{3000};
};

class auth_app {
public:
  // Loads the signing keys at once: throws key_manager_error (one line for the operator) when
  // AUTH_KEYS_DIR has no usable key.
  auth_app(boost::asio::io_context& io, auth_config config, app_tuning tuning = {});
  // As above, with one Redis connection per context (the token and revocation endpoints'
  // Redis calls then stay on the thread that serves the request).
  auth_app(http::io_contexts& contexts, auth_config config, app_tuning tuning = {});
  ~auth_app();
  auth_app(const auth_app&) = delete;
  auth_app& operator=(const auth_app&) = delete;

  // Starts Redis, the key reload timer, binds and accepts.
  void start();
  // Stops the background work (key reloads, Redis); the server is drained by the runtime.
  void stop();
  // SIGHUP: reload the keys off the I/O threads.
  void reload_keys();

  http::server& server();
  key_manager& keys();
  client_cache& clients();
  pg::pool& db();
  redis::client& redis();
  password_hasher& hasher();
  // The revocation list has loaded once (bearer routes and introspection answer 503 until then).
  bool revocations_loaded() const;
  const auth_config& config() const { return config_; }

  struct parts;

private:
  // redis_lanes: one single-thread io_context each, or empty for one client on `io`.
  auth_app(boost::asio::io_context& io, std::vector<boost::asio::any_io_executor> redis_lanes, auth_config config,
           app_tuning tuning);

  boost::asio::io_context& io_;
  auth_config config_;
  app_tuning tuning_;
  std::unique_ptr<parts> parts_;
};

} // namespace oauth::auth
