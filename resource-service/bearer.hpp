#pragma once
// The bearer middleware (RFC 6750): runs before a protected route's handler, verifies the
// access token offline against our own keys (RFC 9068 §4), checks the route's scope rule and
// puts the caller in request_context::principal (an access_principal). Routes declare their
// rule where they are registered (routes.cpp), so every rule is visible in one place.
#include "common/http/router.hpp"
#include "common/revocation/live_list.hpp"
#include "resource-service/access_token.hpp"
#include "resource-service/key_source.hpp"
#include "resource-service/scopes.hpp"

#include <memory>

namespace oauth::resource {

namespace asio = boost::asio;

// The handler that runs `next` only for a valid token satisfying `rule`; otherwise 401
// (no token / invalid_token), 403 (insufficient_scope) or 503 (no keys loaded yet, or the
// revocation list never loaded since start: fail closed).
// `revoked` (when given) is checked after the signature and claims, in O(1): a revoked jti is
// 401 invalid_token "token revoked" (CONTRACT: "Revocation reaches every resource service").
http::handler require_scopes(std::shared_ptr<key_source> keys, scope_rule rule, http::handler next,
                             std::shared_ptr<const revocation::live_list> revoked = nullptr);

// The principal the middleware stored; a programmer error (std::logic_error) on an
// unprotected route.
const access_principal& principal_of(const http::request_context& ctx);

} // namespace oauth::resource
