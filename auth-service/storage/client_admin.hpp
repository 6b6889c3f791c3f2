#pragma once
// Administrative operations on OAuth clients, for authctl (not part of the narrow
// client_store the grants use). Validation of names, grants and scopes is the caller's
// (authctl/validation.hpp); these functions store what they are given.
#include "auth-service/domain/models.hpp"
#include "common/pg/pool.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace oauth::auth {

struct new_client {
  std::string name;
  std::vector<std::string> grants;
  std::optional<std::vector<std::string>> scopes;  // nullopt: any defined scope
  bool confidential = true;                        // false: a public client, no secret
  bool password_client = false;
  bool personal_access_client = false;
};

struct created_client {
  client record;
  // The plaintext secret of a confidential client, shown once; empty for a public client
  // and for an existing client returned by ensure_install_clients. Only its hash is stored.
  std::string secret;
};

boost::asio::awaitable<pg::result<created_client>> create_client(pg::pool& db, new_client spec);

// Every client, oldest first (revoked ones included, flagged).
boost::asio::awaitable<pg::result<std::vector<client>>> list_clients(pg::pool& db);

enum class revoke_outcome { revoked, already_revoked, not_found };
// Marks the client revoked (the grants then refuse it); a malformed id is not_found.
boost::asio::awaitable<pg::result<revoke_outcome>> revoke_client(pg::pool& db, std::string id);

// What `authctl install` makes: the first-party password client (grants password and
// refresh_token, confidential, any scope) and the personal access client (grant
// personal_access, confidential). Idempotent: an existing, unrevoked client of each kind is
// reused (the oldest), so a second run changes nothing and returns the same ids with
// `secret` empty. Serialized by an advisory lock, so concurrent installs create one of each.
struct install_clients {
  created_client password_client;
  bool password_client_created = false;
  created_client personal_access_client;
  bool personal_access_client_created = false;
};
boost::asio::awaitable<pg::result<install_clients>> ensure_install_clients(pg::pool& db);

} // namespace oauth::auth
