#pragma once
// Access tokens minted by a test (the auth service's shape, RFC 9068), for the resource
// service's checks. One helper for every test: an expired token has iat and nbf before exp.
#include "common/jwt/sign.hpp"
#include "common/random.hpp"
#include "common/time.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace oauth::test {

struct minted_claims {
  std::string_view issuer;
  std::string_view audience = "posts-api";
  std::string_view sub = "user-1";
  std::string_view client_id = "client-1";
  std::string_view scope = "read-posts";
  std::int64_t exp_offset = 3600;  // seconds from now; negative: already expired
};

// iat = nbf = now, or a minute before exp for a token that expired already: never after exp.
inline std::string mint_access_token(const jwt::key& key, const minted_claims& m) {
  const std::int64_t now = unix_now();
  const std::int64_t issued = std::min(now, now + m.exp_offset - 60);
  boost::json::object c;
  c["iss"] = m.issuer;
  c["sub"] = m.sub;
  c["aud"] = m.audience;
  c["client_id"] = m.client_id;
  c["scope"] = m.scope;
  c["jti"] = random_uuid();
  c["iat"] = issued;
  c["nbf"] = issued;
  c["exp"] = now + m.exp_offset;
  return jwt::sign(key, c);
}

} // namespace oauth::test
