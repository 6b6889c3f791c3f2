// auth-service: the OAuth2 authorization server (../shared/CONTRACT.md, "Auth service endpoints").
#include "auth-service/config/auth_config.hpp"
#include "auth-service/keys/key_manager.hpp"
#include "auth-service/routes/auth_app.hpp"
#include "common/http/runtime.hpp"
#include "common/log.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <exception>

int main() {
  using namespace oauth;
  auth::auth_config config;
  try {
    config = auth::load_auth_config(env_reader());
    auto level = log::parse_level(config.service.log_level);
    if (!level) throw config_error("LOG_LEVEL: expected debug, info, warn or error (got '" + config.service.log_level + "')");
    log::set_level(*level);
  } catch (const config_error& e) {
    std::fprintf(stderr, "auth-service: %s\n", e.what());
    return 2;
  }
  log::set_service("auth-service");
  try {
    http::io_contexts contexts(config.service.threads);  // main() is run by this thread
    auth::auth_app service(contexts, config);
    service.start();
    return http::run_until_signalled(contexts, service.server(), config.service.shutdown_drain,
                                     {.on_reload = [&service] { service.reload_keys(); },
                                      .on_stop = [&service] { service.stop(); }});
  } catch (const auth::key_manager_error& e) {
    // Missing keys: one line telling the operator what to run.
    std::fprintf(stderr, "auth-service: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    log::error("start-up failed", {{"error", e.what()}});
    std::fprintf(stderr, "auth-service: %s\n", e.what());
    return 1;
  }
}
