#include "auth-service/storage/pg_playground_client_store.hpp"

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "auth-service/storage/pg_support.hpp"

namespace oauth::auth {

boost::asio::awaitable<store_result<std::optional<std::string>>> pg_playground_client_store::find_id() {
  auto r = co_await db_.query(
      "select id::text from oauth_clients where playground_client and not revoked order by created_at, id limit 1");
  if (!r) co_return pg_support::log_failure("playground_client_store.find_id", r.error());
  if (r->empty()) co_return std::optional<std::string>{};
  co_return std::optional<std::string>{std::string(r->get(0, 0).value_or(""))};
}

} // namespace oauth::auth
