#pragma once
// Pure rules of the browser-facing endpoints (first_party_routes, web_routes): the refresh
// cookie, the cross-site request checks, origins and HTML escaping. No I/O; unit-tested.
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace oauth::auth::first_party {

inline constexpr std::string_view refresh_cookie_name = "oauth_refresh_token";
inline constexpr std::string_view refresh_cookie_path = "/api/oauth";
// A custom header a cross-site page cannot send without a CORS preflight (which this service
// never approves): the alternative to a JSON Content-Type for the cookie endpoints.
inline constexpr std::string_view csrf_header = "X-Requested-With";

// & < > " ' escaped, for text and attribute values.
std::string html_escape(std::string_view text);

// Cookie `name` across every Cookie header of a request. Sent more than once, it is refused
// (400 invalid_request): cookie tossing. A cookie planted by a sibling subdomain (Domain=) or
// for a longer path arrives next to ours with the same name, and the server cannot tell which
// is which (RFC 6265 §8.6, §8.7): taking the first would let the planted one win.
struct single_cookie {
  enum class kind { absent, one, repeated };
  kind what = kind::absent;
  std::string value;  // for kind::one, unquoted
};
single_cookie find_single_cookie(std::span<const std::string_view> cookie_headers, std::string_view name);

// Set-Cookie values: the refresh token, and the same cookie expired.
//   oauth_refresh_token=<t>; Path=/api/oauth; Max-Age=<ttl>; HttpOnly; SameSite=Strict[; Secure]
std::string refresh_cookie(std::string_view token, std::chrono::seconds max_age, bool secure);
std::string cleared_refresh_cookie(bool secure);

// True when X-Forwarded-Proto's first (client-side) value is https.
bool forwarded_https(std::string_view x_forwarded_proto);

// What a request says about where it comes from.
struct request_origin {
  std::string_view origin;          // Origin header ("" when absent)
  std::string_view sec_fetch_site;  // Sec-Fetch-Site header ("" when absent)
  std::string_view host;            // Host header: the origin the browser addressed
  std::string_view content_type;
  bool has_csrf_header = false;     // X-Requested-With present
};

enum class csrf_verdict {
  allowed,
  foreign_origin,   // Origin is neither the addressed host nor a trusted origin → 403
  cross_site_fetch, // Sec-Fetch-Site is present and not same-origin → 403
  not_json,         // a body an HTML form could have sent (see body_rule) → 415
};

// What the body of a request must be so that no HTML form of another site could send it.
enum class body_rule {
  any,
  json_or_csrf_header,  // Content-Type application/json, or an X-Requested-With header (the cookie endpoints)
  json,                 // Content-Type application/json only (the login proxy: CONTRACT.md)
};

// The CSRF rules (OWASP: verify the source origin against the target origin; Fetch
// Metadata):
//  - Sec-Fetch-Site, when the browser sends it, must be "same-origin" ("same-site" is not
//    enough: every port of a host is one site, and SameSite=Strict lets such requests carry
//    the cookie);
//  - Origin, when sent, must name the host the request addressed (Host, any scheme) or one of
//    `trusted` (the issuer's origin);
//  - the body must follow `body`: a request a form cannot send (Content-Type
//    application/json, or for json_or_csrf_header an X-Requested-With header).
// Neither header present (curl, a server-side client, an old browser) passes the first two:
// such clients do not carry a victim's cookies, and the third rule still holds for them.
csrf_verdict check_csrf(const request_origin& r, std::span<const std::string> trusted, body_rule body);

} // namespace oauth::auth::first_party
