#pragma once
// consent_store over PostgreSQL (table oauth_consents, migrations/V004__browser_flows.sql).
#include "auth-service/storage/consent_store.hpp"
#include "common/pg/pool.hpp"

namespace oauth::auth {

class pg_consent_store final : public consent_store {
public:
  // `db` must outlive the store.
  explicit pg_consent_store(pg::pool& db) noexcept : db_(db) {}

  // Malformed ids find nothing and change nothing.
  boost::asio::awaitable<store_result<std::optional<remembered_consent>>> find(std::string_view user_id,
                                                                                 std::string_view client_id) override;
  // One upsert: concurrent approvals of one user and client both end up in the union.
  boost::asio::awaitable<store_result<void>> remember(std::string_view user_id, std::string_view client_id,
                                                      const std::vector<std::string>& scopes) override;
  boost::asio::awaitable<store_result<bool>> forget(std::string_view user_id, std::string_view client_id) override;
  boost::asio::awaitable<store_result<std::vector<consented_client>>> list(std::string_view user_id) override;

private:
  pg::pool& db_;
};

} // namespace oauth::auth
