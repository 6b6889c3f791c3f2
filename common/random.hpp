#pragma once
#include <string>

namespace oauth {

// Cryptographically secure random bytes (OpenSSL's DRBG). Throws only if the DRBG fails.
std::string random_bytes(std::size_t count);
// 256 bits of randomness as base64url: refresh tokens, client secrets.
std::string random_token();
// Random UUID version 4 in canonical text form (ids, jti, request ids).
std::string random_uuid();

} // namespace oauth
