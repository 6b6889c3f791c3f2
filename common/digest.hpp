#pragma once
// SHA-256 and HMAC-SHA-256 (OpenSSL EVP), the digests of codes, tokens, verifiers, session ids
// and key material. Both throw std::runtime_error only if OpenSSL itself fails.
#include <array>
#include <span>
#include <string_view>

namespace oauth {

using sha256_digest = std::array<unsigned char, 32>;

sha256_digest sha256(std::string_view data);

// Writes the MAC into `out` (no copy left elsewhere: callers deriving keys cleanse `out`).
void hmac_sha256(std::string_view key, std::string_view data, std::span<unsigned char, 32> out);
sha256_digest hmac_sha256(std::string_view key, std::string_view data);

} // namespace oauth
