#pragma once
// JWS ES256 signatures are raw r||s, 32 bytes each (RFC 7518 §3.4); OpenSSL speaks DER (internal).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace oauth::jwt::detail {

constexpr std::size_t p256_field_bytes = 32;
constexpr std::size_t es256_signature_bytes = 2 * p256_field_bytes;

struct der_signature {
  std::array<unsigned char, 72> bytes{};
  std::size_t size = 0;
  std::string_view view() const noexcept { return {reinterpret_cast<const char*>(bytes.data()), size}; }
};

// Strict: exactly 64 bytes, 0 < r < n and 0 < s < n (n: the P-256 group order); nullopt otherwise.
std::optional<der_signature> es256_raw_to_der(std::string_view raw) noexcept;

// DER ECDSA-Sig-Value from OpenSSL → 64-byte r||s, each half left-padded; nullopt when malformed.
std::optional<std::array<unsigned char, es256_signature_bytes>> es256_der_to_raw(std::string_view der) noexcept;

} // namespace oauth::jwt::detail
