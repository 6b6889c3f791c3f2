#include "auth-service/oauth/introspection.hpp"

#include "auth-service/oauth/errors.hpp"
#include "auth-service/oauth/revocation.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/http/responses.hpp"
#include "common/time.hpp"

namespace oauth::auth {

boost::json::object introspect_inactive() { return boost::json::object{{"active", false}}; }

boost::json::object introspect_access_token(const jwt::verified_token& t) {
  boost::json::object o;
  o["active"] = true;
  o["scope"] = t.scope();
  o["client_id"] = t.client_id();
  o["sub"] = t.sub();
  o["exp"] = t.exp();
  o["iat"] = t.iat();
  o["nbf"] = t.nbf();
  if (const auto* iss = t.claims.if_contains("iss")) o["iss"] = *iss;
  if (const auto* aud = t.claims.if_contains("aud")) o["aud"] = *aud;
  o["jti"] = t.jti();
  o["token_type"] = "Bearer";
  return o;
}

boost::json::object introspect_refresh_token(const refresh_token_info& info) {
  if (info.state != refresh_token_state::live) return introspect_inactive();
  boost::json::object o;
  o["active"] = true;
  o["scope"] = join_scopes(info.record.scopes);
  o["client_id"] = info.record.client_id;
  o["sub"] = info.record.user_id;
  o["exp"] = info.record.expires_at;
  o["token_type"] = "refresh_token";
  return o;
}

http::response introspection_response(const boost::json::object& body) {
  auto res = http::json_response(http::status::ok, body);
  set_no_store(res);
  return res;
}

boost::asio::awaitable<http::response> introspection_endpoint::handle(http::request_context& ctx) {
  auto request = co_await authenticate_client_request(deps_.clients, ctx.header(http::field::content_type),
                                                      ctx.header(http::field::authorization), ctx.req.body());
  if (auto* e = std::get_if<token_error>(&request)) co_return to_response(*e);
  const auto& [params, caller] = std::get<client_request>(request);
  if (!caller.confidential())
    co_return to_response(make_error(oauth_errc::invalid_client, "Introspection requires a confidential client."));
  auto token = params.get("token");
  if (!token || token->empty())
    co_return to_response(make_error(oauth_errc::invalid_request, "The token parameter is required (RFC 7662 section 2.1)."));

  const std::int64_t now = unix_now();
  switch (shape_of(*token)) {
  case token_shape::jwt: {
    // Not "inactive" (a lie about a valid token) nor "active" (perhaps revoked): unknown yet.
    if (!deps_.verifier.revocations_loaded()) co_return revocations_unavailable_response();
    auto verified = deps_.verifier.verify(*token, std::chrono::seconds(0), now);
    if (!verified || deps_.verifier.revoked(*verified)) co_return introspection_response(introspect_inactive());
    co_return introspection_response(introspect_access_token(*verified));
  }
  case token_shape::opaque: {
    auto found = co_await deps_.refresh_tokens.lookup(*token, now);
    if (!found)
      co_return to_response(make_error(oauth_errc::temporarily_unavailable, "The token store is unavailable.",
                                       std::chrono::seconds(1)));
    if (!*found) co_return introspection_response(introspect_inactive());
    co_return introspection_response(introspect_refresh_token(**found));
  }
  case token_shape::malformed:
  default:
    co_return introspection_response(introspect_inactive());
  }
}

void add_revocation_routes(http::router& r, revocation_endpoint& revoke, introspection_endpoint& introspect) {
  auto* rv = &revoke;
  auto* in = &introspect;
  r.add(http::verb::post, "/oauth/revoke", [rv](http::request_context& ctx) { return rv->handle(ctx); },
        http::route_options{.max_body_bytes = revocation_body_limit});
  r.add(http::verb::post, "/oauth/introspect", [in](http::request_context& ctx) { return in->handle(ctx); },
        http::route_options{.max_body_bytes = revocation_body_limit});
}

} // namespace oauth::auth
