#pragma once
// The resource service's RFC 6750 challenges: the error responses of ../shared/CONTRACT.md,
// "Bearer errors", with realm="posts".
#include "common/http/bearer.hpp"
#include "common/http/types.hpp"
#include "resource-service/scopes.hpp"

#include <string>
#include <string_view>

namespace oauth::resource {

inline constexpr std::string_view realm = "posts";

// The parser and challenge builder are common/http/bearer.hpp (shared with the auth service).
using http::bearer_credentials;
using http::extract_bearer;
using challenge = http::bearer_challenge;

// Bearer realm="posts"[, error="…"][, error_description="…"][, scope="…"].
inline std::string www_authenticate(const challenge& c) { return http::www_authenticate_bearer(realm, c); }

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
