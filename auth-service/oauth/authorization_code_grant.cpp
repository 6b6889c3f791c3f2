#include "auth-service/oauth/authorization_code_grant.hpp"

#include "auth-service/authorize/pkce.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "common/revocation/writer.hpp"

#include <exception>
#include <stdexcept>
#include <optional>

namespace oauth::auth {
namespace {

token_error invalid_code() {
  return make_error(oauth_errc::invalid_grant, "The authorization code is invalid, expired or already used.");
}

} // namespace

boost::asio::awaitable<bool> authorization_code_grant::revoke_issued(std::string_view family_id, std::string_view jti,
                                                                     std::int64_t exp, std::int64_t now) {
  auto revoked = co_await deps_.families.revoke_family_id(family_id, now);
  bool ok = revoked.has_value();
  // Built before the co_await: g++ 12 miscompiles an initializer list in a coroutine's call.
  std::vector<revocation::entry> entries;
  entries.push_back(revocation::entry{std::string(jti), exp});
  auto written = co_await deps_.revocations.revoke(std::move(entries), now);
  co_return ok && written.has_value();
}

boost::asio::awaitable<grant_result> authorization_code_grant::refuse_replay(std::string_view code,
                                                                             std::string_view client_id,
                                                                             std::int64_t now, code_outcome outcome) {
  // What the first exchange issued is named by the code. Its access token expires about one
  // token lifetime after now: the first exchange's clock read came before this one, or, on
  // another replica or a request that started earlier, at most seconds after it, which the
  // revocation list's retention past exp covers.
  const auto ids = issued_ids_of_code(code);
  if (outcome == code_outcome::replayed)
    log::warn("authorization code replayed: revoking what it issued",
              {{"client_id", std::string(client_id)}, {"family", ids.refresh_family_id}});
  else  // after a Redis restart or failover, every code issued before it: not news on its own
    log::info("authorization code unknown to Redis (restart, failover, eviction): refused, and revoking what it "
              "may have issued",
              {{"client_id", std::string(client_id)}, {"family", ids.refresh_family_id}});
  if (!co_await revoke_issued(ids.refresh_family_id, ids.access_token_jti, now + deps_.issuer.ttl().count(), now))
    co_return store_unavailable();
  co_return invalid_code();
}

boost::asio::awaitable<grant_result> authorization_code_grant::handle(const grant_request& request) {
  const auto& c = request.caller;
  auto code = request.params.get("code");
  if (!code || code->empty()) co_return make_error(oauth_errc::invalid_request, "The code parameter is required.");
  auto verifier = request.params.get("code_verifier");
  if (verifier && !is_valid_code_verifier(*verifier))
    co_return make_error(oauth_errc::invalid_request,
                         "The code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 section 4.1).");

  // Not a code of ours, or another client's: refused, and nothing changes. Another client can
  // neither burn the code nor, by "replaying" it, have the right client's tokens revoked.
  auto keys = deps_.code_keys();
  auto opened = open_authorization_code(*code, *keys);
  if (!opened || opened->record.client_id != c.id) co_return invalid_code();
  const auto& record = opened->record;

  if (request.now >= record.expires_at) {
    // Never exchanged in time: nothing to revoke. Exchanged, then presented again late: a replay.
    auto state = co_await deps_.codes.check_expired(*code, record.expires_at);
    if (!state) co_return store_unavailable();
    if (*state == code_outcome::replayed || *state == code_outcome::forgotten)
      co_return co_await refuse_replay(*code, c.id, request.now, *state);
    co_return invalid_code();
  }

  // The answer to a fresh code is settled before the consume, so that the signature runs while
  // Redis marks the code used. A refusal still consumes the code: single use even when the
  // exchange fails (a wrong verifier burns it; the client starts over).
  std::optional<token_error> refusal;
  auto redirect_uri = request.params.get("redirect_uri");
  if (record.redirect_uri_sent && !redirect_uri)
    refusal = make_error(oauth_errc::invalid_grant, "The redirect_uri of the authorization request is required.");
  else if (redirect_uri && !opened->redirect_uri_matches(*redirect_uri))
    refusal = make_error(oauth_errc::invalid_grant, "The redirect_uri does not match the authorization request.");
  else if (!record.code_challenge.empty() && !verifier)
    refusal = make_error(oauth_errc::invalid_grant, "The code_verifier is required (PKCE).");
  else if (!record.code_challenge.empty() && !verify_s256(*verifier, record.code_challenge))
    refusal = make_error(oauth_errc::invalid_grant, "The code_verifier does not match the code_challenge.");
  else if (record.code_challenge.empty() && verifier)
    refusal = make_error(oauth_errc::invalid_grant, "A code_verifier was sent but the authorization request had no "
                                                    "code_challenge.");

  std::vector<std::string> scopes;
  if (!refusal) {
    auto found = co_await deps_.users.find_by_id(record.user_id);
    if (!found) co_return store_unavailable();
    if (!*found) refusal = make_error(oauth_errc::invalid_grant, "The user of this authorization code no longer exists.");
    else
      for (const auto& s : record.scopes)
        if (scope_grants((*found)->scopes, s)) scopes.push_back(s);
  }

  const auto ids = issued_ids_of_code(*code);
  access_token_claims claims{record.user_id,  c.id, std::move(scopes), ids.access_token_jti, request.now,
                             request.now + deps_.issuer.ttl().count()};
  std::optional<issued_access_token> token;
  std::exception_ptr sign_failure;
  std::function<void()> sign;
  if (!refusal)
    sign = [&]() noexcept {
      try {
        token = deps_.issuer.sign(claims);
      } catch (...) {
        sign_failure = std::current_exception();
      }
    };
  auto consumed = co_await deps_.codes.consume(*code, record.expires_at, std::move(sign));
  if (!consumed) co_return store_unavailable();
  if (*consumed == code_outcome::replayed || *consumed == code_outcome::forgotten)
    co_return co_await refuse_replay(*code, c.id, request.now, *consumed);
  if (*consumed == code_outcome::invalid) co_return invalid_code();
  if (refusal) co_return std::move(*refusal);
  // A fresh code whose token could not be signed: the code is used up, the answer is a 500.
  if (sign_failure) std::rethrow_exception(sign_failure);
  if (!token) throw std::logic_error("authorization code exchange: the access token was not signed");

  std::optional<std::string> refresh;
  if (c.allows_grant(grant_names::refresh_token)) {
    refresh_grant_record fam{ids.refresh_family_id, c.id, record.user_id, claims.scopes,
                             request.now + deps_.refresh_token_ttl.count()};
    refresh = random_token();
    auto stored = co_await deps_.refresh_tokens.issue(*refresh, fam, claims.jti, claims.expires_at);
    if (!stored) co_return store_unavailable();
    // A replay between the consume and the family's creation found no family to revoke: it
    // recorded itself before revoking, so ask, and revoke what was just issued if it came.
    // (The access token needs no such check: its jti is revoked whenever a replay comes.)
    auto replayed = co_await deps_.codes.replayed(*code);
    if (!replayed || *replayed) {
      if (!co_await revoke_issued(ids.refresh_family_id, claims.jti, claims.expires_at, request.now) || !replayed)
        co_return store_unavailable();
      co_return invalid_code();
    }
  }
  co_return token_response{std::move(token->token), deps_.issuer.ttl().count(), std::move(refresh),
                           std::move(claims.scopes)};
}

} // namespace oauth::auth
