#pragma once
// Refresh families seen from the user's side (../shared/CONTRACT.md, "Authorized applications",
// and the authorization code grant's replay rule): which clients hold a live family of a user,
// revoking all of one user's families at one client, and revoking one family by its id.
// Every revocation here also revokes the families' access tokens, as reuse detection does.
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth {

struct client_family_summary {
  std::string client_id;
  std::vector<std::string> scopes;  // union over the live families, in first-seen order
  std::int64_t first_issued_at = 0; // unix seconds: the oldest live family's start
};

class refresh_family_registry {
public:
  virtual ~refresh_family_registry() = default;
  // The clients holding at least one live (unrevoked, unexpired) family of the user.
  virtual boost::asio::awaitable<store_result<std::vector<client_family_summary>>> live_clients(
      std::string_view user_id) = 0;
  // Revokes every family of the user at the client; returns how many were live.
  virtual boost::asio::awaitable<store_result<int>> revoke_user_client(std::string_view user_id,
                                                                       std::string_view client_id,
                                                                       std::int64_t now) = 0;
  // Revokes one family (a replayed authorization code); false when it no longer exists.
  virtual boost::asio::awaitable<store_result<bool>> revoke_family_id(std::string_view family_id,
                                                                      std::int64_t now) = 0;
};

} // namespace oauth::auth
