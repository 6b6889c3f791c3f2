#pragma once
// RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2, ../shared/CONTRACT.md):
//  - every refresh rotates: the presented token dies, a new one (256-bit random) is returned;
//  - a rotated token presented again is reuse: invalid_grant, and the store revokes the family;
//  - within REFRESH_REUSE_GRACE of the rotation, the same client repeating the same refresh
//    gets the SAME successor again, with a fresh access token;
//  - a token of another client: invalid_grant (§5.2 "issued to another client"), nothing changes;
//  - scope may only narrow (§6); the refresh token keeps its original scopes, only the new
//    access token carries the narrowed ones. Absent scope → the original scopes.
// Clients registered for `password` may use this grant too: the password grant returns a
// refresh token, and registering a password client without the means to refresh it would be
// a trap (Passport behaves the same way).
//
// A requested scope wider than the original grant is refused BEFORE the rotation: the grant
// peeks at the token (refresh_token_inspector::lookup, read-only) and answers invalid_scope
// without spending it, so the client keeps its session. Scopes never change within a family,
// so the peek cannot race with a concurrent rotation in a way that matters. Only a live token
// of the calling client is judged this way; anything else goes on to rotate(), which reports
// reuse, another client or an invalid token exactly as before.
#include "auth-service/oauth/grant.hpp"
#include "auth-service/oauth/token_issuer.hpp"
#include "auth-service/storage/refresh_token_inspector.hpp"
#include "auth-service/storage/refresh_token_store.hpp"
#include "auth-service/storage/user_store.hpp"

#include <chrono>

namespace oauth::auth {

class refresh_token_grant final : public grant_handler {
public:
  struct dependencies {
    refresh_token_store& refresh_tokens;
    const token_issuer& issuer;
    std::chrono::seconds refresh_token_ttl;
    std::chrono::seconds reuse_grace;
    // nullptr: no peek (the scope is then checked after the rotation only).
    refresh_token_inspector* inspector = nullptr;
    // The user is re-read at every refresh: a deleted user's tokens are dead, and the new
    // access token gets at most the user's and the client's CURRENT scopes (narrowed
    // silently). nullptr: no re-check (unit tests of the rotation alone).
    user_store* users = nullptr;
  };
  explicit refresh_token_grant(dependencies deps) : deps_(deps) {}

  std::string_view grant_type() const noexcept override { return grant_names::refresh_token; }
  // RFC 6749 §6 and RFC 9700 §4.14.2: public clients may refresh; rotation protects them.
  bool registered_for(const client& c) const noexcept override {
    return c.allows_grant(grant_names::refresh_token) || c.allows_grant(grant_names::password);
  }
  boost::asio::awaitable<grant_result> handle(const grant_request& request) override;

private:
  dependencies deps_;
};

} // namespace oauth::auth
