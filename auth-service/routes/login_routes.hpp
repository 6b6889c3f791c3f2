#pragma once
// Login and logout for people in the browser (../shared/CONTRACT.md, "Login session"):
//
//   GET  /login?return_to=<path>  the form (email, password, hidden csrf_token and return_to)
//   POST /login                   → 303 to return_to with a NEW session cookie; 401 with the
//                                   form and a message for wrong credentials; 403 for a missing
//                                   or wrong CSRF token or a foreign Origin; 429 + Retry-After
//                                   when throttled (password_login: the password grant's rule
//                                   and counters); 503 + Retry-After when Redis, PostgreSQL or
//                                   the hashing pool cannot serve.
//   POST /logout                  the session's CSRF token as a form field, or Content-Type
//                                   application/json from the same origin → the session ended,
//                                   the cookie cleared, 303 to /login (also without a session).
//
// Decisions:
//  - Before a session exists, the login form's CSRF token is a double submit: a random value
//    in an HttpOnly cookie (Path=/login, SameSite=Strict) and the same value as the hidden
//    input, compared in constant time. An existing well-formed cookie is reused, so two tabs'
//    forms both work. Origin / Sec-Fetch-Site must not be cross-site (first_party_security).
//  - return_to is sanitised twice: when the form is rendered and when the login succeeds
//    (session/return_to.hpp): only a path on this service, anything else becomes "/".
//  - A login ends the session the request came with (a new id each time: no fixation).
//  - Every response is no-store; pages carry X-Frame-Options DENY and frame-ancestors 'none'.
#include "auth-service/oauth/password_login.hpp"
#include "auth-service/session/browser_sessions.hpp"
#include "common/http/router.hpp"

#include <string>
#include <vector>

namespace oauth::auth {

struct login_routes_options {
  std::vector<std::string> trusted_origins;  // besides the addressed host: the issuer's origin
};

// `login` and `sessions` must outlive the router.
void add_login_routes(http::router& r, password_login& login, browser_sessions& sessions,
                      login_routes_options options);

} // namespace oauth::auth
