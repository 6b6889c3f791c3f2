#include "auth-service/oauth/grant.hpp"

#include "auth-service/oauth/scopes.hpp"
#include "common/http/responses.hpp"

#include <boost/json/object.hpp>

namespace oauth::auth {

http::response to_response(const token_response& t) {
  boost::json::object body;
  body.reserve(5);
  body["token_type"] = "Bearer";  // RFC 6750
  body["expires_in"] = t.expires_in;
  body["access_token"] = t.access_token;
  if (t.refresh_token) body["refresh_token"] = *t.refresh_token;
  body["scope"] = join_scopes(t.scopes);
  auto res = http::json_response(http::status::ok, body);
  set_no_store(res);
  return res;
}

token_error store_unavailable() {
  return make_error(oauth_errc::temporarily_unavailable, "The service is temporarily unavailable; try again.",
                    std::chrono::seconds(1));
}

} // namespace oauth::auth
