#pragma once
// The HTTP/1.1 server: listener → session (limits, timeouts, keep-alive) → router.
// Every limit is deliberate (common/config.hpp, http_limits):
//   header bigger than max_header_bytes        → 431, connection closed
//   chunk extensions (all of a body's together) or trailers bigger than max_header_bytes
//                                              → 431, connection closed
//   body bigger than the route's limit         → 413, connection closed
//   header not complete within header_timeout  → connection closed (slow-header defence)
//   body not complete within body_timeout      → connection closed
//   malformed request or chunk                 → 400, connection closed
//   handler not done within handler_timeout    → 503 temporarily_unavailable with Retry-After
//   idle keep-alive longer than idle_timeout   → connection closed
//   more than max_connections open             → 503 with Retry-After, connection closed
#include "common/config.hpp"
#include "common/http/deadline_sweeper.hpp"
#include "common/http/forwarded.hpp"
#include "common/http/router.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace oauth::http {

struct server_options {
  listen_address listen;
  http_limits limits;
  bool access_log = true;
  std::string server_name = "oauth";
};

class server {
public:
  server(asio::io_context& io, server_options options, std::shared_ptr<const router> routes);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and starts accepting; throws (start-up error) when the address cannot be bound.
  void start();
  // Call before start(): the listener is bound at once (port() is known), but connections wait
  // in its backlog, neither refused nor answered, until `ready` is true or `at_most` has
  // passed. A replica that (re)starts behind a gateway then takes no request it would have
  // to answer 503 (revocation list or keys not loaded yet). `ready` runs on the acceptor's
  // strand and must be cheap.
  void hold_accept_until(std::function<bool()> ready, std::chrono::milliseconds at_most) {
    hold_ready_ = std::move(ready);
    hold_at_most_ = at_most;
  }
  // The port actually bound (useful with port 0 in tests).
  std::uint16_t port() const { return port_; }

  // Graceful shutdown: stop accepting, close idle keep-alive connections, let requests in
  // flight finish (their responses carry Connection: close). `done` runs once every
  // connection is gone or `drain` has passed (then the remaining ones are closed).
  void shutdown(std::chrono::milliseconds drain, std::function<void()> done);

  std::size_t active_connections() const { return active_.load(); }

  // Spreads new connections round-robin over `contexts`, each of which must be run by exactly
  // one thread: a session then needs no strand and its completions never wake another thread
  // (measured: ~6 µs less CPU per request than one io_context shared by two threads). Call
  // before the contexts run. Without it, sessions run on strands of the constructor's context.
  void spread_sessions(std::vector<asio::io_context*> contexts) { session_contexts_ = std::move(contexts); }

private:
  class session;
  struct incoming;

  asio::awaitable<void> accept_loop();
  // Both on the acceptor's strand.
  asio::any_io_executor next_session_executor();
  void take_backlog();
  // The drain's end of accepting: no connection the kernel established is reset by the close.
  asio::awaitable<void> close_listener();
  void start_session(asio::ip::tcp::socket socket);
  asio::awaitable<void> run_session(asio::ip::tcp::socket socket);
  asio::awaitable<response> dispatch(session& s, incoming& in);
  asio::awaitable<response> call_handler(session& s, const route& r, incoming& in);
  void log_access(const incoming& in, unsigned status_code, double seconds, std::size_t bytes) const;
  asio::awaitable<void> refuse(asio::ip::tcp::socket socket);
  void check_drained();
  void close_idle_sessions();
  asio::awaitable<void> close_idle_until_drained();

  asio::io_context& io_;
  server_options options_;
  std::shared_ptr<const router> router_;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  trusted_proxies proxies_;
  std::uint16_t port_ = 0;
  std::vector<asio::io_context*> session_contexts_;
  std::size_t next_context_ = 0;  // round robin over session_contexts_ (acceptor strand only)
  std::function<bool()> hold_ready_;
  std::chrono::milliseconds hold_at_most_{0};
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> listener_closed_{false};  // draining, and the listen backlog has been taken

  deadline_sweeper sweeper_;
  std::mutex drain_mutex_;
  std::function<void()> on_drained_;
  std::unique_ptr<asio::steady_timer> drain_timer_;
  // While draining: closes the connections that went idle since the last look (see shutdown).
  std::unique_ptr<asio::steady_timer> idle_closer_;
};

} // namespace oauth::http
