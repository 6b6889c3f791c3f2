#pragma once
// Internal: the life cycle of one hiredis connection, shared by client and subscriber.
// Resolve → connect → handshake (AUTH, SELECT, INFO server and replication, PING) → ready →
// ... → lost → backoff → connect ... until stop(). Everything below runs on strand(); only start(), stop() and ready() may be
// called from other threads.
#include "common/redis/client_options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>

struct redisAsyncContext;
struct redisReply;

namespace oauth::redis::detail {

class connection : public std::enable_shared_from_this<connection> {
public:
  // With opts.identify_server, the handshake also reads who the server is (server_id()).
  connection(boost::asio::any_io_executor ex, client_options opts, std::string role);
  virtual ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void start();  // idempotent; no effect after stop()
  void stop();   // idempotent; the executor runs out of work once teardown completes

  bool ready() const { return ready_.load(std::memory_order_acquire); }
  std::uint64_t connects() const { return connects_.load(std::memory_order_relaxed); }
  const client_options& options() const { return opts_; }
  const boost::asio::strand<boost::asio::any_io_executor>& strand() const { return strand_; }

protected:
  // Strand only. The context after the handshake succeeded, else null.
  redisAsyncContext* context() const { return ready_.load(std::memory_order_relaxed) ? ac_ : nullptr; }
  bool stopping() const { return stopping_; }
  std::uint64_t generation() const { return generation_; }
  // Strand only, while context() is not null, with identify_server: "<run_id>-<master_replid>"
  // of the server this connection talks to. The run_id is drawn at every start of a Redis
  // process, the replication id at every promotion of a replica to master: together they
  // name one process in one term as master. (A TCP connection never outlives its process;
  // Sentinel closes clients' connections when it changes a server's role.)
  const std::string& server_id() const { return server_id_; }
  // Frees the context (pending callbacks run with a null reply) and schedules a reconnect.
  // Never call it from inside a hiredis callback: use teardown_later().
  void teardown(std::string_view reason);
  void teardown_later(std::string reason);
  std::shared_ptr<connection> self() { return shared_from_this(); }

  // Hooks, on the strand.
  virtual void on_ready() {}
  virtual void on_lost() {}

private:
  void connect();
  void connect_to(const std::string& address);
  void schedule_reconnect();
  void lost(std::string_view reason);
  void begin_handshake();
  void handshake_done();
  void fail_handshake(const char* step, std::string error);

  static void on_connect_cb(const redisAsyncContext* ac, int status);
  static void on_disconnect_cb(const redisAsyncContext* ac, int status);
  static void handshake_cb(redisAsyncContext* ac, void* r, void* privdata);

  client_options opts_;
  std::string role_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::ip::tcp::resolver resolver_;
  std::minstd_rand jitter_;

  // strand only
  redisAsyncContext* ac_ = nullptr;
  std::uint64_t generation_ = 0;
  unsigned attempt_ = 0;
  unsigned failures_logged_ = 0;
  int handshake_pending_ = 0;
  bool handshake_failed_ = false;
  std::string server_id_;
  std::string handshake_run_id_, handshake_replid_;
  bool started_ = false;
  bool stopping_ = false;
  bool ever_connected_ = false;

  std::atomic<bool> ready_{false};
  std::atomic<std::uint64_t> connects_{0};
};

} // namespace oauth::redis::detail
