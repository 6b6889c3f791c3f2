#pragma once
// Personal access tokens (Passport's createToken) in PostgreSQL: the record of each token
// (id = its jti), never the token string. Revocation itself reaches the verifiers through the
// revocation list (common/revocation); the revoked_at column is the durable record.
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth {

struct personal_access_token_record {
  std::string id;  // the token's jti (UUID)
  std::string user_id;
  std::string client_id;
  std::string name;
  std::vector<std::string> scopes;
  std::int64_t created_at = 0;  // unix seconds (= iat)
  std::int64_t expires_at = 0;  // unix seconds (= exp)
  std::optional<std::int64_t> revoked_at;
};

class personal_access_token_store {
public:
  virtual ~personal_access_token_store() = default;
  // The personal access client made by `authctl install` (the oldest unrevoked client with the
  // flag); nullopt when there is none.
  virtual boost::asio::awaitable<store_result<std::optional<std::string>>> personal_access_client_id() = 0;
  virtual boost::asio::awaitable<store_result<void>> create(const personal_access_token_record& r) = 0;
  // The user's tokens neither revoked nor expired at `now`, newest first.
  virtual boost::asio::awaitable<store_result<std::vector<personal_access_token_record>>> list_live(
      std::string_view user_id, std::int64_t now) = 0;
  // Marks the user's token revoked (keeping the first revocation time); nullopt when the user
  // owns no token with this id. Returns the record (expires_at tells how long to revoke the jti).
  virtual boost::asio::awaitable<store_result<std::optional<personal_access_token_record>>> revoke(
      std::string_view id, std::string_view user_id) = 0;
};

} // namespace oauth::auth
