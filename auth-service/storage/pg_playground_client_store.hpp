#pragma once
// playground_client_store over PostgreSQL (table oauth_clients).
#include "auth-service/storage/playground_client_store.hpp"
#include "common/pg/pool.hpp"

namespace oauth::auth {

class pg_playground_client_store final : public playground_client_store {
public:
  // `db` must outlive the store.
  explicit pg_playground_client_store(pg::pool& db) noexcept : db_(db) {}

  // The same choice as ensure_install_clients (client_admin.hpp): the oldest, by created_at
  // then id, among the unrevoked clients flagged playground_client.
  boost::asio::awaitable<store_result<std::optional<std::string>>> find_id() override;

private:
  pg::pool& db_;
};

} // namespace oauth::auth
