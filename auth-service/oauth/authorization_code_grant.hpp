#pragma once
// RFC 6749 §4.1.3: the authorization code grant, with PKCE (RFC 7636) and replay revocation
// (§4.1.2, §10.5; ../shared/CONTRACT.md "grant_type=authorization_code").
//
// Order, and why:
//  1. code present (invalid_request); code_verifier syntax.
//  2. the code opened (authorize/code_seal.hpp, no I/O): not one of ours, or another client's →
//     invalid_grant, and nothing changes (another client can neither burn it nor have the right
//     client's tokens revoked by "replaying" it).
//  3. past its expiry → invalid_grant; if it had been exchanged, a replay (step 6).
//  4. the binding: redirect_uri equal to the authorize request's when that request sent one
//     (§4.1.3), PKCE S256 when a challenge was sent; a code_verifier without a challenge is
//     refused (RFC 9700 §2.1.1: it would be a downgrade). The user still exists; the scopes
//     narrowed to what the user may still have. A failure here is the answer, but only after
//     step 5: the code is used up even when the exchange fails.
//  5. the consume (authorization_code_store), with the access token signed while it is in
//     flight: the jti and the family id are the code's own (issued_ids_of_code), so nothing
//     needs recording first.
//  6. used before → invalid_grant AND what the first exchange issued is revoked (its refresh
//     family with its access tokens, and the access token itself), RFC 6749 §4.1.2.
//  7. fresh: a refresh token family when the client is registered for refresh_token; then
//     replayed() catches a replay that came before the family existed (everything just issued
//     is revoked and the answer is invalid_grant).
#include "auth-service/authorize/code_seal.hpp"
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
    code_keys_source code_keys;
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
  // A replayed (or forgotten: maybe exchanged before) code: revokes what its first exchange
  // issued; invalid_grant (503 when Redis did not take the revocation).
  boost::asio::awaitable<grant_result> refuse_replay(std::string_view code, std::string_view client_id,
                                                     std::int64_t now, code_outcome outcome);
  dependencies deps_;
};

} // namespace oauth::auth
