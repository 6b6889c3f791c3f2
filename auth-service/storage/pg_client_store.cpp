#include "auth-service/storage/pg_client_store.hpp"

#include "auth-service/storage/pg_support.hpp"

namespace oauth::auth {

boost::asio::awaitable<store_result<std::optional<client>>> pg_client_store::find(std::string_view id_view) {
  std::string id(id_view);
  if (!pg_support::is_uuid(id)) co_return std::optional<client>{};
  static const std::string sql =
      "select " + std::string(pg_support::client_columns) + " from oauth_clients where id = $1::uuid";
  auto r = co_await db_.query(sql, pg::args(id));
  if (!r) co_return pg_support::log_failure("client_store.find", r.error());
  if (r->empty()) co_return std::optional<client>{};
  co_return std::optional<client>{pg_support::client_from_row(*r, 0)};
}

} // namespace oauth::auth
