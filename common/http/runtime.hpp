#pragma once
// Runs a service on THREADS threads until SIGTERM or SIGINT, then drains the HTTP server
// (bounded by SHUTDOWN_DRAIN_SECONDS) and returns 0. contexts.main() (the shared clients'
// context) runs on the calling thread; each further thread runs a context of its own, and
// the server's connections are spread over all of them. A second stop signal ends the
// process at once with status 0 (common/http/stop_signals.hpp).
#include "common/http/server.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace oauth::http {

// The io_contexts of a service, one per thread: main() (run by the thread that calls
// run_until_signalled; it also holds the shared clients) and THREADS-1 more, created before
// the service so that its clients can open a connection per context (redis::client lanes).
// Operations pending on one context may hold objects of another (an accept on main() holds
// the socket it creates on its session's context), so the destructor destroys every
// context's pending handlers first and only then the contexts themselves.
class io_contexts {
public:
  explicit io_contexts(int threads);
  ~io_contexts();
  io_contexts(const io_contexts&) = delete;
  io_contexts& operator=(const io_contexts&) = delete;

  asio::io_context& main() { return *all_.front(); }
  // main first.
  const std::vector<asio::io_context*>& all() const { return all_; }
  std::vector<asio::any_io_executor> executors() const;

private:
  class context;
  std::vector<std::unique_ptr<context>> owned_;
  std::vector<asio::io_context*> all_;
};

struct runtime_hooks {
  std::function<void()> on_reload;  // SIGHUP (the auth service reloads its keys)
  std::function<void()> on_stop;    // after the drain, before the io_context stops
};

int run_until_signalled(io_contexts& contexts, server& srv, std::chrono::seconds drain, runtime_hooks hooks = {});

} // namespace oauth::http
