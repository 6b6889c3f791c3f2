#pragma once
// A pool of PostgreSQL connections, opened lazily up to pool_options::size,
// reused, and replaced when broken (so a server restart heals by itself).
// Safe to use from coroutines on any thread of a multi-threaded io_context.
// Destroy it (and its leases) before the io_context.
#include "common/pg/lease.hpp"
#include "common/pg/pool_options.hpp"
#include "common/pg/transaction.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>

namespace oauth::pg {

namespace detail {
class pool_state;
}

class pool {
public:
  pool(boost::asio::any_io_executor ex, pool_options options);
  ~pool();
  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  // Acquire, run one statement, release.
  boost::asio::awaitable<result<rows>> query(std::string_view sql, params values = {});
  // A free connection; errc::pool_timeout after acquire_timeout, errc::connect_failed
  // when a new connection was needed and could not be opened.
  boost::asio::awaitable<result<lease>> acquire();
  // acquire() + BEGIN.
  boost::asio::awaitable<result<transaction>> begin();
  // Readiness: `select 1` succeeds.
  boost::asio::awaitable<bool> ping();

  // Metrics (approximate under concurrency).
  std::size_t in_use() const noexcept;
  std::size_t idle() const noexcept;
  std::size_t total() const noexcept;  // open or opening
  const pool_options& options() const noexcept;

private:
  std::shared_ptr<detail::pool_state> state_;
};

} // namespace oauth::pg
