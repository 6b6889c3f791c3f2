#pragma once
// Verification of JWT access tokens (RFC 9068 §4) following RFC 8725 (JWT BCP).
//
// Order of checks: size, shape, strict base64url, header JSON; alg (known and allowed; never
// "none", never HMAC), no crit/jku/x5u/jwk/x5c, typ, kid looked up ONLY in the given key set,
// the key's own algorithm equal to alg; then the signature; only then are the claims decoded and
// checked (iss, aud, exp, nbf, iat, sub, client_id, jti, scope).
#include "common/jwt/algorithm.hpp"
#include "common/jwt/errors.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/key_set.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::jwt {

struct verify_options {
  std::string issuer;    // required: iss must equal it exactly
  std::string audience;  // required: aud must equal it, or be an array containing it
  std::chrono::seconds leeway{30};  // clock skew allowed on exp, nbf and iat
  std::int64_t now = 0;             // Unix seconds; 0: the current time
  // Compared ASCII case-insensitively with an optional "application/" prefix ignored on both
  // sides (media types are case-insensitive and the prefix may be omitted: RFC 7515 §4.1.9,
  // RFC 9068 §4). Empty: typ is not checked at all (not for access tokens).
  std::vector<std::string> allowed_types{"at+jwt", "application/at+jwt"};
  std::vector<algorithm> allowed_algorithms{algorithm::rs256};
  std::size_t max_token_bytes = 8192;
};

struct verified_token {
  boost::json::object header;
  boost::json::object claims;
  std::string kid;
  algorithm alg = algorithm::rs256;

  // Views into claims; valid while this object lives. verify() has checked the types.
  std::string_view sub() const noexcept;
  std::string_view client_id() const noexcept;
  std::string_view jti() const noexcept;
  std::string_view scope() const noexcept;  // empty when absent
  std::int64_t exp() const noexcept;
  std::int64_t iat() const noexcept;  // 0 when absent
  std::int64_t nbf() const noexcept;  // 0 when absent
};

// Thread-safe: any number of threads may verify against one shared key_set.
// Throws std::invalid_argument when options.issuer or options.audience is empty (a
// configuration bug: a verifier that checks neither would accept any issuer's tokens).
result<verified_token> verify(std::string_view token, const key_set& keys, const verify_options& options);

// Checks a raw JWS signature (as carried in the token, after base64url decoding) over
// signing_input with k, using k's algorithm. ES256 signatures must be exactly 64 bytes with
// 0 < r, s < n; RS256 signatures exactly the modulus size; EdDSA 64 bytes.
result<void> verify_signature(std::string_view signing_input, std::string_view signature_bytes, const key& k);

} // namespace oauth::jwt
