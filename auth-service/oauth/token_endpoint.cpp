#include "auth-service/oauth/token_endpoint.hpp"

#include "auth-service/oauth/client_authentication.hpp"
#include "auth-service/oauth/request_params.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/time.hpp"

#include <string>

namespace oauth::auth {

token_endpoint::token_endpoint(client_store& clients, std::vector<grant_handler*> grants)
    : clients_(clients), grants_(std::move(grants)) {
  auto& reg = metrics::global();
  for (auto* g : grants_)
    issued_.push_back(&reg.get_counter("auth_tokens_issued_total", "Access tokens issued at /oauth/token, by grant",
                                       "grant=\"" + metrics::escape_label(g->grant_type()) + "\""));
  for (std::size_t i = 0; i < errors_.size(); ++i)
    errors_[i] = &reg.get_counter("auth_token_errors_total", "Error responses of /oauth/token, by RFC 6749 error code",
                                  "error=\"" + std::string(error_info(static_cast<oauth_errc>(i)).name) + "\"");
}

grant_handler* token_endpoint::find_grant(std::string_view type) const noexcept {
  for (auto* g : grants_)
    if (g->grant_type() == type) return g;
  return nullptr;
}

boost::asio::awaitable<grant_result> token_endpoint::process(const token_request_input& in) {
  grant_handler* chosen = nullptr;
  auto result = co_await dispatch(in, chosen);
  count(result, chosen);
  co_return result;
}

boost::asio::awaitable<grant_result> token_endpoint::dispatch(const token_request_input& in, grant_handler*& chosen) {
  auto parsed = parse_request_params(in.content_type, in.body);
  if (auto* e = std::get_if<token_error>(&parsed)) co_return std::move(*e);
  const auto& params = std::get<http::body_params>(parsed);

  auto type = params.get("grant_type");
  if (!type || type->empty()) co_return make_error(oauth_errc::invalid_request, "The grant_type parameter is required.");
  auto* grant = find_grant(*type);
  if (grant == nullptr)
    co_return make_error(oauth_errc::unsupported_grant_type, "The grant type is not supported by this server.");

  auto presented = extract_client_credentials(in.authorization, params);
  if (auto* e = std::get_if<token_error>(&presented)) co_return std::move(*e);
  auto authenticated = co_await authenticate_client(clients_, std::get<presented_client>(presented));
  if (auto* e = std::get_if<token_error>(&authenticated)) co_return std::move(*e);
  const client& caller = std::get<client>(authenticated);

  if (!grant->registered_for(caller))
    co_return make_error(oauth_errc::unauthorized_client, "The client is not registered for this grant type.");
  if (!caller.confidential() && !grant->accepts_public_clients())
    co_return make_error(oauth_errc::unauthorized_client, "A public client may not use this grant type.");

  chosen = grant;
  grant_request request{params, caller, in.remote_address, in.now};
  co_return co_await grant->handle(request);
}

void token_endpoint::count(const grant_result& r, const grant_handler* grant) {
  if (const auto* e = std::get_if<token_error>(&r)) {
    errors_[static_cast<std::size_t>(e->code)]->inc();
    return;
  }
  for (std::size_t i = 0; i < grants_.size(); ++i)
    if (grants_[i] == grant) issued_[i]->inc();
}

boost::asio::awaitable<http::response> token_endpoint::handle(http::request_context& ctx) {
  token_request_input in{ctx.header(http::field::content_type), ctx.header(http::field::authorization),
                         ctx.req.body(), ctx.remote_address, unix_now()};
  grant_result result;
  try {
    result = co_await process(in);
  } catch (const std::exception& ex) {
    // A bug or an exhausted resource (signing failed): opaque to the client, no-store still.
    log::error("token endpoint failed", {{"request_id", ctx.request_id}, {"what", ex.what()}});
    result = make_error(oauth_errc::server_error, "internal error");
    count(result, nullptr);
  }
  if (auto* ok = std::get_if<token_response>(&result)) co_return to_response(*ok);
  const auto& e = std::get<token_error>(result);
  if (e.code == oauth_errc::temporarily_unavailable)
    log::warn("token request failed: store unavailable", {{"request_id", ctx.request_id}});
  co_return to_response(e);
}

} // namespace oauth::auth
