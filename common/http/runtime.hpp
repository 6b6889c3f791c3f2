#pragma once
// Runs a service on THREADS threads until SIGTERM or SIGINT, then drains the HTTP server
// (bounded by SHUTDOWN_DRAIN_SECONDS) and returns 0. `io` (the shared clients' context) runs
// on the calling thread; each further thread runs a context of its own that serves a share of
// the connections, so `io` must be constructed for one thread.
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
