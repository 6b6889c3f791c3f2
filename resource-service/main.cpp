// resource-service: the posts API (../shared/CONTRACT.md, "Resource service endpoints").
#include "common/http/runtime.hpp"
#include "common/log.hpp"
#include "resource-service/app.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <exception>

int main() {
  using namespace oauth;
  resource::resource_config config;
  try {
    config = resource::load_resource_config(env_reader());
    auto level = log::parse_level(config.service.log_level);
    if (!level) throw config_error("LOG_LEVEL: expected debug, info, warn or error (got '" + config.service.log_level + "')");
    log::set_level(*level);
  } catch (const config_error& e) {
    std::fprintf(stderr, "resource-service: %s\n", e.what());
    return 2;
  }
  log::set_service("resource-service");
  try {
    http::io_contexts contexts(config.service.threads);  // main() is run by this thread
    resource::app service(contexts.main(), config);
    service.migrate();
    service.start();
    return http::run_until_signalled(contexts, service.server(), config.service.shutdown_drain,
                                     {.on_reload = nullptr, .on_stop = [&service] { service.stop(); }});
  } catch (const std::exception& e) {
    log::error("start-up failed", {{"error", e.what()}});
    std::fprintf(stderr, "resource-service: %s\n", e.what());
    return 1;
  }
}
