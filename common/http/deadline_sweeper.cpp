#include "common/http/deadline_sweeper.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace oauth::http {

deadline_sweeper::deadline_sweeper(asio::io_context& io) : timer_(asio::make_strand(io)) {}

deadline_sweeper::~deadline_sweeper() = default;

void deadline_sweeper::start(std::chrono::milliseconds interval) {
  interval_ = interval;
  asio::co_spawn(timer_.get_executor(), sweep_loop(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
}

void deadline_sweeper::add(std::shared_ptr<entry> e) {
  std::lock_guard lock(mutex_);
  entries_.insert(std::move(e));
}

void deadline_sweeper::remove(const std::shared_ptr<entry>& e) {
  std::lock_guard lock(mutex_);
  entries_.erase(e);
}

std::vector<std::shared_ptr<deadline_sweeper::entry>> deadline_sweeper::entries() const {
  std::lock_guard lock(mutex_);
  return {entries_.begin(), entries_.end()};
}

asio::awaitable<void> deadline_sweeper::sweep_loop() {
  std::vector<std::shared_ptr<entry>> expired;
  for (;;) {
    timer_.expires_after(interval_);
    auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // the server is going away
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    expired.clear();
    {
      std::lock_guard lock(mutex_);
      for (const auto& e : entries_)
        if (e->passed(now)) expired.push_back(e);
    }
    for (auto& e : expired) {
      // Re-checked on the entry's executor: it may have moved on to a new deadline since.
      asio::post(e->executor_, [e, now] {
        if (!e->passed(now)) return;
        e->timed_out_.store(true, std::memory_order_relaxed);
        e->expires_never();
        e->expire();
      });
    }
  }
}

} // namespace oauth::http
