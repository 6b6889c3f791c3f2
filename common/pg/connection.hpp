#pragma once
// One asynchronous libpq connection (the ozo model): the libpq socket is watched
// through a posix::stream_descriptor that does not own it, libpq does the I/O in
// non-blocking mode. All I/O of a connection runs on its own strand; callers are
// resumed on their own executor. One statement in flight at a time.
#include "common/pg/errors.hpp"
#include "common/pg/params.hpp"
#include "common/pg/rows.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct pg_conn;  // libpq's PGconn

namespace oauth::pg {

class connection : public std::enable_shared_from_this<connection> {
  struct private_tag {};

public:
  // Opens a connection (PQconnectStart + PQconnectPoll). Failure or no answer
  // within `timeout` → errc::connect_failed. `conninfo` is a libpq URI or
  // key=value string; it is never logged (it may hold a password).
  static boost::asio::awaitable<result<std::shared_ptr<connection>>>
  connect(boost::asio::any_io_executor ex, std::string conninfo, std::chrono::milliseconds timeout);

  connection(private_tag, const boost::asio::any_io_executor& ex);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Runs one parameterized statement (PQsendQueryParams, text format).
  // No answer within `timeout` → errc::timeout, and the connection is closed
  // (broken()): the server-side statement is not cancelled, the server ends it
  // when it finds the client gone. A broken socket → errc::connection_lost.
  // A statement the server rejects → errc::query_failed with SQLSTATE.
  boost::asio::awaitable<result<rows>> query(std::string_view sql, params values,
                                             std::chrono::milliseconds timeout);

  // Runs trusted SQL text that may hold several statements (simple query
  // protocol, no parameters): for migration files compiled into the binary only.
  // Returns the last statement's rows.
  boost::asio::awaitable<result<rows>> execute_script(std::string_view sql, std::chrono::milliseconds timeout);

  // True once the connection failed, timed out or was closed: never reuse it.
  bool broken() const noexcept { return broken_.load(std::memory_order_acquire); }
  // True while a statement is in flight.
  bool busy() const noexcept { return busy_.load(std::memory_order_acquire); }

  // For a connection nobody is using: consumes whatever the server sent while it
  // sat idle and reports whether it is still usable (open, no transaction open).
  // Does not block. Marks the connection broken when the server closed it.
  bool check_idle();

  // True when no transaction block is open (PQtransactionStatus == IDLE).
  bool idle_in_session() const noexcept;

private:
  boost::asio::awaitable<result<void>> do_connect(std::shared_ptr<connection> self, std::string conninfo,
                                                  std::chrono::milliseconds timeout);
  boost::asio::awaitable<result<rows>> do_query(std::shared_ptr<connection> self, std::string sql, params values,
                                                bool script, std::chrono::milliseconds timeout);
  boost::asio::awaitable<result<rows>> read_results();
  // Waits until the socket is ready; false when the operation's deadline passed.
  boost::asio::awaitable<bool> wait_ready(bool for_write);
  void arm_deadline(std::chrono::milliseconds timeout);
  void disarm_deadline();
  void reassign_socket();
  void close() noexcept;
  error lost(std::string_view what);
  std::string libpq_message() const;

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::posix::stream_descriptor socket_;
  boost::asio::steady_timer deadline_;
  pg_conn* conn_ = nullptr;
  std::uint64_t operation_ = 0;  // tells a stale deadline handler from the current one
  bool timed_out_ = false;
  std::atomic<bool> broken_{false};
  std::atomic<bool> busy_{false};
};

} // namespace oauth::pg
