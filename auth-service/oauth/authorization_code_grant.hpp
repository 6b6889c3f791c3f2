#pragma once
// RFC 6749 §4.1.3: the authorization code grant, with PKCE (RFC 7636) and replay revocation
// (§4.1.2, §10.5; ../shared/CONTRACT.md "grant_type=authorization_code").
//
// Order, and why:
//  1. code present (invalid_request); redirect_uri and code_verifier syntax.
//  2. the code consumed atomically for this client (authorization_code_store): unknown,
//     expired or another client's → invalid_grant (another client cannot burn it); a used code
//     presented again → invalid_grant AND what its first exchange issued is revoked (the
//     refresh family with its access tokens, and the access token itself).
//  3. the binding: redirect_uri equal to the authorize request's when that request sent one
//     (§4.1.3), PKCE S256 when a challenge was sent; a code_verifier without a challenge is
//     refused (RFC 9700 §2.1.1: it would be a downgrade). Any mismatch → invalid_grant; the
//     code stays used (single use even when the exchange fails).
//  4. the user still exists (user deleted since → invalid_grant) and the scopes are narrowed
//     to what the user may still have.
//  5. access token + a refresh token family when the client is registered for refresh_token.
//     The jti, its expiry and the family id are drawn before step 2 and recorded on the code
//     by the consume itself, so a later replay always finds what to revoke; with a refresh
//     token, attach_tokens() afterwards catches a replay that came before the family existed
//     (everything just issued is then revoked and the answer is invalid_grant).
#include "auth-service/oauth/grant.hpp"
#include "auth-service/oauth/token_issuer.hpp"
#include "auth-service/storage/authorization_code_store.hpp"
#include "auth-service/storage/refresh_family_registry.hpp"
#include "auth-service/storage/refresh_token_store.hpp"
#include "auth-service/storage/user_store.hpp"

#include <chrono>

namespace oauth::revocation {
class writer;
}

namespace oauth::auth {

class authorization_code_grant final : public grant_handler {
public:
  struct dependencies {
    authorization_code_store& codes;
    user_store& users;
    refresh_token_store& refresh_tokens;
    refresh_family_registry& families;
    revocation::writer& revocations;
    const token_issuer& issuer;
    std::chrono::seconds refresh_token_ttl;
  };
  explicit authorization_code_grant(dependencies deps) : deps_(deps) {}

  std::string_view grant_type() const noexcept override { return grant_names::authorization_code; }
  boost::asio::awaitable<grant_result> handle(const grant_request& request) override;

private:
  // Revokes what one exchange issued; false when Redis did not take it.
  boost::asio::awaitable<bool> revoke_issued(std::string_view family_id, std::string_view jti, std::int64_t exp,
                                             std::int64_t now);
  dependencies deps_;
};

} // namespace oauth::auth
