#pragma once
// The authorization endpoint (RFC 6749 §4.1; ../shared/CONTRACT.md "GET /oauth/authorize"):
//
//   GET  /oauth/authorize   validate (authorize/authorize_request.hpp) → no session: 302 to
//                           /login?return_to=<this request> (prompt=none: login_required) →
//                           the user's own scopes (invalid_scope) → consent: first-party
//                           clients and remembered consent covering the request skip it
//                           (unless prompt=consent; prompt=none: consent_required), otherwise
//                           the consent page → 302 redirect_uri?code&state&iss.
//   POST /oauth/authorize   the consent page's form: the session's CSRF token, the request's
//                           parameters (validated again, nothing trusted from the page) and
//                           decision=approve|deny → approve: the consent is remembered and a
//                           code issued (302); deny: 302 with access_denied.
//
// The code (authorization_code_store): 256 random bits, stored hashed, single use, bound to
// the client, redirect URI, user, scopes and challenge, AUTH_CODE_TTL seconds.
// Every answer is no-store; pages have the pages' CSP (its form-action names the client's
// redirect URI origin so that the browser follows the 302 after the consent form).
#include "auth-service/session/browser_sessions.hpp"
#include "auth-service/authorize/code_seal.hpp"
#include "auth-service/storage/authorization_code_store.hpp"
#include "auth-service/storage/client_store.hpp"
#include "auth-service/storage/consent_store.hpp"
#include "auth-service/storage/user_store.hpp"
#include "common/http/router.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace oauth::auth {

struct authorize_dependencies {
  client_store& clients;
  user_store& users;
  consent_store& consents;
  authorization_code_store& codes;
  code_keys_source code_keys;               // seals the codes (authorize/code_seal.hpp)
  std::chrono::seconds code_key_delay{35};  // choose_sealing_key: KEY_RELOAD_SECONDS + 5
  browser_sessions& sessions;
  std::string issuer;                       // AUTH_ISSUER: the iss of every response (RFC 9207)
  std::chrono::seconds code_ttl{60};        // AUTH_CODE_TTL
  std::vector<std::string> trusted_origins; // for the consent form's Origin check
};

// Everything in `deps` must outlive the router.
void add_authorize_routes(http::router& r, authorize_dependencies deps);

} // namespace oauth::auth
