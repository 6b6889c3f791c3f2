#pragma once
// JWS algorithms this platform signs and verifies (RFC 7518 §3.1, RFC 8037 §3.1).
// Deliberately no "none" and no HMAC: access tokens are verified with public keys only (RFC 8725 §3.1).
#include <optional>
#include <string_view>

namespace oauth::jwt {

enum class algorithm {
  rs256,  // RSASSA-PKCS1-v1_5 with SHA-256
  es256,  // ECDSA P-256 with SHA-256, signature as raw r||s (RFC 7518 §3.4)
  eddsa,  // Ed25519 (RFC 8037)
};

// Exact, case-sensitive: "RS256", "ES256", "EdDSA" (RFC 7515 §4.1.1: alg is case-sensitive).
std::optional<algorithm> parse_algorithm(std::string_view text) noexcept;
std::string_view name(algorithm alg) noexcept;

} // namespace oauth::jwt
