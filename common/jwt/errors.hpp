#pragma once
// Error codes of the JWT library. Every message is safe to send to a client as an RFC 6750
// error_description: it names what is wrong, never echoes token contents or key material.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <type_traits>

namespace oauth::jwt {

template <class T>
using result = boost::system::result<T>;

enum class errc {
  malformed = 1,           // not three dot-separated parts, header or claims not a JSON object
  too_large,               // longer than verify_options::max_token_bytes
  bad_encoding,            // a part is not strict unpadded base64url
  bad_json,                // a part is not valid JSON (or repeats a member name)
  unsupported_algorithm,   // alg unknown to this library: none, HS256, RS512...
  algorithm_not_allowed,   // alg known but not in verify_options::allowed_algorithms
  key_algorithm_mismatch,  // alg differs from the algorithm the key is bound to
  unknown_key,             // kid missing or not in the key set
  bad_signature,           // signature does not verify (or has the wrong shape)
  wrong_type,              // typ missing or not allowed
  wrong_issuer,
  wrong_audience,
  expired,
  not_yet_valid,
  issued_in_future,
  missing_claim,
  invalid_claim,           // a claim of the wrong JSON type or value
  bad_key,                 // key material invalid or refused by policy (weak RSA, private JWK...)
  unsupported_key,         // a key type, curve or alg this library does not use
  unsupported_header,      // crit, jku, x5u, jwk or x5c in a token header
  no_signing_key,          // key store: no usable private key
  insecure_key_file,       // key store: a key file readable by group or others
};

const boost::system::error_category& jwt_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), jwt_category()};
}

} // namespace oauth::jwt

template <>
struct boost::system::is_error_code_enum<oauth::jwt::errc> : std::true_type {};
