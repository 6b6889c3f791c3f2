#include "auth-service/oauth/revocation.hpp"

#include "auth-service/oauth/client_authentication.hpp"
#include "auth-service/oauth/request_params.hpp"
#include "common/log.hpp"
#include "common/revocation/writer.hpp"
#include "common/time.hpp"

#include <algorithm>

namespace oauth::auth {

boost::asio::awaitable<std::variant<client_request, token_error>> authenticate_client_request(
    client_store& clients, std::string_view content_type, std::string_view authorization, std::string_view body) {
  auto parsed = parse_request_params(content_type, body);
  if (auto* e = std::get_if<token_error>(&parsed)) co_return std::move(*e);
  auto& params = std::get<http::body_params>(parsed);
  auto presented = extract_client_credentials(authorization, params);
  if (auto* e = std::get_if<token_error>(&presented)) co_return std::move(*e);
  auto authenticated = co_await authenticate_client(clients, std::get<presented_client>(presented));
  if (auto* e = std::get_if<token_error>(&authenticated)) co_return std::move(*e);
  co_return client_request{std::move(params), std::move(std::get<client>(authenticated))};
}

token_shape shape_of(std::string_view token) noexcept {
  if (token.empty() || token.size() > 8192) return token_shape::malformed;
  auto dots = std::count(token.begin(), token.end(), '.');
  if (dots == 2) return token_shape::jwt;
  if (dots == 0) return token_shape::opaque;
  return token_shape::malformed;
}

access_revocation decide_access_revocation(bool verified, std::string_view token_client_id,
                                           std::string_view caller_id) noexcept {
  if (!verified) return access_revocation::ignore;
  return token_client_id == caller_id ? access_revocation::revoke : access_revocation::wrong_client;
}

http::response revocation_ok() {
  http::response res{http::status::ok, 11};
  set_no_store(res);
  res.content_length(0);
  return res;
}

boost::asio::awaitable<http::response> revocation_endpoint::handle(http::request_context& ctx) {
  auto request = co_await authenticate_client_request(deps_.clients, ctx.header(http::field::content_type),
                                                      ctx.header(http::field::authorization), ctx.req.body());
  if (auto* e = std::get_if<token_error>(&request)) co_return to_response(*e);
  const auto& [params, caller] = std::get<client_request>(request);
  auto token = params.get("token");
  if (!token || token->empty())
    co_return to_response(make_error(oauth_errc::invalid_request, "The token parameter is required (RFC 7009 section 2.1)."));
  const auto wrong_client = [] {
    return to_response(make_error(oauth_errc::unauthorized_client, "The token was not issued to this client."));
  };
  const auto unavailable = [] {
    return to_response(make_error(oauth_errc::temporarily_unavailable, "The token could not be revoked; retry later.",
                                  std::chrono::seconds(1)));
  };
  const std::int64_t now = unix_now();

  switch (shape_of(*token)) {
  case token_shape::malformed:
    co_return revocation_ok();
  case token_shape::jwt: {
    // Up to the retention past exp: a verifier with clock skew may still accept it.
    auto verified = deps_.verifier.verify(*token, std::chrono::seconds(revocation::retention_seconds), now);
    auto decision = decide_access_revocation(verified.has_value(), verified ? verified->client_id() : std::string_view{},
                                             caller.id);
    if (decision == access_revocation::ignore) co_return revocation_ok();
    if (decision == access_revocation::wrong_client) co_return wrong_client();
    std::vector<revocation::entry> entries{{std::string(verified->jti()), verified->exp()}};
    auto written = co_await deps_.revocations.revoke(std::move(entries), now);
    if (!written) co_return unavailable();
    log::info("access token revoked", {{"request_id", ctx.request_id}, {"client_id", caller.id},
                                       {"jti", std::string(verified->jti())}});
    co_return revocation_ok();
  }
  case token_shape::opaque:
  default: {
    auto outcome = co_await deps_.refresh_tokens.revoke_family(*token, caller.id, now);
    if (!outcome) co_return unavailable();
    if (*outcome == refresh_revoke_outcome::wrong_client) co_return wrong_client();
    co_return revocation_ok();
  }
  }
}

} // namespace oauth::auth
