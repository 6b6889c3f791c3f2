#include "auth-service/storage/user_admin.hpp"

#include "auth-service/storage/pg_support.hpp"

namespace oauth::auth {

boost::asio::awaitable<pg::result<user>> create_user(pg::pool& db, new_user spec) {
  static const std::string sql =
      "insert into users (email, name, password_hash, scopes) "
      "values ($1, $2, $3, array(select json_array_elements_text($4::json))) returning " +
      std::string(pg_support::user_columns);
  auto r = co_await db.query(sql, pg::args(std::move(spec.email), std::move(spec.name), std::move(spec.password_hash),
                                           pg_support::to_json_array(spec.scopes)));
  if (!r) co_return r.error();
  if (r->empty()) co_return pg::make_error(pg::errc::query_failed, "insert returned no row");
  co_return pg_support::user_from_row(*r, 0);
}

} // namespace oauth::auth
