#pragma once
#include <string>

namespace oauth {

// Cryptographically secure random bytes (OpenSSL's DRBG). Throws only if the DRBG fails.
std::string random_bytes(std::size_t count);
// 256 bits of randomness as base64url: refresh tokens, client secrets.
std::string random_token();
// Random UUID version 4 in canonical text form (ids, jti).
std::string random_uuid();
// The same, drawn from a per-thread buffer of DRBG output refilled 32 UUIDs at a time: for
// identifiers that are not secrets and are made on every request (X-Request-Id). One
// RAND_bytes call costs a lock, a getpid(2) (OpenSSL's fork check) and the DRBG set-up.
std::string random_request_id();

} // namespace oauth
