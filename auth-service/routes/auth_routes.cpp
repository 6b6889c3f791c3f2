#include "auth-service/routes/auth_routes.hpp"

#include "common/http/responses.hpp"

#include <boost/json/serialize.hpp>

#include <string>

namespace oauth::auth {
namespace {

http::response cached_json(std::string body, std::chrono::seconds max_age) {
  auto res = http::text_response(http::status::ok, std::move(body), "application/json");
  res.set(http::field::cache_control, "public, max-age=" + std::to_string(max_age.count()));
  return res;
}

// Coroutines take their inputs as parameters (never through a lambda capture), so nothing
// they use can dangle.
boost::asio::awaitable<http::response> serve_jwks(const key_manager* keys) {
  co_return cached_json(keys->current()->jwks_json, jwks_max_age);
}

boost::asio::awaitable<http::response> serve_document(std::shared_ptr<const std::string> body,
                                                      std::chrono::seconds max_age) {
  co_return cached_json(*body, max_age);
}

} // namespace

void add_auth_routes(http::router& r, const key_manager& keys, token_endpoint& tokens, const metadata_options& meta) {
  r.add(http::verb::post, "/oauth/token", [&tokens](http::request_context& ctx) { return tokens.handle(ctx); },
        http::route_options{.max_body_bytes = token_body_limit});
  r.add(http::verb::get, "/.well-known/jwks.json", [k = &keys](http::request_context&) { return serve_jwks(k); });

  auto metadata = std::make_shared<const std::string>(boost::json::serialize(authorization_server_metadata(meta)));
  r.add(http::verb::get, "/.well-known/oauth-authorization-server",
        [metadata](http::request_context&) { return serve_document(metadata, metadata_max_age); });
  auto scopes = std::make_shared<const std::string>(boost::json::serialize(scopes_document()));
  r.add(http::verb::get, "/oauth/scopes",
        [scopes](http::request_context&) { return serve_document(scopes, metadata_max_age); });
}

} // namespace oauth::auth
