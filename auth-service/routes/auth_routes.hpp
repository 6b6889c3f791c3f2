#pragma once
// The auth service's routes (CONTRACT.md, "Auth service endpoints"):
//   POST /oauth/token                           token_endpoint (body limit 16 KiB)
//   GET  /.well-known/jwks.json                 every published key; Cache-Control: public, max-age=60
//   GET  /.well-known/oauth-authorization-server  RFC 8414; Cache-Control: public, max-age=300
//   GET  /oauth/scopes                          [{"id","description"}]
//
// JWKS max-age: 60 s. A key added by `authctl keys --force` signs as soon as a replica reloads
// (SIGHUP, or by itself within KEY_RELOAD_SECONDS ≤ 60 s), so caches must not hold the old
// document long; 60 s keeps the worst case near two minutes even for a verifier that only
// honours the cache header (verifiers should also refetch on an unknown kid). The document is
// tiny and served from memory, so short caching costs nothing.
#include "auth-service/keys/key_manager.hpp"
#include "auth-service/oauth/token_endpoint.hpp"
#include "auth-service/routes/metadata.hpp"
#include "common/http/router.hpp"

#include <chrono>
#include <memory>

namespace oauth::auth {

inline constexpr std::chrono::seconds jwks_max_age{60};
inline constexpr std::chrono::seconds metadata_max_age{300};
inline constexpr std::size_t token_body_limit = 16 * 1024;

// `keys` and `tokens` must outlive the router.
void add_auth_routes(http::router& r, const key_manager& keys, token_endpoint& tokens, const metadata_options& meta);

} // namespace oauth::auth
