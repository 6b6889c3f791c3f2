#pragma once
#include "auth-service/domain/models.hpp"
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string_view>

namespace oauth::auth {

class client_store {
public:
  virtual ~client_store() = default;
  // nullopt when no client has this id (a malformed id is simply not found).
  virtual boost::asio::awaitable<store_result<std::optional<client>>> find(std::string_view id) = 0;
};

} // namespace oauth::auth
