#include "auth-service/oauth/refresh_token_grant.hpp"

#include "auth-service/oauth/scopes.hpp"
#include "common/random.hpp"

#include <algorithm>

namespace oauth::auth {
namespace {

const std::vector<std::string>& every_defined_scope() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (const auto& d : defined_scopes()) v.emplace_back(d.id);
    return v;
  }();
  return all;
}

} // namespace

boost::asio::awaitable<grant_result> refresh_token_grant::handle(const grant_request& request) {
  auto presented = request.params.get("refresh_token");
  if (!presented || presented->empty())
    co_return make_error(oauth_errc::invalid_request, "The refresh_token parameter is required.");
  auto requested = request.params.get("scope");
  {
    // Syntax, definition and no `*`, before the token is spent.
    auto checked = narrow_scopes(requested, every_defined_scope());
    if (auto* e = std::get_if<token_error>(&checked)) co_return std::move(*e);
  }
  if (requested && !requested->empty() && deps_.inspector != nullptr) {
    // RFC 6749 §6: a scope wider than the original is refused without rotating the token.
    auto peeked = co_await deps_.inspector->lookup(*presented, request.now);
    if (!peeked) co_return store_unavailable();
    const auto& info = *peeked;
    if (info && info->state == refresh_token_state::live && info->record.client_id == request.caller.id) {
      auto narrowed = narrow_scopes(requested, info->record.scopes);
      if (auto* e = std::get_if<token_error>(&narrowed)) co_return std::move(*e);
    }
  }

  // The access token's jti and expiry are fixed before the rotation so that the store can
  // tie them to the family (a family revocation then revokes this access token too).
  auto claims = deps_.issuer.prepare({}, request.caller.id, {}, request.now);
  rotation_request rotation{std::string(*presented), random_token(), request.caller.id, claims.jti,
                            claims.expires_at,       request.now,    deps_.reuse_grace, deps_.refresh_token_ttl};
  auto rotated = co_await deps_.refresh_tokens.rotate(rotation);
  if (!rotated) co_return store_unavailable();

  switch (rotated->outcome) {
  case rotation_outcome::rotated:
  case rotation_outcome::grace_replay:
    break;
  case rotation_outcome::reused:
    // The store has logged the family it revoked.
    co_return make_error(oauth_errc::invalid_grant, "The refresh token was already used; its grant is revoked.");
  case rotation_outcome::wrong_client:
    co_return make_error(oauth_errc::invalid_grant, "The refresh token was issued to another client.");
  case rotation_outcome::invalid:
  default:
    co_return make_error(oauth_errc::invalid_grant, "The refresh token is invalid, expired or revoked.");
  }

  auto scopes = narrow_scopes(requested, rotated->record.scopes);
  if (auto* e = std::get_if<token_error>(&scopes)) co_return std::move(*e);
  if (deps_.users != nullptr) {
    // After the rotation: a deleted user's family is spent with it, which is what we want.
    auto owner = co_await deps_.users->find_by_id(rotated->record.user_id);
    if (!owner) co_return store_unavailable();
    if (!*owner) co_return make_error(oauth_errc::invalid_grant, "The refresh token is invalid, expired or revoked.");
    // The user and the client may have lost a scope since the grant (authctl user update):
    // drop it silently (an allowance of admin still covers the other two).
    auto& granted = std::get<0>(scopes);
    std::erase_if(granted, [&](const std::string& s) {
      return !scope_grants((*owner)->scopes, s) || (request.caller.scopes && !scope_grants(*request.caller.scopes, s));
    });
  }

  claims.subject = rotated->record.user_id;
  claims.scopes = std::move(std::get<0>(scopes));
  auto token = deps_.issuer.sign(claims);
  co_return token_response{std::move(token.token), deps_.issuer.ttl().count(), std::move(rotated->successor_token),
                           std::move(claims.scopes)};
}

} // namespace oauth::auth
