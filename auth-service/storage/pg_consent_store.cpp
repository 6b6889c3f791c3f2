#include "auth-service/storage/pg_consent_store.hpp"

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "auth-service/storage/pg_support.hpp"

#include <charconv>

namespace oauth::auth {
namespace {

std::int64_t integer(std::optional<std::string_view> v) {
  std::int64_t out = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

} // namespace

boost::asio::awaitable<store_result<std::optional<remembered_consent>>> pg_consent_store::find(
    std::string_view user_id, std::string_view client_id) {
  if (!pg_support::is_uuid(user_id) || !pg_support::is_uuid(client_id)) co_return std::optional<remembered_consent>{};
  auto r = co_await db_.query(
      "select to_json(scopes)::text, extract(epoch from granted_at)::bigint from oauth_consents "
      "where user_id = $1::uuid and client_id = $2::uuid",
      pg::args(std::string(user_id), std::string(client_id)));
  if (!r) co_return pg_support::log_failure("consent_store.find", r.error());
  if (r->empty()) co_return std::optional<remembered_consent>{};
  remembered_consent c;
  c.scopes = pg_support::from_json_array(r->get(0, 0)).value_or(std::vector<std::string>{});
  c.granted_at = integer(r->get(0, 1));
  co_return std::optional<remembered_consent>{std::move(c)};
}

boost::asio::awaitable<store_result<void>> pg_consent_store::remember(std::string_view user_id,
                                                                      std::string_view client_id,
                                                                      const std::vector<std::string>& scopes) {
  if (!pg_support::is_uuid(user_id) || !pg_support::is_uuid(client_id)) co_return store_result<void>{};
  // The union keeps the stored order and appends what is new; a vanished user or client (a
  // foreign key violation) is a race with a deletion, and nothing is left to remember.
  auto r = co_await db_.query(
      "insert into oauth_consents (user_id, client_id, scopes) "
      "select $1::uuid, $2::uuid, array(select json_array_elements_text($3::json)) "
      "where exists (select 1 from users where id = $1::uuid) "
      "  and exists (select 1 from oauth_clients where id = $2::uuid) "
      "on conflict (user_id, client_id) do update set "
      "  scopes = oauth_consents.scopes || array(select s from unnest(excluded.scopes) as s "
      "                                          where s <> all (oauth_consents.scopes)), "
      "  granted_at = now()",
      pg::args(std::string(user_id), std::string(client_id), pg_support::to_json_array(scopes)));
  if (!r) co_return pg_support::log_failure("consent_store.remember", r.error());
  co_return store_result<void>{};
}

boost::asio::awaitable<store_result<bool>> pg_consent_store::forget(std::string_view user_id,
                                                                    std::string_view client_id) {
  if (!pg_support::is_uuid(user_id) || !pg_support::is_uuid(client_id)) co_return false;
  auto r = co_await db_.query("delete from oauth_consents where user_id = $1::uuid and client_id = $2::uuid",
                              pg::args(std::string(user_id), std::string(client_id)));
  if (!r) co_return store_error_of<bool>(pg_support::log_failure("consent_store.forget", r.error()));
  co_return r->affected_rows() > 0;
}

boost::asio::awaitable<store_result<std::vector<consented_client>>> pg_consent_store::list(std::string_view user_id) {
  std::vector<consented_client> out;
  if (!pg_support::is_uuid(user_id)) co_return out;
  auto r = co_await db_.query(
      "select c.id::text, c.name, to_json(k.scopes)::text, extract(epoch from k.granted_at)::bigint "
      "from oauth_consents k join oauth_clients c on c.id = k.client_id "
      "where k.user_id = $1::uuid and not c.revoked order by k.granted_at, c.id",
      pg::args(std::string(user_id)));
  if (!r) co_return pg_support::log_failure("consent_store.list", r.error());
  for (int i = 0; i < r->size(); ++i) {
    consented_client c;
    c.client_id = std::string(r->get(i, 0).value_or(""));
    c.name = std::string(r->get(i, 1).value_or(""));
    c.scopes = pg_support::from_json_array(r->get(i, 2)).value_or(std::vector<std::string>{});
    c.granted_at = integer(r->get(i, 3));
    out.push_back(std::move(c));
  }
  co_return out;
}

} // namespace oauth::auth
