#pragma once
// Internal to the pool: its shared state. Every member but the counters is used
// on strand_ only; leases and in-flight acquires keep it alive, so a lease may
// outlive its pool.
#include "common/pg/lease.hpp"
#include "common/pg/pool_options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

namespace oauth::pg::detail {

class pool_state : public std::enable_shared_from_this<pool_state> {
public:
  pool_state(boost::asio::any_io_executor ex, pool_options options);

  // Runs on strand_.
  boost::asio::awaitable<result<lease>> acquire(std::shared_ptr<pool_state> self);
  // Any thread: hands the connection back (through strand_).
  void release(std::shared_ptr<connection> conn) noexcept;

  const pool_options& options() const noexcept { return options_; }
  boost::asio::strand<boost::asio::any_io_executor>& strand() noexcept { return strand_; }

  std::atomic<std::size_t> in_use{0};
  std::atomic<std::size_t> idle{0};
  std::atomic<std::size_t> total{0};

private:
  struct waiter {
    explicit waiter(const boost::asio::strand<boost::asio::any_io_executor>& s) : timer(s) {}
    boost::asio::steady_timer timer;
    bool granted = false;
    std::shared_ptr<connection> conn;  // granted with null: a slot to open a connection in
  };

  void do_release(std::shared_ptr<connection> conn);
  void grant(std::shared_ptr<connection> conn);  // to the oldest waiter
  void discard_slot();
  void publish() noexcept;
  boost::asio::awaitable<result<std::shared_ptr<connection>>> open();

  boost::asio::any_io_executor executor_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  pool_options options_;
  std::vector<std::shared_ptr<connection>> idle_;
  std::deque<std::shared_ptr<waiter>> waiters_;
  std::size_t open_ = 0;    // connections open or opening: at most options_.size
  std::size_t leased_ = 0;
  bool failing_ = false;    // the last connect failed: log the recovery
};

} // namespace oauth::pg::detail
