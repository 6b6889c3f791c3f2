#pragma once
// The auth service's own bearer check (RFC 6750) for the routes that take an access token
// (/oauth/personal-access-tokens), and the verification of our own JWTs shared with
// /oauth/revoke and /oauth/introspect.
//
// A token is ours when it verifies against the key manager's published keys (every key that may
// still verify a live token, RFC 9068 §4: typ at+jwt, iss, aud, exp/nbf with the given leeway)
// and its jti is not on the revocation list (common/revocation, the same live set the resource
// services keep). Pure helpers (extraction, challenges) are separate from the check.
#include "common/http/bearer.hpp"
#include "common/http/types.hpp"
#include "common/jwt/verify.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace oauth::revocation {
class live_list;
}

namespace oauth::auth {

class key_manager;

inline constexpr std::string_view bearer_realm = "oauth";

// "Bearer <b64token>": common/http/bearer.hpp (the same parser as the resource service's).
using http::bearer_credentials;
using http::extract_bearer;

// 401 without an error code (RFC 6750 §3.1: no credentials were sent).
http::response bearer_missing_response();
// 401 invalid_token.
http::response bearer_invalid_response(std::string_view description);
// 403 insufficient_scope (scope="<needed>" when given).
http::response bearer_insufficient_scope_response(std::string_view description, std::string_view scope = {});
// 503 temporarily_unavailable + Retry-After: the revocation list has not loaded yet.
http::response revocations_unavailable_response();
// 403 access_denied: a valid token that may not use the route (a client-credentials token on a
// route for users).
http::response bearer_forbidden_response(std::string_view description);

// The caller as the routes see it.
struct bearer_principal {
  std::string sub;
  std::string client_id;
  std::string jti;
  std::vector<std::string> scopes;
  std::int64_t exp = 0;
  // RFC 9068 §2.2: a client-credentials token's sub is the client itself: there is no user.
  bool has_user() const { return sub != client_id; }
};

class access_token_verifier {
public:
  // `keys` (and `revoked`, when given) must outlive the verifier.
  access_token_verifier(const key_manager& keys, std::string issuer, std::string audience,
                        const revocation::live_list* revoked);

  // Signature and claims only (not revocation). `leeway` applies to exp/nbf/iat.
  jwt::result<jwt::verified_token> verify(std::string_view token, std::chrono::seconds leeway,
                                          std::int64_t now = 0) const;
  bool revoked(std::string_view jti) const;
  // The revocation list has loaded once since start (or there is none). Until then it may lack
  // revocations made while this process was away: no token may be taken as valid (fail closed).
  bool revocations_loaded() const;
  // The jti, or a cutoff of the token's subject or client (user deleted, client revoked).
  bool revoked(const jwt::verified_token& token) const;

  // The whole bearer check: principal, or the 401 to answer (503 while the revocation list has
  // not loaded).
  std::variant<bearer_principal, http::response> authenticate(std::string_view authorization) const;

private:
  const key_manager& keys_;
  std::string issuer_;
  std::string audience_;
  const revocation::live_list* revoked_;
};

} // namespace oauth::auth
