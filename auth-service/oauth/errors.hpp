#pragma once
// The one table from OAuth error code to HTTP response (RFC 6749 §5.2, RFC 6585 §4 for 429).
// Every response of the token endpoint, success or error, carries
// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1).
#include "common/http/types.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace oauth::auth {

enum class oauth_errc {
  invalid_request,          // RFC 6749 §5.2: missing/repeated/malformed parameter
  invalid_client,           // §5.2: client authentication failed → 401 + WWW-Authenticate
  invalid_grant,            // §5.2: bad credentials, invalid/expired/revoked/reused refresh token
  unauthorized_client,      // §5.2: the client may not use this grant type
  unsupported_grant_type,   // §5.2
  invalid_scope,            // §5.2, §3.3
  too_many_requests,        // password throttling (RFC 6585 §4) → 429 + Retry-After
  temporarily_unavailable,  // a backing store is down (RFC 6749 §4.1.2.1 code, here as 503)
  server_error,             // a bug; never for a store failure
};

struct oauth_error_info {
  oauth_errc code;
  std::string_view name;  // the "error" member
  http::status status;
};

// The table itself; one row per oauth_errc, in enum order.
const oauth_error_info& error_info(oauth_errc code) noexcept;

// An error as the grants return it.
struct token_error {
  oauth_errc code = oauth_errc::invalid_request;
  std::string description;              // error_description: safe for the client, never a secret
  std::chrono::seconds retry_after{0};  // too_many_requests, temporarily_unavailable
};

token_error make_error(oauth_errc code, std::string description, std::chrono::seconds retry_after = {});

// Cache-Control: no-store, Pragma: no-cache (RFC 6749 §5.1).
void set_no_store(http::response& res);

// {"error","error_description"} with the status and headers of the table, plus no-store.
http::response to_response(const token_error& e);

} // namespace oauth::auth
