#include "common/http/runtime.hpp"

#include "common/http/stop_signals.hpp"
#include "common/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <algorithm>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

namespace oauth::http {
namespace {

struct signal_loop : std::enable_shared_from_this<signal_loop> {
  signal_loop(asio::io_context& io, server& srv, std::chrono::seconds drain, runtime_hooks hooks)
      : io(io), srv(srv), drain(drain), hooks(std::move(hooks)), signals(io) {}

  void wait() {
    signals.async_wait([self = shared_from_this()](int signo) { self->handle(signo); });
  }

  void handle(int signo) {
    if (signo == SIGHUP) {
      log::info("SIGHUP received: reloading");
      if (hooks.on_reload) hooks.on_reload();
      wait();
      return;
    }
    // The first stop signal: a second one never comes here (stop_signals ends the process).
    log::info("stop signal received: draining", {{"signal", signo},
                                                  {"connections", srv.active_connections()},
                                                  {"drain_seconds", drain.count()}});
    auto self = shared_from_this();
    srv.shutdown(drain, [self] {
      asio::post(self->io, [self] {
        log::info("drained: stopping");
        if (self->hooks.on_stop) self->hooks.on_stop();
        self->io.stop();
      });
    });
  }

  asio::io_context& io;
  server& srv;
  std::chrono::seconds drain;
  runtime_hooks hooks;
  stop_signals signals;
};

} // namespace

// An io_context whose pending handlers can be destroyed before the context is.
class io_contexts::context : public asio::io_context {
public:
  context() : asio::io_context(1) {}
  // The destructor shuts down again: that destroys whatever was posted after this (coroutine
  // frames that a destroyed handler re-posts).
  void destroy_pending_handlers() { shutdown(); }
};

io_contexts::io_contexts(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    owned_.push_back(std::make_unique<context>());
    all_.push_back(owned_.back().get());
  }
}

io_contexts::~io_contexts() {
  for (auto& c : owned_) c->destroy_pending_handlers();
  // owned_ then destroys the contexts (their services) with nothing left pending.
}

std::vector<asio::any_io_executor> io_contexts::executors() const {
  std::vector<asio::any_io_executor> out;
  for (auto* c : all_) out.emplace_back(c->get_executor());
  return out;
}

int run_until_signalled(io_contexts& contexts, server& srv, std::chrono::seconds drain, runtime_hooks hooks) {
  asio::io_context& io = contexts.main();
  auto loop = std::make_shared<signal_loop>(io, srv, drain, std::move(hooks));
  loop->wait();
  // One io_context per thread: `io` (shared clients: PostgreSQL, timers, and its share of the
  // connections) on this thread, and one more context per extra thread that runs connections
  // (and the lanes of clients that have one per context). Cross-context calls (a handler
  // awaiting the PostgreSQL pool) go through the clients' own strands, as they would with one
  // shared context.
  srv.spread_sessions(contexts.all());
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> workers;
  for (std::size_t i = 1; i < contexts.all().size(); ++i) {
    auto* ctx = contexts.all()[i];
    guards.push_back(asio::make_work_guard(*ctx));
    workers.emplace_back([ctx] { ctx->run(); });
  }
  io.run();
  for (std::size_t i = 1; i < contexts.all().size(); ++i) contexts.all()[i]->stop();
  for (auto& t : workers) t.join();
  return 0;
}

} // namespace oauth::http
