#include "common/jwt/errors.hpp"

#include <string>

namespace oauth::jwt {
namespace {

class category final : public boost::system::error_category {
public:
  // A fixed id so that codes compare equal across shared-library boundaries.
  constexpr category() noexcept : error_category(0x6a77745f6f617531ULL) {}
  const char* name() const noexcept override { return "oauth.jwt"; }
  std::string message(int ev) const override { return message(ev, nullptr, 0); }
  const char* message(int ev, char*, std::size_t) const noexcept override {
    switch (static_cast<errc>(ev)) {
      case errc::malformed: return "malformed token";
      case errc::too_large: return "token too large";
      case errc::bad_encoding: return "malformed token encoding";
      case errc::bad_json: return "malformed token JSON";
      case errc::unsupported_algorithm: return "unsupported signing algorithm";
      case errc::algorithm_not_allowed: return "signing algorithm not allowed";
      case errc::key_algorithm_mismatch: return "signing algorithm does not match the key";
      case errc::unknown_key: return "unknown signing key";
      case errc::bad_signature: return "signature verification failed";
      case errc::wrong_type: return "wrong token type";
      case errc::wrong_issuer: return "wrong token issuer";
      case errc::wrong_audience: return "wrong token audience";
      case errc::expired: return "token expired";
      case errc::not_yet_valid: return "token not yet valid";
      case errc::issued_in_future: return "token issued in the future";
      case errc::missing_claim: return "required claim missing";
      case errc::invalid_claim: return "invalid claim";
      case errc::bad_key: return "invalid key";
      case errc::unsupported_key: return "unsupported key";
      case errc::unsupported_header: return "unsupported token header parameter";
      case errc::no_signing_key: return "no signing key";
      case errc::insecure_key_file: return "key file is a symbolic link or accessible by group or others (chmod 600)";
    }
    return "unknown JWT error";
  }
};

constexpr category the_category;

} // namespace

const boost::system::error_category& jwt_category() noexcept { return the_category; }

} // namespace oauth::jwt
