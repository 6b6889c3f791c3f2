#pragma once
// Which client the token playground's "Authorization code + PKCE" panel acts as: the public
// client `authctl install` makes (flag playground_client, V004__browser_flows.sql).
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace oauth::auth {

class playground_client_store {
public:
  virtual ~playground_client_store() = default;
  // The id of the oldest unrevoked playground client (the one `authctl install` reuses);
  // nullopt when there is none (install has not run since the schema was made).
  virtual boost::asio::awaitable<store_result<std::optional<std::string>>> find_id() = 0;
};

} // namespace oauth::auth
