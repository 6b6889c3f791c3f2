#pragma once
// What the bearer middleware verifies a token against, and what it hands to handlers.
#include "common/jwt/key_set.hpp"
#include "common/jwt/verify.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::resource {

struct verifier_settings {
  std::string issuer;    // AUTH_ISSUER
  std::string audience;  // TOKEN_AUDIENCE
  std::chrono::seconds clock_skew{30};
};

// One immutable snapshot of the trusted keys with the verify options derived from them.
// Swapped whole when the JWKS changes, so a request never sees half a key set and never
// copies a key.
struct trusted_keys {
  jwt::key_set keys;
  // The algorithms accepted are exactly those of the keys (RFC 8725 §3.1); each key is still
  // bound to its own algorithm by jwt::verify.
  jwt::verify_options options;
  std::string source;  // "jwks" or "file", for logs
};

std::shared_ptr<const trusted_keys> make_trusted_keys(jwt::key_set keys, const verifier_settings& settings,
                                                      std::string source);

// RFC 9068 §4 validation exactly as the service does it: typ at+jwt, alg bound to the key from
// our own set (kid/jku/x5u/jwk/x5c in the token are never trusted), iss, aud, exp/nbf/iat with
// the clock skew, sub/client_id/jti present.
jwt::result<jwt::verified_token> verify_access_token(std::string_view token, const trusted_keys& trusted);

// The authenticated caller, as handlers see it (request_context::principal).
// Client-credentials tokens have no user: sub is then the client id (CONTRACT, "Access tokens").
struct access_principal {
  std::string sub;
  std::string client_id;
  std::string jti;
  std::string scope;  // the scope claim as issued, space-separated
  std::int64_t exp = 0;
};

access_principal principal_from(const jwt::verified_token& token);

} // namespace oauth::resource
