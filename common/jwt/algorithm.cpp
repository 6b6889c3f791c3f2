#include "common/jwt/algorithm.hpp"

namespace oauth::jwt {

std::optional<algorithm> parse_algorithm(std::string_view text) noexcept {
  if (text == "RS256") return algorithm::rs256;
  if (text == "ES256") return algorithm::es256;
  if (text == "EdDSA") return algorithm::eddsa;
  return std::nullopt;
}

std::string_view name(algorithm alg) noexcept {
  switch (alg) {
    case algorithm::rs256: return "RS256";
    case algorithm::es256: return "ES256";
    case algorithm::eddsa: return "EdDSA";
  }
  return "unknown";
}

} // namespace oauth::jwt
