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

boost::asio::awaitable<pg::result<bool>> delete_user(pg::pool& db, std::string id, revocation::entry cutoff) {
  auto r = co_await db.query(
      "with gone as (delete from users where id = $1::uuid returning id) "
      "insert into revocations (member, expires_at) select $2, $3::bigint from gone "
      "on conflict (member) do update set expires_at = greatest(revocations.expires_at, excluded.expires_at) "
      "returning member",
      pg::args(std::move(id), std::move(cutoff.jti), cutoff.exp));
  if (!r) co_return r.error();
  co_return !r->empty();
}

boost::asio::awaitable<pg::result<bool>> set_user_scopes(pg::pool& db, std::string id, std::vector<std::string> scopes) {
  auto r = co_await db.query(
      "update users set scopes = array(select json_array_elements_text($2::json)), updated_at = now() where id = $1::uuid returning id",
      pg::args(std::move(id), pg_support::to_json_array(scopes)));
  if (!r) co_return r.error();
  co_return !r->empty();
}

} // namespace oauth::auth
