#pragma once
// The first-party proxy for the service's own browser pages (issue 5, item 4):
//
//   POST /api/oauth/password/token  JSON {"username","password","scope"} (a form works too)
//        → the password grant run in-process through token_endpoint::process with
//          OAUTH_PASSWORD_CLIENT_ID/SECRET: the same checks, throttling (same client IP),
//          metrics, errors and Cache-Control: no-store as POST /oauth/token. The browser never
//          sees the client secret.
//   POST /api/oauth/refresh         optional JSON {"scope"} (narrowing); the refresh token
//          comes from the cookie → the refresh grant in-process; the rotated token replaces
//          the cookie.
//   POST /api/oauth/logout          revokes the cookie's refresh family (and the access tokens
//          issued from it, as POST /oauth/revoke does) and clears the cookie → 204; 503 with
//          the cookie kept when Redis is down.
//
// The refresh token never appears in a JSON body here: it travels only as the cookie
//   oauth_refresh_token=…; Path=/api/oauth; Max-Age=<REFRESH_TOKEN_TTL>; HttpOnly; SameSite=Strict[; Secure]
// so script on the page (or injected into it) cannot read it; the page keeps the access token
// in memory and asks /api/oauth/refresh for a new one. Clients that want the refresh token
// itself use POST /oauth/token with their own client.
//
// Secure is set when AUTH_ISSUER is https (the public face is TLS) or, with
// TRUST_FORWARDED_PROTO=1, when the request's X-Forwarded-Proto is https. Only set that when
// every request reaches the service through a gateway that overwrites the header (the compose
// gateway does); otherwise a client could choose the attribute.
//
// CSRF (these endpoints act on a cookie): see first_party_security.hpp. Cross-site Origin or
// Sec-Fetch-Site → 403; /refresh and /logout also need Content-Type: application/json or an
// X-Requested-With header (415 otherwise), which a cross-site form cannot send and a
// cross-site fetch cannot send without a preflight this service never approves.
//
// Errors: the token endpoint's, as JSON with no-store, except
//  - the proxy's own client rejected (invalid_client, unauthorized_client: a misconfiguration)
//    → 500 server_error, logged; never a 401 Basic challenge to a browser;
//  - OAUTH_PASSWORD_CLIENT_ID/SECRET unset → 500 server_error (logged once at start-up);
//  - /refresh without a cookie, or with one the grant refuses (invalid_grant) → 400 and the
//    cookie cleared; invalid_scope (a wider scope than granted) leaves the cookie: the refresh
//    grant refuses it before rotating.
#include "auth-service/config/auth_config.hpp"
#include "auth-service/oauth/token_endpoint.hpp"
#include "auth-service/storage/refresh_token_inspector.hpp"
#include "common/http/router.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace oauth::auth {

struct first_party_options {
  std::string client_id;
  std::string client_secret;  // never logged, never sent
  std::chrono::seconds refresh_token_ttl{2'592'000};
  bool always_secure = false;          // AUTH_ISSUER is https
  bool trust_forwarded_proto = false;  // TRUST_FORWARDED_PROTO
  std::vector<std::string> trusted_origins;  // besides the addressed host: the issuer's origin
};

first_party_options first_party_options_from(const auth_config& config);

// `tokens` and `refresh_tokens` must outlive the router; without `refresh_tokens`, logout only
// clears the cookie. Logs a warning now when the client is not configured.
void add_first_party_routes(http::router& r, token_endpoint& tokens, first_party_options options,
                            refresh_token_inspector* refresh_tokens = nullptr);

} // namespace oauth::auth
