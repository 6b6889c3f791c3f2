#include "auth-service/oauth/token_issuer.hpp"

#include "auth-service/oauth/scopes.hpp"
#include "common/jwt/sign.hpp"
#include "common/random.hpp"

namespace oauth::auth {

token_issuer::token_issuer(key_source keys, std::string issuer, std::string audience, std::chrono::seconds ttl)
    : keys_(std::move(keys)), issuer_(std::move(issuer)), audience_(std::move(audience)), ttl_(ttl) {}

boost::json::object token_issuer::claims(const access_token_claims& c) const {
  boost::json::object o;
  o.reserve(9);
  o["iss"] = issuer_;
  o["sub"] = c.subject;
  o["aud"] = audience_;
  o["client_id"] = c.client_id;
  o["scope"] = join_scopes(c.scopes);  // RFC 9068 §2.2.3: space-delimited, as RFC 8693 §4.2
  o["jti"] = c.jti;
  o["iat"] = c.issued_at;
  o["nbf"] = c.issued_at;
  o["exp"] = c.expires_at;
  return o;
}

access_token_claims token_issuer::prepare(std::string subject, std::string client_id, std::vector<std::string> scopes,
                                          std::int64_t now) const {
  return access_token_claims{std::move(subject), std::move(client_id), std::move(scopes), random_uuid(), now,
                             now + ttl_.count()};
}

issued_access_token token_issuer::sign(const access_token_claims& c) const {
  return issued_access_token{jwt::sign(keys_(), claims(c), "at+jwt"), c.jti, c.expires_at};
}

} // namespace oauth::auth
