#include "auth-service/oauth/password_grant.hpp"

#include "auth-service/oauth/scopes.hpp"
#include "common/log.hpp"
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

  auto throttled = co_await deps_.throttle.check(request.remote_address, *username);
  if (!throttled) co_return store_unavailable();
  if (throttled->throttled)
    co_return make_error(oauth_errc::too_many_requests, "Too many failed login attempts; try again later.",
                         std::max(throttled->retry_after, std::chrono::seconds(1)));

  auto found = co_await deps_.users.find_by_email(*username);
  if (!found) co_return store_unavailable();
  std::string stored_hash = *found ? (*found)->password_hash : std::string();
  // An empty hash still costs a dummy Argon2id verification (password_hasher.hpp).
  auto check = co_await deps_.hasher.verify(std::string(*password), std::move(stored_hash));

  if (!*found || !check.ok) {
    auto recorded = co_await deps_.throttle.record_failure(request.remote_address, *username);
    if (!recorded) co_return store_unavailable();
    co_return make_error(oauth_errc::invalid_grant, "The user credentials were incorrect.");
  }
  const user& u = **found;
  auto cleared = co_await deps_.throttle.record_success(request.remote_address, *username);
  if (!cleared) co_return store_unavailable();

  if (check.needs_rehash) {
    auto fresh = co_await deps_.hasher.hash(std::string(*password));
    auto saved = co_await deps_.users.update_password_hash(u.id, std::move(fresh));
    if (!saved) log::warn("password rehash not saved (store unavailable); retried on the next login", {{"user_id", u.id}});
    else log::info("password hash upgraded to Argon2id", {{"user_id", u.id}});
  }

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
