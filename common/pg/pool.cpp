#include "common/pg/pool.hpp"

#include "common/log.hpp"
#include "common/pg/pool_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

namespace oauth::pg {
namespace asio = boost::asio;

namespace detail {

pool_state::pool_state(asio::any_io_executor ex, pool_options options)
    : executor_(std::move(ex)), strand_(asio::make_strand(executor_)), options_(std::move(options)) {
  if (options_.size == 0) throw std::invalid_argument("pg::pool_options::size must be at least 1");
}

void pool_state::publish() noexcept {
  in_use.store(leased_, std::memory_order_relaxed);
  idle.store(idle_.size(), std::memory_order_relaxed);
  total.store(open_, std::memory_order_relaxed);
}

asio::awaitable<result<std::shared_ptr<connection>>> pool_state::open() {
  // Resumes on strand_: the awaiting coroutine's executor.
  auto c = co_await connection::connect(executor_, options_.conninfo, options_.connect_timeout);
  if (!c) {
    log::warn("pg connect failed", {{"error", c.error().message}});
    failing_ = true;
    discard_slot();
    publish();
    co_return c.error();
  }
  if (failing_) {
    failing_ = false;
    log::info("pg connection recovered");
  }
  co_return c;
}

asio::awaitable<result<lease>> pool_state::acquire(std::shared_ptr<pool_state> self) {
  auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  auto leased = [&](std::shared_ptr<connection> c) {
    ++leased_;
    publish();
    return lease(self, std::move(c), options_.query_timeout);
  };

  // Most recently used first: it is the likeliest to be alive and warm.
  while (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (c->check_idle()) co_return leased(std::move(c));
    --open_;  // broken while idle (server restart): drop it, open another below
    publish();
  }

  if (open_ < options_.size) {
    ++open_;
    publish();
    auto c = co_await open();
    if (!c) co_return c.error();
    co_return leased(std::move(*c));
  }

  auto w = std::make_shared<waiter>(strand_);
  w->timer.expires_at(deadline);
  waiters_.push_back(w);
  co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!w->granted) {
    std::erase(waiters_, w);
    co_return make_error(errc::pool_timeout,
                         "no free connection within " + std::to_string(options_.acquire_timeout.count()) + " ms");
  }
  if (w->conn) co_return leased(std::move(w->conn));
  // A broken connection's slot was handed to us: open a replacement in it.
  auto c = co_await open();
  if (!c) co_return c.error();
  co_return leased(std::move(*c));
}

void pool_state::grant(std::shared_ptr<connection> conn) {
  auto w = std::move(waiters_.front());
  waiters_.pop_front();
  w->granted = true;
  w->conn = std::move(conn);
  w->timer.cancel();
}

void pool_state::discard_slot() {
  if (!waiters_.empty())
    grant(nullptr);
  else
    --open_;
}

void pool_state::release(std::shared_ptr<connection> conn) noexcept {
  try {
    asio::post(strand_, [self = shared_from_this(), conn = std::move(conn)]() mutable {
      self->do_release(std::move(conn));
    });
  } catch (const std::exception& e) {
    log::error("pg pool could not take a connection back", {{"error", e.what()}});
  }
}

void pool_state::do_release(std::shared_ptr<connection> conn) {
  --leased_;
  // A statement still in flight (its caller went away) or an open transaction
  // block: the session state is unknown, so the connection is not reused.
  if (conn->busy() || conn->broken() || !conn->idle_in_session()) {
    if (!conn->broken()) log::debug("pg connection returned busy or inside a transaction; closing it");
    conn.reset();
    discard_slot();
  } else if (!waiters_.empty()) {
    grant(std::move(conn));
  } else {
    idle_.push_back(std::move(conn));
  }
  publish();
}

} // namespace detail

pool::pool(asio::any_io_executor ex, pool_options options)
    : state_(std::make_shared<detail::pool_state>(std::move(ex), std::move(options))) {}

pool::~pool() = default;

asio::awaitable<result<lease>> pool::acquire() {
  auto s = state_;
  co_return co_await asio::co_spawn(s->strand(), s->acquire(s), asio::use_awaitable);
}

asio::awaitable<result<rows>> pool::query(std::string_view sql, params values) {
  auto l = co_await acquire();
  if (!l) co_return l.error();
  co_return co_await l->query(sql, std::move(values));
}

asio::awaitable<result<transaction>> pool::begin() {
  auto l = co_await acquire();
  if (!l) co_return l.error();
  auto r = co_await l->query("begin");
  if (!r) co_return r.error();
  co_return transaction(std::move(*l));
}

asio::awaitable<bool> pool::ping() {
  auto r = co_await query("select 1");
  co_return r && r->size() == 1;
}

std::size_t pool::in_use() const noexcept { return state_->in_use.load(std::memory_order_relaxed); }
std::size_t pool::idle() const noexcept { return state_->idle.load(std::memory_order_relaxed); }
std::size_t pool::total() const noexcept { return state_->total.load(std::memory_order_relaxed); }
const pool_options& pool::options() const noexcept { return state_->options(); }

} // namespace oauth::pg
