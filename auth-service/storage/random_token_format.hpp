#pragma once
// The shape of the random secrets the browser-flow stores hand out (common/random.hpp
// random_token(): 32 random bytes as base64url without padding, 43 characters). A presented
// value without that shape (another length or alphabet, a NUL byte, non-zero trailing bits)
// cannot name a record, so the stores refuse it without a round trip to Redis.
#include "common/encoding.hpp"

#include <string_view>

namespace oauth::auth {

inline constexpr std::size_t random_token_length = 43;

inline bool is_random_token(std::string_view text) {
  if (text.size() != random_token_length) return false;
  auto bytes = base64url_decode(text);  // strict: alphabet, length, trailing bits
  return bytes.has_value() && bytes->size() == 32;
}

} // namespace oauth::auth
