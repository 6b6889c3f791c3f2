#pragma once
// POST /oauth/introspect (RFC 7662), authenticated by any confidential client (a public client
// → 401 invalid_client). Any such client may introspect any token (§2.1 leaves the policy to the
// server; the contract asks for "any confidential client").
//
// Answers (200, application/json, Cache-Control: no-store):
//  - an access token of ours (JWT, signature valid, not expired with NO leeway, jti not
//    revoked): {"active":true,"scope","client_id","sub","exp","iat","nbf","iss","aud","jti",
//    "token_type":"Bearer"} (personal access tokens included: they are access tokens);
//  - a refresh token that is live (not rotated, family not revoked, not expired; looked up by
//    its hash without rotating): {"active":true,"scope","client_id","sub","exp",
//    "token_type":"refresh_token"} (sub is the user);
//  - anything else (expired, revoked, rotated, unknown, malformed, another issuer's):
//    {"active":false} and nothing more (§2.2).
// token_type_hint is accepted and not needed (the token's shape tells). A store failure while
// looking up a refresh token → 503 temporarily_unavailable.
#include "auth-service/oauth/bearer.hpp"
#include "auth-service/storage/client_store.hpp"
#include "auth-service/storage/refresh_token_inspector.hpp"
#include "common/http/router.hpp"
#include "common/jwt/verify.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

namespace oauth::auth {

// Pure response shaping.
boost::json::object introspect_inactive();
boost::json::object introspect_access_token(const jwt::verified_token& t);
boost::json::object introspect_refresh_token(const refresh_token_info& info);
// 200 JSON with no-store.
http::response introspection_response(const boost::json::object& body);

class introspection_endpoint {
public:
  struct dependencies {
    client_store& clients;
    const access_token_verifier& verifier;
    refresh_token_inspector& refresh_tokens;
  };
  explicit introspection_endpoint(dependencies deps) : deps_(deps) {}

  boost::asio::awaitable<http::response> handle(http::request_context& ctx);

private:
  dependencies deps_;
};

class revocation_endpoint;

// POST /oauth/revoke and POST /oauth/introspect; the endpoints must outlive the router.
void add_revocation_routes(http::router& r, revocation_endpoint& revoke, introspection_endpoint& introspect);

} // namespace oauth::auth
