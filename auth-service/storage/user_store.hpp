#pragma once
#include "auth-service/domain/models.hpp"
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauth::auth {

class user_store {
public:
  virtual ~user_store() = default;
  // E-mail addresses match case-insensitively.
  virtual boost::asio::awaitable<store_result<std::optional<user>>> find_by_email(std::string_view email) = 0;
  virtual boost::asio::awaitable<store_result<std::optional<user>>> find_by_id(std::string_view id) = 0;
  // Replaces a legacy (bcrypt) or outdated hash after a successful login.
  virtual boost::asio::awaitable<store_result<void>> update_password_hash(std::string_view user_id,
                                                                          std::string new_hash) = 0;
};

} // namespace oauth::auth
