#pragma once
// A signing or verification key bound to exactly one JWS algorithm (RFC 8725 §3.1:
// "each key MUST be used with exactly one algorithm").
//
// A key is a cheap, immutable handle: copies share one EVP_PKEY, and concurrent sign/verify
// calls with the same key from many threads are safe. Its kid is the RFC 7638 thumbprint,
// computed once when the key is made (a key read from a JWK keeps the JWK's own kid, see from_jwk).
#include "common/jwt/algorithm.hpp"
#include "common/jwt/errors.hpp"

#include <boost/json/object.hpp>
#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

namespace oauth::jwt {

class key {
public:
  // A new private key: RSA 2048/3072/4096 for RS256 (anything else: errc::bad_key),
  // P-256 for ES256, Ed25519 for EdDSA (rsa_bits is then ignored).
  static result<key> generate(algorithm alg, int rsa_bits = 2048);

  // A private key (PKCS#8 "PRIVATE KEY", or the traditional "RSA/EC PRIVATE KEY") or a public key
  // (SPKI "PUBLIC KEY"); the first key in the text is used. The algorithm follows from the key
  // type: RSA → RS256, EC P-256 → ES256, Ed25519 → EdDSA. Refused (errc::bad_key or
  // errc::unsupported_key): encrypted PEM (never prompts), RSA below 2048 or above 8192 bits,
  // RSA exponents that are even, below 65537 or above 2^64, other curves, RSA-PSS keys,
  // invalid EC points.
  static result<key> from_pem(std::string_view pem);

  // A public JWK (RFC 7517), strictly:
  //  - kty RSA needs alg RS256; kty EC needs crv P-256 and alg ES256; kty OKP needs crv Ed25519
  //    and alg EdDSA. alg is REQUIRED (the key is used with exactly the algorithm it names).
  //  - errc::unsupported_key: another kty/crv/alg, no alg, use other than "sig", key_ops
  //    without "verify" (a key set skips these);
  //  - errc::key_algorithm_mismatch: alg contradicts kty/crv (e.g. an RSA key with alg ES256);
  //  - errc::bad_key: private members (d, p, q, dp, dq, qi, oth, k), values that are not strict
  //    base64url, RSA n or e with a leading zero octet, n outside 2048..8192 bits, e as above, EC
  //    coordinates not 32 octets or not a point on the curve, Ed25519 x not 32 octets.
  // kid: the JWK's "kid" string when present (so tokens naming it find the key), otherwise the
  // RFC 7638 thumbprint.
  static result<key> from_jwk(const boost::json::object& jwk);

  algorithm alg() const noexcept;
  const std::string& kid() const noexcept;
  bool has_private() const noexcept;
  int bits() const noexcept;  // RSA modulus size, 256 for P-256 and Ed25519

  // PKCS#8 PEM. Throws std::logic_error for a public-only key (a programmer error).
  std::string private_pem() const;
  // SPKI PEM ("-----BEGIN PUBLIC KEY-----").
  std::string public_pem() const;
  // {"kty","n","e"} or {"kty","crv","x"[,"y"]}, plus "alg", "use":"sig" and "kid".
  boost::json::object public_jwk() const;
  // The same key without its private part (what a verifier needs).
  key public_key() const;

  // The underlying key, owned by this object; valid while any copy of it lives.
  EVP_PKEY* native_handle() const noexcept;

  // Internal state shared by copies; public so that sign.cpp can reach the cached header.
  struct impl;
  const impl& internals() const noexcept { return *impl_; }

private:
  explicit key(std::shared_ptr<const impl> p) noexcept : impl_(std::move(p)) {}
  std::shared_ptr<const impl> impl_;
};

// RFC 7638 JWK thumbprint: base64url(SHA-256(canonical JSON of the required public members in
// lexicographic order)). Computed from the key material, so it does not depend on any kid.
std::string thumbprint(const key& k);

} // namespace oauth::jwt
