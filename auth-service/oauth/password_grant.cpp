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

  // The lookup comes first because it also gives the canonical user name, the throttle's key:
  // every spelling that finds the user (case, Unicode) is one counter (user_store.hpp).
  auto subject = co_await deps_.users.find_for_login(*username);
  if (!subject) co_return store_unavailable();

  // Reserved before the password is checked, atomically (redis_throttle_store.hpp): of any
  // number of concurrent attempts at most the limit are ever evaluated.
  auto reserved = co_await deps_.throttle.reserve(request.remote_address, subject->canonical_name);
  if (!reserved) co_return store_unavailable();
  if (reserved->throttled)
    co_return make_error(oauth_errc::too_many_requests, "Too many failed login attempts; try again later.",
                         std::max(reserved->retry_after, std::chrono::seconds(1)));

  std::string stored_hash = subject->found ? subject->found->password_hash : std::string();
  // An empty hash still costs a dummy Argon2id verification (password_hasher.hpp).
  auto check = co_await deps_.hasher.verify(std::string(*password), std::move(stored_hash));
  if (!check) {
    // PASSWORD_HASH_QUEUE checks already wait: refuse now, and give the attempt back, since
    // nothing was evaluated.
    auto given_back = co_await deps_.throttle.cancel(request.remote_address, subject->canonical_name);
    if (!given_back)
      log::warn("throttle reservation not given back (store unavailable); it expires with its window");
    co_return make_error(oauth_errc::temporarily_unavailable, "Too many logins are being checked; try again shortly.",
                         std::chrono::seconds(1));
  }

  // A failure stays counted: its reservation is the failure count.
  if (!subject->found || !check->ok) co_return make_error(oauth_errc::invalid_grant, "The user credentials were incorrect.");
  const user& u = *subject->found;
  auto cleared = co_await deps_.throttle.record_success(request.remote_address, subject->canonical_name);
  if (!cleared) co_return store_unavailable();

  if (check->needs_rehash) {
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
