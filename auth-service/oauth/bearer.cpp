#include "auth-service/oauth/bearer.hpp"

#include "auth-service/keys/key_manager.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/http/responses.hpp"
#include "common/revocation/live_list.hpp"

#include <algorithm>

namespace oauth::auth {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

// RFC 6750 §2.1 b64token.
bool b64token(std::string_view t) noexcept {
  if (t.empty()) return false;
  std::size_t i = 0;
  for (; i < t.size(); ++i) {
    char c = t[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
  }
  if (i == 0) return false;
  for (; i < t.size(); ++i)
    if (t[i] != '=') return false;
  return true;
}

// Quoted-string content allowed by RFC 6750 §3 (%x20-21 / %x23-5B / %x5D-7E).
std::string quoted(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u <= 0x7E && c != '"' && c != '\\') ? c : ' ';
  }
  return out;
}

http::response challenge(http::status st, std::string_view error, std::string_view description,
                         std::string_view scope = {}) {
  std::string h = "Bearer realm=\"" + std::string(bearer_realm) + "\"";
  if (!error.empty()) h += ", error=\"" + quoted(error) + "\"";
  if (!error.empty() && !description.empty()) h += ", error_description=\"" + quoted(description) + "\"";
  if (!scope.empty()) h += ", scope=\"" + quoted(scope) + "\"";
  auto res = http::error_response(st, error.empty() ? "unauthorized" : error, description);
  res.set(http::field::www_authenticate, h);
  res.set(http::field::cache_control, "no-store");
  return res;
}

} // namespace

bearer_extraction extract_bearer(std::string_view authorization) noexcept {
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  if (authorization.empty()) return {};
  auto sp = authorization.find(' ');
  if (!iequals(authorization.substr(0, sp), "Bearer")) return {};
  if (sp == std::string_view::npos) return {bearer_presence::malformed, {}};
  auto token = authorization.substr(sp + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (!b64token(token)) return {bearer_presence::malformed, {}};
  return {bearer_presence::token, token};
}

http::response bearer_missing_response() {
  return challenge(http::status::unauthorized, {}, "A bearer access token is required (RFC 6750).");
}
http::response bearer_invalid_response(std::string_view description) {
  return challenge(http::status::unauthorized, "invalid_token", description);
}
http::response bearer_insufficient_scope_response(std::string_view description, std::string_view scope) {
  return challenge(http::status::forbidden, "insufficient_scope", description, scope);
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
bool access_token_verifier::revoked(const jwt::verified_token& t) const {
  return revoked_ != nullptr && revoked_->revoked(t.jti(), t.sub(), t.client_id(), t.iat());
}

std::variant<bearer_principal, http::response> access_token_verifier::authenticate(std::string_view authorization) const {
  auto presented = extract_bearer(authorization);
  if (presented.what == bearer_presence::none) return bearer_missing_response();
  if (presented.what == bearer_presence::malformed) return bearer_invalid_response("malformed bearer token");
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
