#pragma once
// The records the token server works with, independent of where they are stored.
#include "common/catalogue/grants.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth {

struct user {
  std::string id;  // UUID
  std::string email;
  std::string name;
  std::string password_hash;        // Argon2id ($argon2id$…) or imported bcrypt ($2y$…)
  std::vector<std::string> scopes;  // what this user may be granted
};

// Grant type names as registered on clients: the one catalogue in common/catalogue/grants.hpp.
namespace grant_names = ::oauth::catalogue::grant_names;

struct client {
  std::string id;  // UUID
  std::string name;
  std::string secret_hash;  // empty for a public client
  std::vector<std::string> grants;
  std::optional<std::vector<std::string>> scopes;  // nullopt: any defined scope
  bool password_client = false;                    // first-party client made by `authctl install`
  bool personal_access_client = false;
  std::vector<std::string> redirect_uris;  // registered for authorization_code (RFC 6749 §3.1.2)
  bool first_party = false;                // --first-party: no consent page (skipsAuthorization)
  bool playground_client = false;          // the playground's public client made by `authctl install`
  bool revoked = false;
  std::int64_t created_at = 0;

  bool confidential() const { return !secret_hash.empty(); }
  // The clients whose tokens may use the first-party-only routes (personal access tokens,
  // authorized clients): CONTRACT "Authorized applications".
  bool is_first_party() const { return first_party || password_client || personal_access_client; }
  bool allows_grant(std::string_view grant) const {
    for (const auto& g : grants)
      if (g == grant) return true;
    return false;
  }
};

// What a refresh token stands for. The token itself is never stored, only its SHA-256.
struct refresh_grant_record {
  std::string family_id;  // all tokens rotated from one original grant
  std::string client_id;
  std::string user_id;
  std::vector<std::string> scopes;
  std::int64_t expires_at = 0;  // unix seconds
};

} // namespace oauth::auth
