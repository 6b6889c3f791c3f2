#pragma once
// RFC 6750 bearer credentials and challenges, as pure functions:
//   extract_bearer   Authorization header → token (§2.1)
//   www_authenticate the WWW-Authenticate value (§3)
//   *_response       the error responses of ../shared/CONTRACT.md, "Bearer errors"
#include "common/http/types.hpp"
#include "resource-service/scopes.hpp"

#include <string>
#include <string_view>

namespace oauth::resource {

inline constexpr std::string_view realm = "posts";

struct bearer_credentials {
  enum class kind {
    none,       // no Authorization header, or another scheme (Basic...)
    token,      // "Bearer <b64token>"
    malformed,  // "Bearer" with no token, several tokens, or characters outside b64token
  };
  kind what = kind::none;
  std::string_view token;  // a view into the header value, for kind::token
};

// Scheme matched case-insensitively (RFC 7235 §2.1); the token must be b64token
// (RFC 6750 §2.1: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" then "=" padding).
bearer_credentials extract_bearer(std::string_view authorization);

struct challenge {
  std::string_view error;        // empty: none (no credentials were sent, §3.1)
  std::string_view description;  // error_description
  std::string_view scope;        // for insufficient_scope
};

// Bearer realm="posts"[, error="…"][, error_description="…"][, scope="…"]. Characters the
// quoted values may not hold (§3: %x20-21 / %x23-5B / %x5D-7E) are replaced by spaces.
std::string www_authenticate(const challenge& c);

// 401, WWW-Authenticate: Bearer realm="posts"; body {"error":"unauthorized",...}.
http::response missing_token_response();
// 401 invalid_token with its description in the header and the body.
http::response invalid_token_response(std::string_view description);
// 403 insufficient_scope with scope="<required>".
http::response insufficient_scope_response(const scope_rule& rule);
// 503 while no verification key is loaded yet (Retry-After: 1).
http::response keys_unavailable_response();
// 503 while the revocation list has never been loaded since start (Retry-After: 1): the token
// may have been revoked while this process was away (fail closed).
http::response revocations_unavailable_response();

} // namespace oauth::resource
