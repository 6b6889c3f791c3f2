#pragma once
// RFC 6749 §4.3: resource owner password credentials, with brute-force throttling
// (RFC 6749 §4.3.2: "MUST protect the endpoint against brute force attacks"; RFC 9700 §2.4).
//
// Order, and why:
//  1. username/password present (invalid_request; a NUL in any parameter was already refused
//     by http::parse_body_params); scope syntax, definition and the client's allowance
//     (invalid_scope): pure, no store touched.
//  2. the password, throttled, by password_login (shared with POST /login; its header has
//     the order): wrong → invalid_grant; throttled → 429 too_many_requests + Retry-After;
//     hashing queue full → 503 temporarily_unavailable + Retry-After.
//  3. scopes against the client's and the user's allowances (`*` expands, see scopes.hpp).
//  4. access token + a new refresh token family (the refresh token is always issued: a
//     password client's registration implies the refresh grant, see refresh_token_grant.hpp).
// Any store failure → 503 temporarily_unavailable.
#include "auth-service/oauth/grant.hpp"
#include "auth-service/oauth/password_login.hpp"
#include "auth-service/oauth/token_issuer.hpp"
#include "auth-service/storage/refresh_token_store.hpp"

#include <chrono>

namespace oauth::auth {

class password_grant final : public grant_handler {
public:
  struct dependencies {
    password_login& login;
    refresh_token_store& refresh_tokens;
    const token_issuer& issuer;
    std::chrono::seconds refresh_token_ttl;
  };
  explicit password_grant(dependencies deps) : deps_(deps) {}

  std::string_view grant_type() const noexcept override { return grant_names::password; }
  // RFC 6749 §4.3.2 allows public clients ("if the client type is confidential … the client
  // MUST authenticate"); a public client still needs the user's password.
  boost::asio::awaitable<grant_result> handle(const grant_request& request) override;

private:
  dependencies deps_;
};

} // namespace oauth::auth
