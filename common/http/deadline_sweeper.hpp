#pragma once
// Timeouts without a timer per read: rather than arming a timer for every read and write (a
// timer queue update, often a timerfd syscall, several times per request), each connection
// publishes the deadline of what it is waiting for, and one sweeper per server expires the
// connections that passed theirs. Deadlines are enforced to within the sweep interval.
#include "common/http/types.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace oauth::http {

class deadline_sweeper {
public:
  // Something with a deadline: a connection. Its deadline may be moved from its own executor
  // at any time; expire() runs on that executor once the deadline has passed.
  class entry {
  public:
    explicit entry(asio::any_io_executor executor) : executor_(std::move(executor)) {}
    virtual ~entry() = default;
    entry(const entry&) = delete;
    entry& operator=(const entry&) = delete;

    void expires_after(std::chrono::steady_clock::duration d) {
      timed_out_.store(false, std::memory_order_relaxed);
      deadline_.store((std::chrono::steady_clock::now() + d).time_since_epoch().count(), std::memory_order_relaxed);
    }
    void expires_never() { deadline_.store(never, std::memory_order_relaxed); }
    // True once the sweeper expired the current deadline (reset by expires_after).
    bool timed_out() const { return timed_out_.load(std::memory_order_relaxed); }
    const asio::any_io_executor& executor() const { return executor_; }

  protected:
    virtual void expire() = 0;

  private:
    friend class deadline_sweeper;
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
    bool passed(std::int64_t now) const { return deadline_.load(std::memory_order_relaxed) <= now; }

    asio::any_io_executor executor_;
    std::atomic<std::int64_t> deadline_{never};  // steady_clock ticks
    std::atomic<bool> timed_out_{false};
  };

  explicit deadline_sweeper(asio::io_context& io);
  ~deadline_sweeper();
  deadline_sweeper(const deadline_sweeper&) = delete;
  deadline_sweeper& operator=(const deadline_sweeper&) = delete;

  // Starts sweeping every `interval` on a strand of the constructor's context.
  void start(std::chrono::milliseconds interval);

  void add(std::shared_ptr<entry> e);
  void remove(const std::shared_ptr<entry>& e);
  // The entries now registered (for a server's drain).
  std::vector<std::shared_ptr<entry>> entries() const;

private:
  asio::awaitable<void> sweep_loop();

  asio::steady_timer timer_;
  std::chrono::milliseconds interval_{100};
  mutable std::mutex mutex_;
  std::unordered_set<std::shared_ptr<entry>> entries_;
};

} // namespace oauth::http
