#pragma once
// Remembered consent (../shared/CONTRACT.md, "GET /oauth/authorize" rule 4, "Authorized
// applications"): which scopes a user approved for a client, and since when.
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth {

struct remembered_consent {
  std::vector<std::string> scopes;
  std::int64_t granted_at = 0;  // unix seconds of the latest approval
};

// One line of GET /oauth/authorized-clients.
struct consented_client {
  std::string client_id;
  std::string name;
  std::vector<std::string> scopes;
  std::int64_t granted_at = 0;
};

class consent_store {
public:
  virtual ~consent_store() = default;
  // nullopt: the user never approved this client (or the consent was withdrawn).
  virtual boost::asio::awaitable<store_result<std::optional<remembered_consent>>> find(std::string_view user_id,
                                                                                         std::string_view client_id) = 0;
  // Records an approval: the remembered scopes become the union of the old and the new ones
  // (approving write-posts after read-posts leaves both approved), granted_at is now.
  virtual boost::asio::awaitable<store_result<void>> remember(std::string_view user_id, std::string_view client_id,
                                                              const std::vector<std::string>& scopes) = 0;
  // true when there was a consent to remove.
  virtual boost::asio::awaitable<store_result<bool>> forget(std::string_view user_id, std::string_view client_id) = 0;
  // The user's consents to clients that are not revoked, oldest first.
  virtual boost::asio::awaitable<store_result<std::vector<consented_client>>> list(std::string_view user_id) = 0;
};

} // namespace oauth::auth
