#pragma once
// A service's io_contexts run on threads of their own, as http::run_until_signalled runs them
// in production (one io_context per thread, connections spread over them, clients with a
// connection per context), for the in-process integration tests.
//
//   service_threads threads(2);
//   app = std::make_unique<X>(threads.contexts(), config);   // or threads.main()
//   app->start();
//   threads.run(app->server());
//   ...
//   app->stop(); threads.stop(); app.reset();
#include "common/http/runtime.hpp"
#include "common/http/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>
#include <vector>

namespace oauth::test {

class service_threads {
public:
  explicit service_threads(int threads = 2) : contexts_(threads) {}
  ~service_threads() { stop(); }
  service_threads(const service_threads&) = delete;
  service_threads& operator=(const service_threads&) = delete;

  boost::asio::io_context& main() { return contexts_.main(); }
  http::io_contexts& contexts() { return contexts_; }

  // Spreads srv's connections over the contexts and runs each on a thread until stop().
  // Once: a second call would put two threads on a context, which the Redis lanes rule out.
  void run(http::server& srv) {
    if (!threads_.empty()) return;
    srv.spread_sessions(contexts_.all());
    for (auto* ctx : contexts_.all()) {
      guards_.push_back(boost::asio::make_work_guard(*ctx));
      threads_.emplace_back([ctx] { ctx->run(); });
    }
  }

  // Idempotent. Handlers still queued are destroyed with the contexts, after the service.
  void stop() {
    guards_.clear();
    for (auto* ctx : contexts_.all()) ctx->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

private:
  http::io_contexts contexts_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
};

} // namespace oauth::test
