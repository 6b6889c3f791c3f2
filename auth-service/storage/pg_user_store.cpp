#include "auth-service/storage/pg_user_store.hpp"

#include "auth-service/storage/pg_support.hpp"

namespace oauth::auth {

boost::asio::awaitable<store_result<std::optional<user>>> pg_user_store::find_by_email(std::string_view email_view) {
  std::string email(email_view);
  // The column check keeps addresses to 3..320 characters: anything else cannot match.
  if (email.empty() || email.size() > 320) co_return std::optional<user>{};
  static const std::string sql =
      "select " + std::string(pg_support::user_columns) + " from users where lower(email) = lower($1)";
  auto r = co_await db_.query(sql, pg::args(email));
  if (!r) co_return pg_support::log_failure("user_store.find_by_email", r.error());
  if (r->empty()) co_return std::optional<user>{};
  co_return std::optional<user>{pg_support::user_from_row(*r, 0)};
}

boost::asio::awaitable<store_result<login_subject>> pg_user_store::find_for_login(std::string_view username) {
  // One row always: the canonical name, and the user's columns (NULL when nobody matches).
  static const std::string sql = "select " + std::string(pg_support::user_columns) +
                                 ", presented.canonical from (values (lower($1::text))) as presented (canonical)"
                                 " left join users on lower(email) = presented.canonical";
  auto r = co_await db_.query(sql, pg::args(std::string(username)));
  if (!r) co_return pg_support::log_failure("user_store.find_for_login", r.error());
  if (r->size() != 1) co_return pg_support::log_failure("user_store.find_for_login", pg::make_error(pg::errc::query_failed));
  login_subject out;
  out.canonical_name = std::string(r->get(0, r->columns() - 1).value_or(""));
  if (!r->is_null(0, 0)) out.found = pg_support::user_from_row(*r, 0);
  co_return out;
}

boost::asio::awaitable<store_result<std::optional<user>>> pg_user_store::find_by_id(std::string_view id_view) {
  std::string id(id_view);
  if (!pg_support::is_uuid(id)) co_return std::optional<user>{};
  static const std::string sql =
      "select " + std::string(pg_support::user_columns) + " from users where id = $1::uuid";
  auto r = co_await db_.query(sql, pg::args(id));
  if (!r) co_return pg_support::log_failure("user_store.find_by_id", r.error());
  if (r->empty()) co_return std::optional<user>{};
  co_return std::optional<user>{pg_support::user_from_row(*r, 0)};
}

boost::asio::awaitable<store_result<void>> pg_user_store::update_password_hash(std::string_view user_id,
                                                                               std::string new_hash) {
  std::string id(user_id);
  if (!pg_support::is_uuid(id)) co_return store_result<void>{};
  auto r = co_await db_.query("update users set password_hash = $2, updated_at = now() where id = $1::uuid",
                              pg::args(id, std::move(new_hash)));
  if (!r) co_return pg_support::log_failure("user_store.update_password_hash", r.error());
  co_return store_result<void>{};
}

} // namespace oauth::auth
