#pragma once
// The two ways the refresh-token store derives something from a token (pure, unit-tested).
//
//  - lookup hash: hex SHA-256 of the token, the only form in which a token is stored;
//  - grace seal: within REFRESH_REUSE_GRACE the successor of a rotated token must be
//    handed out again, so it is kept, but only encrypted (AES-256-GCM) under a key derived
//    from the PRESENTED token with a different, domain-separated derivation
//    (HMAC-SHA-256(key = token, "oauth2 refresh grace key v1")). Redis holds only the
//    lookup hash, from which that key cannot be computed: only a holder of the old token can
//    recover the successor. The lookup hash is the AAD, binding a sealed value to its record.
#include <optional>
#include <string>
#include <string_view>

namespace oauth::auth {

// 64 lower-case hex characters.
std::string refresh_token_hash(std::string_view token);

// base64url(nonce(12) || ciphertext || tag(16)).
std::string seal_successor(std::string_view presented_token, std::string_view successor_token);
// nullopt when the value was not sealed under this token (or was altered).
std::optional<std::string> open_successor(std::string_view presented_token, std::string_view sealed);

} // namespace oauth::auth
