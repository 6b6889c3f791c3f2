#include "auth-service/storage/pg_personal_access_token_store.hpp"

#include "auth-service/storage/pg_support.hpp"

#include <charconv>

namespace oauth::auth {
namespace {

constexpr std::string_view columns =
    "id::text, user_id::text, client_id::text, name, to_json(scopes)::text, "
    "extract(epoch from created_at)::bigint, extract(epoch from expires_at)::bigint, "
    "extract(epoch from revoked_at)::bigint";

std::int64_t to_int(std::optional<std::string_view> s) {
  std::int64_t v = 0;
  if (s) std::from_chars(s->data(), s->data() + s->size(), v);
  return v;
}

personal_access_token_record from_row(const pg::rows& r, int row) {
  personal_access_token_record t;
  t.id = std::string(r.get(row, 0).value_or(""));
  t.user_id = std::string(r.get(row, 1).value_or(""));
  t.client_id = std::string(r.get(row, 2).value_or(""));
  t.name = std::string(r.get(row, 3).value_or(""));
  t.scopes = pg_support::from_json_array(r.get(row, 4)).value_or(std::vector<std::string>{});
  t.created_at = to_int(r.get(row, 5));
  t.expires_at = to_int(r.get(row, 6));
  if (!r.is_null(row, 7)) t.revoked_at = to_int(r.get(row, 7));
  return t;
}

} // namespace

boost::asio::awaitable<store_result<std::optional<std::string>>> pg_personal_access_token_store::personal_access_client_id() {
  auto r = co_await db_.query(
      "select id::text from oauth_clients where personal_access_client and not revoked order by created_at, id limit 1");
  if (!r) co_return pg_support::log_failure("personal_access_tokens.client", r.error());
  if (r->empty()) co_return std::optional<std::string>{};
  co_return std::optional<std::string>{std::string(r->get(0, 0).value_or(""))};
}

boost::asio::awaitable<store_result<void>> pg_personal_access_token_store::create(const personal_access_token_record& t) {
  auto r = co_await db_.query(
      "insert into personal_access_tokens (id, user_id, client_id, name, scopes, created_at, expires_at) "
      "values ($1::uuid, $2::uuid, $3::uuid, $4, array(select json_array_elements_text($5::json)), "
      "to_timestamp($6::bigint), to_timestamp($7::bigint))",
      pg::args(t.id, t.user_id, t.client_id, t.name, pg_support::to_json_array(t.scopes), t.created_at, t.expires_at));
  if (!r) co_return pg_support::log_failure("personal_access_tokens.create", r.error());
  co_return store_result<void>{};
}

boost::asio::awaitable<store_result<std::vector<personal_access_token_record>>>
pg_personal_access_token_store::list_live(std::string_view user_id, std::int64_t now) {
  std::vector<personal_access_token_record> out;
  if (!pg_support::is_uuid(user_id)) co_return out;
  static const std::string sql = "select " + std::string(columns) +
                                 " from personal_access_tokens where user_id = $1::uuid and revoked_at is null"
                                 " and expires_at > to_timestamp($2::bigint) order by created_at desc, id";
  auto r = co_await db_.query(sql, pg::args(std::string(user_id), now));
  if (!r) co_return pg_support::log_failure("personal_access_tokens.list", r.error());
  for (int i = 0; i < r->size(); ++i) out.push_back(from_row(*r, i));
  co_return out;
}

boost::asio::awaitable<store_result<std::optional<personal_access_token_record>>>
pg_personal_access_token_store::revoke(std::string_view id, std::string_view user_id) {
  if (!pg_support::is_uuid(id) || !pg_support::is_uuid(user_id))
    co_return std::optional<personal_access_token_record>{};
  static const std::string sql =
      "update personal_access_tokens set revoked_at = coalesce(revoked_at, now()) "
      "where id = $1::uuid and user_id = $2::uuid returning " + std::string(columns);
  auto r = co_await db_.query(sql, pg::args(std::string(id), std::string(user_id)));
  if (!r) co_return pg_support::log_failure("personal_access_tokens.revoke", r.error());
  if (r->empty()) co_return std::optional<personal_access_token_record>{};
  co_return std::optional<personal_access_token_record>{from_row(*r, 0)};
}

} // namespace oauth::auth
