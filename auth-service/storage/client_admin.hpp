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
  std::vector<std::string> redirect_uris;  // validated by the caller (authorize/redirect_uri.hpp)
  bool first_party = false;
  bool playground_client = false;
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
// refresh_token, confidential, any scope), the personal access client (grant
// personal_access, confidential) and, when `playground_redirect_uri` is given, the
// playground's public client (authorization_code and refresh_token, that redirect URI; not
// first-party, so the playground shows the consent page a third-party app gets).
// Idempotent: an existing, unrevoked client of each kind is reused (the oldest), so a second
// run changes nothing and returns the same ids with `secret` empty; a playground redirect URI
// not yet registered (AUTH_ISSUER changed) is added to the existing client. Serialized by an
// advisory lock, so concurrent installs create one of each.
struct install_clients {
  created_client password_client;
  bool password_client_created = false;
  created_client personal_access_client;
  bool personal_access_client_created = false;
  std::optional<created_client> playground_client;
  bool playground_client_created = false;
};
boost::asio::awaitable<pg::result<install_clients>> ensure_install_clients(
    pg::pool& db, std::optional<std::string> playground_redirect_uri = std::nullopt);

} // namespace oauth::auth
