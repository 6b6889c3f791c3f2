#pragma once
// JWS compact serialization (RFC 7515 §3.1, §5.1) of JWT claims (RFC 7519, RFC 9068).
#include "common/jwt/key.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace oauth::jwt {

// header.payload.signature with the protected header exactly
// {"alg":"<key's alg>","typ":"<typ>","kid":"<key's kid>"}; the claims are serialized as given.
// Thread-safe: any number of threads may sign with one key at once.
// Throws std::invalid_argument for a key without its private part (a programmer error), and
// std::runtime_error if OpenSSL fails (out of memory).
std::string sign(const key& k, const boost::json::object& claims, std::string_view typ = "at+jwt");

// The raw JWS signature of signing_input (RFC 7515 §5.1 step 5): PKCS#1 v1.5 for RS256, 64-byte
// r||s for ES256 (RFC 7518 §3.4), 64 bytes for EdDSA. Same exceptions as sign().
std::string create_signature(const key& k, std::string_view signing_input);

} // namespace oauth::jwt
