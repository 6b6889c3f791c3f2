#include "auth-service/storage/client_admin.hpp"

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames
// (allocated with aligned_alloc, released with free through aligned_delete).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "auth-service/credentials/client_secret.hpp"
#include "auth-service/storage/pg_support.hpp"

#include <algorithm>

namespace oauth::auth {
namespace {

const std::string& insert_sql() {
  static const std::string sql =
      "insert into oauth_clients (name, secret_hash, grants, scopes, password_client, personal_access_client, "
      "redirect_uris, first_party, playground_client) "
      "values ($1, $2, array(select json_array_elements_text($3::json)), "
      "case when $4::json is null then null else array(select json_array_elements_text($4::json)) end, $5, $6, "
      "array(select json_array_elements_text($7::json)), $8, $9) "
      "returning " + std::string(pg_support::client_columns);
  return sql;
}

pg::params insert_params(const new_client& spec, const std::optional<std::string>& secret_hash) {
  std::optional<std::string> scopes;
  if (spec.scopes) scopes = pg_support::to_json_array(*spec.scopes);
  return pg::args(spec.name, secret_hash, pg_support::to_json_array(spec.grants), std::move(scopes),
                  spec.password_client, spec.personal_access_client, pg_support::to_json_array(spec.redirect_uris),
                  spec.first_party, spec.playground_client);
}

// Runs the insert on whatever executes statements (the pool or a transaction).
template <class Db>
boost::asio::awaitable<pg::result<created_client>> insert(Db& db, const new_client& spec) {
  created_client out;
  std::optional<std::string> secret_hash;
  if (spec.confidential) {
    out.secret = generate_client_secret();
    secret_hash = hash_client_secret(out.secret);
  }
  auto r = co_await db.query(insert_sql(), insert_params(spec, secret_hash));
  if (!r) co_return r.error();
  if (r->empty()) co_return pg::make_error(pg::errc::query_failed, "insert returned no row");
  out.record = pg_support::client_from_row(*r, 0);
  co_return out;
}

new_client password_client_spec() {
  new_client c;
  c.name = "Password Grant Client";
  c.grants = {std::string(grant_names::password), std::string(grant_names::refresh_token)};
  c.password_client = true;
  return c;
}

new_client personal_access_client_spec() {
  new_client c;
  c.name = "Personal Access Client";
  c.grants = {std::string(grant_names::personal_access)};
  c.personal_access_client = true;
  return c;
}

new_client playground_client_spec(std::string redirect_uri) {
  new_client c;
  c.name = "Playground";
  c.grants = {std::string(grant_names::authorization_code), std::string(grant_names::refresh_token)};
  c.confidential = false;
  c.redirect_uris = {std::move(redirect_uri)};
  c.playground_client = true;
  return c;
}

} // namespace

boost::asio::awaitable<pg::result<created_client>> create_client(pg::pool& db, new_client spec) {
  co_return co_await insert(db, spec);
}

boost::asio::awaitable<pg::result<std::vector<client>>> list_clients(pg::pool& db) {
  static const std::string sql =
      "select " + std::string(pg_support::client_columns) + " from oauth_clients order by created_at, id";
  auto r = co_await db.query(sql);
  if (!r) co_return r.error();
  std::vector<client> out;
  out.reserve(static_cast<std::size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) out.push_back(pg_support::client_from_row(*r, i));
  co_return out;
}

boost::asio::awaitable<pg::result<revoke_outcome>> revoke_client(pg::pool& db, std::string id) {
  if (!pg_support::is_uuid(id)) co_return revoke_outcome::not_found;
  // One statement: the CTE sees the row as it was before the update.
  auto r = co_await db.query(
      "with target as (select id, revoked from oauth_clients where id = $1::uuid), "
      "updated as (update oauth_clients c set revoked = true, revoked_at = now(), updated_at = now() "
      "            from target where c.id = target.id and not target.revoked returning c.id) "
      "select (select revoked from target)::text, (select count(*) from updated)",
      pg::args(id));
  if (!r) co_return r.error();
  auto was = r->get(0, 0);
  if (!was) co_return revoke_outcome::not_found;
  co_return *was == "true" ? revoke_outcome::already_revoked : revoke_outcome::revoked;
}

boost::asio::awaitable<pg::result<install_clients>> ensure_install_clients(
    pg::pool& db, std::optional<std::string> playground_redirect_uri) {
  auto tx = co_await db.begin();
  if (!tx) co_return tx.error();
  auto lock = co_await tx->query("select pg_advisory_xact_lock(hashtext('authctl install'))");
  if (!lock) co_return lock.error();

  install_clients out;
  static const std::string find_password =
      "select " + std::string(pg_support::client_columns) +
      " from oauth_clients where password_client and not revoked order by created_at, id limit 1";
  static const std::string find_personal =
      "select " + std::string(pg_support::client_columns) +
      " from oauth_clients where personal_access_client and not revoked order by created_at, id limit 1";

  auto existing = co_await tx->query(find_password);
  if (!existing) co_return existing.error();
  if (!existing->empty()) {
    out.password_client.record = pg_support::client_from_row(*existing, 0);
  } else {
    auto made = co_await insert(*tx, password_client_spec());
    if (!made) co_return made.error();
    out.password_client = std::move(*made);
    out.password_client_created = true;
  }

  existing = co_await tx->query(find_personal);
  if (!existing) co_return existing.error();
  if (!existing->empty()) {
    out.personal_access_client.record = pg_support::client_from_row(*existing, 0);
  } else {
    auto made = co_await insert(*tx, personal_access_client_spec());
    if (!made) co_return made.error();
    out.personal_access_client = std::move(*made);
    out.personal_access_client_created = true;
  }

  if (playground_redirect_uri) {
    static const std::string find_playground =
        "select " + std::string(pg_support::client_columns) +
        " from oauth_clients where playground_client and not revoked order by created_at, id limit 1";
    existing = co_await tx->query(find_playground);
    if (!existing) co_return existing.error();
    if (!existing->empty()) {
      auto record = pg_support::client_from_row(*existing, 0);
      const auto& uris = record.redirect_uris;
      if (std::find(uris.begin(), uris.end(), *playground_redirect_uri) == uris.end()) {
        static const std::string add_uri =
            "update oauth_clients set redirect_uris = array_append(redirect_uris, $2), updated_at = now() "
            "where id = $1::uuid returning " + std::string(pg_support::client_columns);
        auto updated = co_await tx->query(add_uri, pg::args(record.id, *playground_redirect_uri));
        if (!updated) co_return updated.error();
        record = pg_support::client_from_row(*updated, 0);
      }
      out.playground_client = created_client{std::move(record), {}};
    } else {
      auto made = co_await insert(*tx, playground_client_spec(*playground_redirect_uri));
      if (!made) co_return made.error();
      out.playground_client = std::move(*made);
      out.playground_client_created = true;
    }
  }

  auto committed = co_await tx->commit();
  if (!committed) co_return committed.error();
  co_return out;
}

} // namespace oauth::auth
