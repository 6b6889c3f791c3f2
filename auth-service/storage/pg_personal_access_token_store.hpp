#pragma once
// personal_access_token_store in PostgreSQL (table personal_access_tokens, migration V002).
#include "auth-service/storage/personal_access_token_store.hpp"
#include "common/pg/pool.hpp"

namespace oauth::auth {

class pg_personal_access_token_store final : public personal_access_token_store {
public:
  explicit pg_personal_access_token_store(pg::pool& db) : db_(db) {}

  boost::asio::awaitable<store_result<std::optional<std::string>>> personal_access_client_id() override;
  boost::asio::awaitable<store_result<void>> create(const personal_access_token_record& r) override;
  boost::asio::awaitable<store_result<std::vector<personal_access_token_record>>> list_live(std::string_view user_id,
                                                                                           std::int64_t now) override;
  boost::asio::awaitable<store_result<std::optional<personal_access_token_record>>> revoke(
      std::string_view id, std::string_view user_id) override;

private:
  pg::pool& db_;
};

} // namespace oauth::auth
