#pragma once
// The applications a user has let act for them (../shared/CONTRACT.md, "Authorized
// applications"; Passport's "authorized clients"):
//
//   GET    /oauth/authorized-clients             → {"data":[{"client_id","name","scopes","authorized_at"}]}
//   DELETE /oauth/authorized-clients/{client_id} → 204
//
// Both need a user's bearer token from a first-party application (first_party_clients.hpp).
// The list is the union of remembered consent (PostgreSQL) and live refresh families (Redis,
// refresh_family_registry): an app the user approved, or that still holds a refresh token of
// theirs, is listed once, with the union of the scopes and the earliest authorization time;
// revoked clients are left out. The deletion forgets the consent and revokes every refresh
// family of that user at that client, with their access tokens (refused by every resource
// service within 1 s, as any family revocation). It is idempotent: 204 also when there was
// nothing to remove (RFC 7009's choice for revocation).
#include "auth-service/oauth/bearer.hpp"
#include "auth-service/storage/client_store.hpp"
#include "auth-service/storage/consent_store.hpp"
#include "auth-service/storage/refresh_family_registry.hpp"
#include "common/http/router.hpp"

namespace oauth::auth {

class authorized_clients_endpoint {
public:
  struct dependencies {
    const access_token_verifier& verifier;
    client_store& clients;
    consent_store& consents;
    refresh_family_registry& families;
  };
  explicit authorized_clients_endpoint(dependencies deps) : deps_(deps) {}

  boost::asio::awaitable<http::response> list(http::request_context& ctx);
  boost::asio::awaitable<http::response> remove(http::request_context& ctx);

private:
  dependencies deps_;
};

// `endpoint` must outlive the router.
void add_authorized_clients_routes(http::router& r, authorized_clients_endpoint& endpoint);

} // namespace oauth::auth
