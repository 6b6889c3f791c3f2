#include "auth-service/authorize/pkce.hpp"

#include "common/digest.hpp"
#include "common/encoding.hpp"


namespace oauth::auth {
namespace {

constexpr std::size_t verifier_min = 43;
constexpr std::size_t verifier_max = 128;
constexpr std::size_t sha256_size = 32;
constexpr std::size_t challenge_size = 43;  // ceil(32 * 4 / 3) base64url characters, unpadded

bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

} // namespace

bool is_valid_code_verifier(std::string_view verifier) noexcept {
  if (verifier.size() < verifier_min || verifier.size() > verifier_max) return false;
  for (unsigned char c : verifier)
    if (!is_unreserved(c)) return false;
  return true;
}

bool is_valid_code_challenge(std::string_view challenge) {
  if (challenge.size() != challenge_size) return false;
  // The strict decoder refuses padding, characters outside [A-Za-z0-9-_] and non-zero
  // trailing bits; 43 characters then always decode to 32 bytes.
  auto digest = base64url_decode(challenge);
  return digest && digest->size() == sha256_size;
}

std::string s256_challenge(std::string_view verifier) {
  const auto digest = sha256(verifier);
  return base64url_encode(digest);
}

bool verify_s256(std::string_view verifier, std::string_view challenge) {
  if (!is_valid_code_verifier(verifier)) return false;
  // constant_time_equal checks the lengths first, then CRYPTO_memcmp.
  return constant_time_equal(s256_challenge(verifier), challenge);
}

} // namespace oauth::auth
