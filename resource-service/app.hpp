#pragma once
// The resource service assembled: PostgreSQL pool and migrations, Redis (readiness), the live
// revocation list (common/revocation: subscribed, loaded whole after every (re)subscription;
// /readyz's "redis" check is down until it is in sync), the key source, the router and the HTTP server. main.cpp runs it until a
// signal; the integration tests run it in-process.
#include "common/http/server.hpp"
#include "common/revocation/live_list.hpp"
#include "resource-service/config.hpp"
#include "resource-service/key_source.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace oauth::pg {
class pool;
}
namespace oauth::redis {
class client;
}

namespace oauth::resource {

namespace asio = boost::asio;

// Knobs the environment does not set (tests shorten them).
struct app_tuning {
  refresh_bounds jwks_refresh;
  std::chrono::milliseconds unknown_kid_interval{10'000};
  std::chrono::milliseconds jwks_retry_min{250};
  std::chrono::milliseconds jwks_retry_max{30'000};
  bool access_log = true;
  // How long start-up waits for PostgreSQL to apply the migrations.
  std::chrono::seconds migrate_wait{60};
  // How long new connections wait in the backlog for the keys and the revocation list to load
  // (http::server::hold_accept_until); past it the service fails closed (503) until they do.
  std::chrono::milliseconds ready_wait{3000};
};

class app {
public:
  app(boost::asio::io_context& io, resource_config config, app_tuning tuning = {});
  ~app();
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  // Applies the migrations (component "resource") under pg::migrate's advisory lock, retrying
  // while PostgreSQL is unreachable for up to migrate_wait. Runs the io_context itself, so call
  // it before any thread runs it. Throws std::runtime_error when it cannot.
  void migrate();
  // Starts the key source and Redis in the background, binds and starts accepting.
  void start();
  // Stops the background work (key refresh, Redis); the server is drained by the runtime.
  void stop();

  http::server& server() { return *server_; }
  key_source& keys() { return *keys_; }
  revocation::live_list& revocations() { return *revoked_; }
  const resource_config& config() const { return config_; }

private:
  boost::asio::io_context& io_;
  resource_config config_;
  app_tuning tuning_;
  std::unique_ptr<pg::pool> db_;
  std::unique_ptr<redis::client> redis_;
  std::shared_ptr<key_source> keys_;
  std::shared_ptr<revocation::live_list> revoked_;
  std::unique_ptr<http::server> server_;
};

} // namespace oauth::resource
