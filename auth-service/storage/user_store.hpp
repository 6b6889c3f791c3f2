#pragma once
#include "auth-service/domain/models.hpp"
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauth::auth {

// What a login attempt names: the user, when there is one, and the name in the canonical
// form the lookup compares. Every spelling that finds a user has that user's canonical name,
// so the throttle, keyed on it, sees every variant as one user (CONTRACT "Hostile input").
struct login_subject {
  std::string canonical_name;
  std::optional<user> found;
};

class user_store {
public:
  virtual ~user_store() = default;
  // E-mail addresses match case-insensitively (Unicode).
  virtual boost::asio::awaitable<store_result<std::optional<user>>> find_by_email(std::string_view email) = 0;
  // The same match as find_by_email, with the canonical name (also for an unknown user).
  virtual boost::asio::awaitable<store_result<login_subject>> find_for_login(std::string_view username) = 0;
  virtual boost::asio::awaitable<store_result<std::optional<user>>> find_by_id(std::string_view id) = 0;
  // Replaces a legacy (bcrypt) or outdated hash after a successful login.
  virtual boost::asio::awaitable<store_result<void>> update_password_hash(std::string_view user_id,
                                                                          std::string new_hash) = 0;
};

} // namespace oauth::auth
