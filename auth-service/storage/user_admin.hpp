#pragma once
// Administrative operations on users, for authctl (not part of the narrow user_store).
#include "auth-service/domain/models.hpp"
#include "common/pg/pool.hpp"
#include "common/revocation/protocol.hpp"

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

// Deletes the user (their personal access tokens go with them, ON DELETE CASCADE) and records
// `cutoff` (revocation_record.hpp) in the same statement; false: no such user. `id` must be
// a UUID (resolve it through pg_user_store first).
boost::asio::awaitable<pg::result<bool>> delete_user(pg::pool& db, std::string id, revocation::entry cutoff);

// Replaces the scopes the user may be granted; false: no such user.
boost::asio::awaitable<pg::result<bool>> set_user_scopes(pg::pool& db, std::string id, std::vector<std::string> scopes);

} // namespace oauth::auth
