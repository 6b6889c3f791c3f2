#include "auth-service/oauth/authorization_code_grant.hpp"

#include "auth-service/authorize/pkce.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "common/revocation/writer.hpp"

#include <algorithm>

namespace oauth::auth {

boost::asio::awaitable<bool> authorization_code_grant::revoke_issued(std::string_view family_id, std::string_view jti,
                                                                     std::int64_t exp, std::int64_t now) {
  bool ok = true;
  if (!family_id.empty()) {
    auto revoked = co_await deps_.families.revoke_family_id(family_id, now);
    ok = ok && revoked.has_value();
  }
  if (!jti.empty()) {
    // Built before the co_await: g++ 12 miscompiles an initializer list in a coroutine's call.
    std::vector<revocation::entry> entries;
    entries.push_back(revocation::entry{std::string(jti), exp});
    auto written = co_await deps_.revocations.revoke(std::move(entries), now);
    ok = ok && written.has_value();
  }
  co_return ok;
}

boost::asio::awaitable<grant_result> authorization_code_grant::handle(const grant_request& request) {
  const auto& c = request.caller;
  auto code = request.params.get("code");
  if (!code || code->empty()) co_return make_error(oauth_errc::invalid_request, "The code parameter is required.");
  auto verifier = request.params.get("code_verifier");
  if (verifier && !is_valid_code_verifier(*verifier))
    co_return make_error(oauth_errc::invalid_request,
                         "The code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 section 4.1).");

  // What a fresh code will issue is decided first and recorded by the consume itself, so that
  // a replay at any later moment finds it (one Redis round trip instead of two).
  const bool with_refresh = c.allows_grant(grant_names::refresh_token);
  planned_tokens planned{with_refresh ? random_uuid() : std::string(), random_uuid(),
                         request.now + deps_.issuer.ttl().count()};
  auto consumed = co_await deps_.codes.consume(*code, c.id, request.now, planned);
  if (!consumed) co_return store_unavailable();
  switch (consumed->outcome) {
    case code_outcome::invalid:
    case code_outcome::wrong_client:
      co_return make_error(oauth_errc::invalid_grant, "The authorization code is invalid, expired or already used.");
    case code_outcome::replayed: {
      log::warn("authorization code replayed: revoking what it issued",
                {{"client_id", c.id}, {"family", consumed->family_id}});
      if (!co_await revoke_issued(consumed->family_id, consumed->access_token_jti, consumed->access_token_exp,
                                  request.now))
        co_return store_unavailable();
      co_return make_error(oauth_errc::invalid_grant, "The authorization code is invalid, expired or already used.");
    }
    case code_outcome::fresh:
      break;
  }
  const auto& record = consumed->record;

  auto redirect_uri = request.params.get("redirect_uri");
  if (record.redirect_uri_sent && !redirect_uri)
    co_return make_error(oauth_errc::invalid_grant, "The redirect_uri of the authorization request is required.");
  if (redirect_uri && *redirect_uri != record.redirect_uri)
    co_return make_error(oauth_errc::invalid_grant, "The redirect_uri does not match the authorization request.");
  if (!record.code_challenge.empty()) {
    if (!verifier) co_return make_error(oauth_errc::invalid_grant, "The code_verifier is required (PKCE).");
    if (!verify_s256(*verifier, record.code_challenge))
      co_return make_error(oauth_errc::invalid_grant, "The code_verifier does not match the code_challenge.");
  } else if (verifier) {
    co_return make_error(oauth_errc::invalid_grant, "A code_verifier was sent but the authorization request had no "
                                                    "code_challenge.");
  }

  auto found = co_await deps_.users.find_by_id(record.user_id);
  if (!found) co_return store_unavailable();
  if (!*found) co_return make_error(oauth_errc::invalid_grant, "The user of this authorization code no longer exists.");
  std::vector<std::string> scopes;
  for (const auto& s : record.scopes)
    if (scope_grants((*found)->scopes, s)) scopes.push_back(s);

  // The jti and expiry the consume already recorded beside the code (a replay revokes them).
  access_token_claims claims{record.user_id, c.id, std::move(scopes), planned.access_jti, request.now,
                             planned.access_exp};
  std::optional<std::string> refresh;
  if (with_refresh) {
    refresh_grant_record fam{planned.family_id, c.id, record.user_id, claims.scopes,
                             request.now + deps_.refresh_token_ttl.count()};
    refresh = random_token();
    auto stored = co_await deps_.refresh_tokens.issue(*refresh, fam, claims.jti, claims.expires_at);
    if (!stored) co_return store_unavailable();
    // A replay between the consume and the family's creation found no family to revoke: ask
    // whether one came, and if so revoke what was just issued. (The access token needs no
    // such check: a replay revokes its jti whenever it comes, even before it is signed.)
    auto replayed = co_await deps_.codes.attach_tokens(*code, planned.family_id, claims.jti, claims.expires_at);
    if (!replayed || *replayed) {
      if (!co_await revoke_issued(planned.family_id, claims.jti, claims.expires_at, request.now) || !replayed)
        co_return store_unavailable();
      co_return make_error(oauth_errc::invalid_grant, "The authorization code is invalid, expired or already used.");
    }
  }

  auto token = deps_.issuer.sign(claims);
  co_return token_response{std::move(token.token), deps_.issuer.ttl().count(), std::move(refresh),
                           std::move(claims.scopes)};
}

} // namespace oauth::auth
