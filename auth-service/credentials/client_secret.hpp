#pragma once
// Client secrets are 256-bit random values, so a fast keyed hash is enough (no
// password-hashing cost on every machine-to-machine request): HMAC-SHA-256 keyed with a
// per-client random salt. Stored as "hmac-sha256$<salt>$<mac>" (base64url).
#include <string>
#include <string_view>

namespace oauth::auth {

// A new secret for a confidential client (base64url of 32 random bytes).
std::string generate_client_secret();
std::string hash_client_secret(std::string_view secret);
// Constant-time comparison of the MAC; false for any malformed stored value.
bool verify_client_secret(std::string_view secret, std::string_view stored);

} // namespace oauth::auth
