#include "auth-service/oauth/password_grant.hpp"

#include "auth-service/oauth/scopes.hpp"
#include "common/random.hpp"

namespace oauth::auth {

boost::asio::awaitable<grant_result> password_grant::handle(const grant_request& request) {
  const auto& c = request.caller;
  auto username = request.params.get("username");
  auto password = request.params.get("password");
  if (!username || username->empty())
    co_return make_error(oauth_errc::invalid_request, "The username parameter is required.");
  if (!password || password->empty())
    co_return make_error(oauth_errc::invalid_request, "The password parameter is required.");

  // Scope rules that do not depend on the user, before any store is touched.
  const auto* client_allowed = c.scopes ? &*c.scopes : nullptr;
  auto requested = request.params.get("scope");
  {
    scope_policy pre{.allow_wildcard = true, .client_allowed = client_allowed, .user_allowed = nullptr};
    auto checked = resolve_scopes(requested, pre);
    if (auto* e = std::get_if<token_error>(&checked)) co_return std::move(*e);
  }

  auto outcome = co_await deps_.login.check(*username, *password, request.remote_address);
  if (auto* refused = std::get_if<login_refusal>(&outcome)) {
    switch (refused->why) {
      case login_refusal::kind::wrong_credentials:
        co_return make_error(oauth_errc::invalid_grant, "The user credentials were incorrect.");
      case login_refusal::kind::throttled:
        co_return make_error(oauth_errc::too_many_requests, "Too many failed login attempts; try again later.",
                             refused->retry_after);
      case login_refusal::kind::busy:
        co_return make_error(oauth_errc::temporarily_unavailable,
                             "Too many logins are being checked; try again shortly.", refused->retry_after);
      case login_refusal::kind::unavailable:
        co_return store_unavailable();
    }
  }
  const user& u = std::get<user>(outcome);

  scope_policy policy{.allow_wildcard = true, .client_allowed = client_allowed, .user_allowed = &u.scopes};
  auto scopes = resolve_scopes(requested, policy);
  if (auto* e = std::get_if<token_error>(&scopes)) co_return std::move(*e);

  auto claims = deps_.issuer.prepare(u.id, c.id, std::move(std::get<0>(scopes)), request.now);
  refresh_grant_record record{random_uuid(), c.id, u.id, claims.scopes, request.now + deps_.refresh_token_ttl.count()};
  auto refresh = random_token();
  auto stored = co_await deps_.refresh_tokens.issue(refresh, record, claims.jti, claims.expires_at);
  if (!stored) co_return store_unavailable();

  auto token = deps_.issuer.sign(claims);
  co_return token_response{std::move(token.token), deps_.issuer.ttl().count(), std::move(refresh),
                           std::move(claims.scopes)};
}

} // namespace oauth::auth
