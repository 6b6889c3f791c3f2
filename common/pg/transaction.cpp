#include "common/pg/transaction.hpp"

#include <ostream>

namespace oauth::pg {
namespace asio = boost::asio;

asio::awaitable<result<rows>> transaction::query(std::string_view sql, params values) {
  return lease_.query(sql, std::move(values));
}

asio::awaitable<result<rows>> transaction::query(std::string_view sql, params values,
                                                 std::chrono::milliseconds timeout) {
  return lease_.query(sql, std::move(values), timeout);
}

asio::awaitable<result<rows>> transaction::execute_script(std::string_view sql, std::chrono::milliseconds timeout) {
  return lease_.execute_script(sql, timeout);
}

std::ostream& operator<<(std::ostream& os, const transaction& t) {
  return os << (t.active() ? "transaction" : "finished transaction");
}

asio::awaitable<result<void>> transaction::commit() { return finish("commit"); }
asio::awaitable<result<void>> transaction::rollback() { return finish("rollback"); }

asio::awaitable<result<void>> transaction::finish(std::string_view statement) {
  if (!lease_) co_return make_error(errc::closed);
  auto r = co_await lease_.query(statement);
  // COMMIT of a failed transaction block succeeds with the tag ROLLBACK.
  bool rolled_back = r && statement == "commit" && r->command_tag() == "ROLLBACK";
  lease_.release();
  if (!r) co_return r.error();
  if (rolled_back)
    co_return make_error(errc::query_failed, "transaction was aborted and has been rolled back", "25P02");
  co_return result<void>{};
}

} // namespace oauth::pg
