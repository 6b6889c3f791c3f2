#pragma once
// RFC 6749 §4.3: resource owner password credentials, with brute-force throttling
// (RFC 6749 §4.3.2: "MUST protect the endpoint against brute force attacks"; RFC 9700 §2.4).
//
// Order, and why:
//  1. username/password present (invalid_request; a NUL in any parameter was already refused
//     by http::parse_body_params); scope syntax, definition and the client's allowance
//     (invalid_scope): pure, no store touched.
//  2. the user by e-mail, with the canonical user name (PostgreSQL lower(), user_store.hpp).
//  3. the throttle RESERVES the attempt for (IP, canonical name) and for the IP in one atomic
//     step before any password is checked: beyond the limits → 429 too_many_requests +
//     Retry-After, even for the right password, so guessing cannot go on at any speed or
//     concurrency.
//  4. the password verified on the hashing pool; PASSWORD_HASH_QUEUE checks already waiting →
//     503 temporarily_unavailable + Retry-After at once (the reservation is given back). An
//     unknown user still costs one Argon2id verification (no enumeration by timing).
//  5. failure → invalid_grant (the reservation stays as the failure's count); success →
//     record_success (clears the (IP, name) counter).
//  6. a bcrypt (Laravel import) or outdated hash is rehashed to Argon2id and saved; if saving
//     fails the login still succeeds (it is retried on the next login) and a warning is logged.
//  7. scopes against the client's and the user's allowances (`*` expands, see scopes.hpp).
//  8. access token + a new refresh token family (the refresh token is always issued: a
//     password client's registration implies the refresh grant, see refresh_token_grant.hpp).
// Any store failure → 503 temporarily_unavailable.
#include "auth-service/credentials/password_hasher.hpp"
#include "auth-service/oauth/grant.hpp"
#include "auth-service/oauth/token_issuer.hpp"
#include "auth-service/storage/refresh_token_store.hpp"
#include "auth-service/storage/throttle_store.hpp"
#include "auth-service/storage/user_store.hpp"

#include <chrono>

namespace oauth::auth {

class password_grant final : public grant_handler {
public:
  struct dependencies {
    user_store& users;
    throttle_store& throttle;
    refresh_token_store& refresh_tokens;
    password_hasher& hasher;
    const token_issuer& issuer;
    std::chrono::seconds refresh_token_ttl;
  };
  explicit password_grant(dependencies deps) : deps_(deps) {}

  std::string_view grant_type() const noexcept override { return grant_names::password; }
  // RFC 6749 §4.3.2 allows public clients ("if the client type is confidential … the client
  // MUST authenticate"); a public client still needs the user's password.
  bool accepts_public_clients() const noexcept override { return true; }
  boost::asio::awaitable<grant_result> handle(const grant_request& request) override;

private:
  dependencies deps_;
};

} // namespace oauth::auth
