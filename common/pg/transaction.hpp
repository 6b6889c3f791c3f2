#pragma once
// A transaction block on one pooled connection: BEGIN at pool::begin(), then
// commit() or rollback(). Destroyed without either, its connection is closed
// rather than returned (the server rolls back), so no open transaction leaks
// into the pool.
#include "common/pg/lease.hpp"

namespace oauth::pg {

class transaction {
public:
  transaction() = default;
  // `l` must have just run BEGIN.
  explicit transaction(lease l) noexcept : lease_(std::move(l)) {}
  transaction(transaction&&) noexcept = default;
  transaction& operator=(transaction&&) noexcept = default;

  // After commit()/rollback() → errc::closed.
  boost::asio::awaitable<result<rows>> query(std::string_view sql, params values = {});
  boost::asio::awaitable<result<rows>> query(std::string_view sql, params values, std::chrono::milliseconds timeout);
  boost::asio::awaitable<result<rows>> execute_script(std::string_view sql, std::chrono::milliseconds timeout);

  // COMMIT. When the transaction had failed, the server rolls back instead:
  // errc::query_failed with SQLSTATE 25P02. Either way the connection goes back.
  boost::asio::awaitable<result<void>> commit();
  boost::asio::awaitable<result<void>> rollback();

  bool active() const noexcept { return lease_.valid(); }

private:
  boost::asio::awaitable<result<void>> finish(std::string_view statement);

  lease lease_;
};

// "transaction" or "finished transaction", for test output.
std::ostream& operator<<(std::ostream& os, const transaction& t);

} // namespace oauth::pg
