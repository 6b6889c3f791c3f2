#pragma once
// The token playground (issue 5, item 5), compiled into the binary (auth-service/cmake/web.cmake):
//   GET /playground             the page; {{API_BASE}} ← PLAYGROUND_API_URL, {{ISSUER}} ←
//                               AUTH_ISSUER, {{REDIRECT_URI}} ← <AUTH_ISSUER>/playground/callback,
//                               {{PLAYGROUND_CLIENT}} ← the playground client, asked for at
//                               every load (a cache in front: oauth/playground_client_cache.hpp)
//                               as <meta name="playground-client" content="<id>"
//                               data-state="ready|missing|unavailable"> (every value HTML-escaped)
//   GET /playground/callback    the same page, with the same headers: the "Authorization code +
//                               PKCE" panel's redirect URI (app.js reads the response from the query)
//   GET /playground/app.js      text/javascript
//   GET /playground/style.css   text/css
//   GET /playground/favicon.svg image/svg+xml
//
// Every response: X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer (the callback's
// URL carries the code: no Referer may repeat it). The page also:
//   Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self';
//     connect-src 'self' <PLAYGROUND_API_URL's origin>; img-src 'self'; base-uri 'none';
//     form-action 'none'; frame-ancestors 'none'
//   X-Frame-Options: DENY (older browsers), Cache-Control: no-cache.
// The page links the assets as /playground/app.js?v=<hash of the content>; with the current
// hash they are cached for a year (immutable), any other request revalidates (no-cache).
#include "auth-service/config/auth_config.hpp"
#include "auth-service/storage/playground_client_store.hpp"
#include "common/http/router.hpp"

#include <string>

namespace oauth::auth {

struct web_options {
  std::string api_base = "http://localhost:8082";  // PLAYGROUND_API_URL; "/" = same origin
  std::string issuer = "http://localhost:8081";    // AUTH_ISSUER (the code panel's iss and redirect URI)
};

web_options web_options_from(const auth_config& config);

// The Content-Security-Policy of the page for this API base.
std::string playground_csp(const std::string& api_base);

// `playground` (must outlive the router): which client the code panel acts as.
void add_web_routes(http::router& r, const web_options& options, playground_client_store& playground);

} // namespace oauth::auth
