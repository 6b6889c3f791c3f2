#include "auth-service/oauth/bearer.hpp"

#include "auth-service/keys/key_manager.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/http/responses.hpp"
#include "common/revocation/live_list.hpp"

#include <algorithm>

namespace oauth::auth {
namespace {

http::response challenge(http::status st, std::string_view error, std::string_view description,
                         std::string_view scope = {}) {
  return http::bearer_error_response(st, error.empty() ? "unauthorized" : error, description, bearer_realm,
                                     {.error = error, .description = description, .scope = scope});
}

} // namespace

http::response bearer_missing_response() {
  return challenge(http::status::unauthorized, {}, "A bearer access token is required (RFC 6750).");
}
http::response bearer_invalid_response(std::string_view description) {
  return challenge(http::status::unauthorized, "invalid_token", description);
}
http::response bearer_insufficient_scope_response(std::string_view description, std::string_view scope) {
  return challenge(http::status::forbidden, "insufficient_scope", description, scope);
}
http::response revocations_unavailable_response() {
  auto res = http::error_response(http::status::service_unavailable, "temporarily_unavailable",
                                  "the revocation list is not loaded yet");
  res.set(http::field::retry_after, "1");
  res.set(http::field::cache_control, "no-store");
  return res;
}
http::response bearer_forbidden_response(std::string_view description) {
  auto res = http::error_response(http::status::forbidden, "access_denied", description);
  res.set(http::field::cache_control, "no-store");
  return res;
}

access_token_verifier::access_token_verifier(const key_manager& keys, std::string issuer, std::string audience,
                                             const revocation::live_list* revoked)
    : keys_(keys), issuer_(std::move(issuer)), audience_(std::move(audience)), revoked_(revoked) {}

jwt::result<jwt::verified_token> access_token_verifier::verify(std::string_view token, std::chrono::seconds leeway,
                                                               std::int64_t now) const {
  auto state = keys_.current();
  const auto& set = state->store.public_keys();
  jwt::verify_options o;
  o.issuer = issuer_;
  o.audience = audience_;
  o.leeway = leeway;
  o.now = now;
  // RFC 8725 §3.1: exactly the algorithms of our own keys (each key bound to its own).
  o.allowed_algorithms.clear();
  for (const auto& k : set)
    if (std::find(o.allowed_algorithms.begin(), o.allowed_algorithms.end(), k.alg()) == o.allowed_algorithms.end())
      o.allowed_algorithms.push_back(k.alg());
  return jwt::verify(token, set, o);
}

bool access_token_verifier::revoked(std::string_view jti) const { return revoked_ != nullptr && revoked_->revoked(jti); }
bool access_token_verifier::revocations_loaded() const { return revoked_ == nullptr || revoked_->loaded_once(); }
bool access_token_verifier::revoked(const jwt::verified_token& t) const {
  return revoked_ != nullptr && revoked_->revoked(t.jti(), t.sub(), t.client_id(), t.iat());
}

std::variant<bearer_principal, http::response> access_token_verifier::authenticate(std::string_view authorization) const {
  auto presented = extract_bearer(authorization);
  if (presented.what == bearer_credentials::kind::none) return bearer_missing_response();
  if (presented.what == bearer_credentials::kind::malformed) return bearer_invalid_response("malformed bearer token");
  if (!revocations_loaded()) return revocations_unavailable_response();
  // Our own clock issued the token: a few seconds of leeway only.
  auto verified = verify(presented.token, std::chrono::seconds(5));
  if (!verified) return bearer_invalid_response(verified.error().message());
  if (revoked(*verified)) return bearer_invalid_response("token revoked");
  bearer_principal p;
  p.sub = std::string(verified->sub());
  p.client_id = std::string(verified->client_id());
  p.jti = std::string(verified->jti());
  p.scopes = parse_scope(verified->scope()).value_or(std::vector<std::string>{});
  p.exp = verified->exp();
  return p;
}

} // namespace oauth::auth
