#include "common/jwt/detail/ecdsa.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <algorithm>
#include <cstring>

namespace oauth::jwt::detail {
namespace {

// Order n of the P-256 group (SEC 2 §2.4.2 / FIPS 186-4 D.1.2.3), big-endian.
constexpr std::array<unsigned char, p256_field_bytes> p256_order = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

// 0 < v < n for a 32-byte big-endian scalar (public data: no constant-time need).
bool in_range(const unsigned char* v) noexcept {
  bool zero = std::all_of(v, v + p256_field_bytes, [](unsigned char c) { return c == 0; });
  return !zero && std::memcmp(v, p256_order.data(), p256_field_bytes) < 0;
}

// Appends a DER INTEGER holding the unsigned big-endian value v (non-zero).
void put_integer(der_signature& out, const unsigned char* v) noexcept {
  std::size_t skip = 0;
  while (skip < p256_field_bytes - 1 && v[skip] == 0) ++skip;
  std::size_t len = p256_field_bytes - skip;
  bool pad = (v[skip] & 0x80) != 0;  // keep the INTEGER positive
  out.bytes[out.size++] = 0x02;
  out.bytes[out.size++] = static_cast<unsigned char>(len + (pad ? 1 : 0));
  if (pad) out.bytes[out.size++] = 0x00;
  std::memcpy(out.bytes.data() + out.size, v + skip, len);
  out.size += len;
}

} // namespace

std::optional<der_signature> es256_raw_to_der(std::string_view raw) noexcept {
  if (raw.size() != es256_signature_bytes) return std::nullopt;
  auto r = reinterpret_cast<const unsigned char*>(raw.data());
  auto s = r + p256_field_bytes;
  if (!in_range(r) || !in_range(s)) return std::nullopt;
  der_signature out;
  out.bytes[0] = 0x30;
  out.size = 2;  // content is at most 2 * 35 = 70 bytes: short-form length
  put_integer(out, r);
  put_integer(out, s);
  out.bytes[1] = static_cast<unsigned char>(out.size - 2);
  return out;
}

std::optional<std::array<unsigned char, es256_signature_bytes>> es256_der_to_raw(std::string_view der) noexcept {
  auto p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) return std::nullopt;
  std::array<unsigned char, es256_signature_bytes> raw{};
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  bool ok = BN_bn2binpad(r, raw.data(), p256_field_bytes) == static_cast<int>(p256_field_bytes) &&
            BN_bn2binpad(s, raw.data() + p256_field_bytes, p256_field_bytes) == static_cast<int>(p256_field_bytes);
  ECDSA_SIG_free(sig);
  if (!ok) return std::nullopt;
  return raw;
}

} // namespace oauth::jwt::detail
