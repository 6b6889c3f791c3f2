#pragma once
// PKCE, Proof Key for Code Exchange (RFC 7636), S256 only (../shared/CONTRACT.md, "Users in the
// browser": PKCE is required for public clients and verified whenever a challenge was sent).
//
// Decisions:
//  - Only S256 (RFC 7636 §4.2). `plain` would hand the secret to anyone who sees the
//    authorization request; RFC 9700 §2.1.1 says not to use it. The method check is the
//    caller's; these functions assume S256.
//  - A code_verifier is 43..128 characters of the unreserved set [A-Za-z0-9-._~] (§4.1).
//    Anything else is refused before hashing, so a malformed verifier never "matches".
//  - A code_challenge is what S256 can produce and nothing else: exactly 43 base64url
//    characters, no padding, decoding to the 32 bytes of a SHA-256 digest (canonical, i.e.
//    the unused low bits of the last character are zero). A challenge that no verifier could
//    ever meet is refused at the authorization request (invalid_request) rather than at the
//    token request.
//  - The comparison is constant-time (the lengths are checked first, and are public).
#include <string>
#include <string_view>

namespace oauth::auth {

// RFC 7636 §4.1: 43..128 characters of [A-Za-z0-9-._~].
bool is_valid_code_verifier(std::string_view verifier) noexcept;

// RFC 7636 §4.2 (S256): 43 base64url characters without padding, a canonical 32-byte digest.
bool is_valid_code_challenge(std::string_view challenge);

// BASE64URL(SHA256(ASCII(verifier))) without padding (§4.2). Hashes whatever it is given:
// validating the verifier is is_valid_code_verifier's job. Throws only if OpenSSL fails (a bug
// or an exhausted process, not an input error).
std::string s256_challenge(std::string_view verifier);

// §4.6: the verifier is well-formed and its S256 challenge equals `challenge` (constant time).
bool verify_s256(std::string_view verifier, std::string_view challenge);

} // namespace oauth::auth
