#include "auth-service/oauth/client_credentials_grant.hpp"

#include "auth-service/oauth/scopes.hpp"

namespace oauth::auth {

grant_result client_credentials_grant::issue(const grant_request& request) const {
  const auto& c = request.caller;
  scope_policy policy{.allow_wildcard = false, .client_allowed = c.scopes ? &*c.scopes : nullptr, .user_allowed = nullptr};
  auto scopes = resolve_scopes(request.params.get("scope"), policy);
  if (auto* e = std::get_if<token_error>(&scopes)) return std::move(*e);
  auto claims = issuer_.prepare(c.id, c.id, std::move(std::get<0>(scopes)), request.now);
  auto token = issuer_.sign(claims);
  return token_response{std::move(token.token), issuer_.ttl().count(), std::nullopt, std::move(claims.scopes)};
}

boost::asio::awaitable<grant_result> client_credentials_grant::handle(const grant_request& request) {
  co_return issue(request);
}

} // namespace oauth::auth
