#pragma once
// Runs a service until SIGTERM or SIGINT, then drains the HTTP server (bounded by
// SHUTDOWN_DRAIN_SECONDS) and returns 0. The connections are spread over `threads` contexts
// of their own, one thread each; `io` (the shared clients' context: PostgreSQL, Redis,
// timers) runs on the calling thread, so it must be constructed for one thread.
#include "common/http/server.hpp"

#include <chrono>
#include <functional>

namespace oauth::http {

struct runtime_hooks {
  std::function<void()> on_reload;  // SIGHUP (the auth service reloads its keys)
  std::function<void()> on_stop;    // after the drain, before the io_context stops
};

int run_until_signalled(asio::io_context& io, server& srv, int threads, std::chrono::seconds drain,
                        runtime_hooks hooks = {});

} // namespace oauth::http
