#pragma once
// Access tokens as JWTs (RFC 9068): header {"alg","typ":"at+jwt","kid"} (§2.1), claims iss,
// sub, aud, client_id, scope, jti, iat, nbf, exp (§2.2). Signing is the only CPU-heavy step
// on the issuance path; it runs on the calling (I/O) thread, which is what bounds throughput.
#include "common/jwt/key.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth {

struct access_token_claims {
  std::string subject;    // user id; the client id for client credentials (RFC 9068 §2.2)
  std::string client_id;
  std::vector<std::string> scopes;
  std::string jti;
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
};

struct issued_access_token {
  std::string token;
  std::string jti;
  std::int64_t expires_at = 0;
};

class token_issuer {
public:
  // Returns the key that signs now (the key manager's newest key); a copy is cheap.
  using key_source = std::function<jwt::key()>;

  token_issuer(key_source keys, std::string issuer, std::string audience, std::chrono::seconds ttl);

  std::chrono::seconds ttl() const noexcept { return ttl_; }

  // Pure: the claims object, in a fixed member order.
  boost::json::object claims(const access_token_claims& c) const;

  // jti and expiry decided first, so a caller can store them before signing.
  access_token_claims prepare(std::string subject, std::string client_id, std::vector<std::string> scopes,
                              std::int64_t now) const;
  issued_access_token sign(const access_token_claims& c) const;

private:
  key_source keys_;
  std::string issuer_;
  std::string audience_;
  std::chrono::seconds ttl_;
};

} // namespace oauth::auth
