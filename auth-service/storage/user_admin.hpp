#pragma once
// Administrative operations on users, for authctl (not part of the narrow user_store).
#include "auth-service/domain/models.hpp"
#include "common/pg/pool.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace oauth::auth {

struct new_user {
  std::string email;          // stored as given; unique case-insensitively
  std::string name;
  std::string password_hash;  // Argon2id from hash_password_now, or an imported bcrypt $2y$ hash
  std::vector<std::string> scopes;
};

// A duplicate e-mail address (in any case) fails with error::is_unique_violation().
boost::asio::awaitable<pg::result<user>> create_user(pg::pool& db, new_user spec);

} // namespace oauth::auth
