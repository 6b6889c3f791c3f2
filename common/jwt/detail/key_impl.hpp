#pragma once
// The shared, immutable state behind oauth::jwt::key (internal).
#include "common/jwt/detail/openssl.hpp"
#include "common/jwt/key.hpp"

#include <string>

namespace oauth::jwt {

struct key::impl {
  detail::pkey_ptr pkey;
  algorithm alg = algorithm::rs256;
  bool has_private = false;
  int bits = 0;
  std::string kid;
  std::string thumbprint;
  // Public JWK members, base64url (RSA: n, e; EC: crv, x, y; OKP: crv, x).
  std::string n, e, crv, x, y;
  // base64url of {"alg":"…","typ":"at+jwt","kid":"…"}: the header of every access token.
  std::string access_token_header;
};

namespace detail {
// base64url of the JWS protected header {"alg":…,"typ":…,"kid":…}, members in that order
// (defined in sign.cpp).
std::string encode_protected_header(algorithm alg, std::string_view typ, std::string_view kid);
} // namespace detail

} // namespace oauth::jwt
