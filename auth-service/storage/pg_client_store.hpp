#pragma once
// client_store over PostgreSQL (table oauth_clients, migrations/V001__auth_schema.sql).
#include "auth-service/storage/client_store.hpp"
#include "common/pg/pool.hpp"

namespace oauth::auth {

class pg_client_store final : public client_store {
public:
  // `db` must outlive the store.
  explicit pg_client_store(pg::pool& db) noexcept : db_(db) {}

  // Revoked clients are returned too (with revoked = true): the grants refuse them.
  // A malformed id is not found; a PostgreSQL failure is the pg error code.
  boost::asio::awaitable<store_result<std::optional<client>>> find(std::string_view id) override;

private:
  pg::pool& db_;
};

} // namespace oauth::auth
