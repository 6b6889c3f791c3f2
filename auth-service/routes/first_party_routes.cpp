#include "auth-service/routes/first_party_routes.hpp"

#include "auth-service/oauth/request_params.hpp"
#include "auth-service/routes/auth_routes.hpp"
#include "auth-service/routes/first_party_security.hpp"
#include "common/encoding.hpp"
#include "common/http/origin.hpp"
#include "common/http/params.hpp"
#include "common/http/responses.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/time.hpp"

#include <array>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace oauth::auth {
namespace {

namespace fp = first_party;

class proxy {
public:
  proxy(token_endpoint& tokens, first_party_options options, refresh_token_inspector* refresh_tokens)
      : tokens_(tokens), options_(std::move(options)), refresh_tokens_(refresh_tokens) {
    auto& reg = metrics::global();
    const char* help = "Requests refused by the first-party endpoints' cross-site checks, by reason";
    refused_origin_ = &reg.get_counter("auth_first_party_refused_total", help, "reason=\"origin\"");
    refused_fetch_ = &reg.get_counter("auth_first_party_refused_total", help, "reason=\"sec_fetch_site\"");
    refused_type_ = &reg.get_counter("auth_first_party_refused_total", help, "reason=\"content_type\"");
  }

  bool configured() const { return !options_.client_id.empty() && !options_.client_secret.empty(); }

  boost::asio::awaitable<http::response> password_token(http::request_context& ctx) {
    // JSON only: an HTML form of another site cannot send it (login CSRF from browsers
    // without Origin or Fetch Metadata).
    if (auto refused = check_request(ctx, fp::body_rule::json)) co_return std::move(*refused);
    if (!configured()) co_return not_configured();
    auto parsed = parse_request_params(ctx.header(http::field::content_type), ctx.req.body());
    if (auto* e = std::get_if<token_error>(&parsed)) co_return to_response(*e);
    const auto& params = std::get<http::body_params>(parsed);

    // Only the user's fields are taken from the request; grant and client are the proxy's.
    std::string form = "grant_type=password";
    append(form, "username", params.get("username"));
    append(form, "password", params.get("password"));
    append(form, "scope", params.get("scope"));
    auto result = co_await run_grant(ctx, std::move(form));
    co_return respond(ctx, result, false);
  }

  boost::asio::awaitable<http::response> refresh(http::request_context& ctx) {
    if (auto refused = check_request(ctx, fp::body_rule::json_or_csrf_header)) co_return std::move(*refused);
    if (!configured()) co_return not_configured();
    std::optional<std::string> scope;
    if (!ctx.req.body().empty()) {
      auto parsed = parse_request_params(ctx.header(http::field::content_type), ctx.req.body());
      if (auto* e = std::get_if<token_error>(&parsed)) co_return to_response(*e);
      const auto& params = std::get<http::body_params>(parsed);
      if (auto s = params.get("scope")) scope = std::string(*s);
    }
    auto found = refresh_cookie_of(ctx);
    if (auto* refused = std::get_if<http::response>(&found)) co_return std::move(*refused);
    const auto& cookie = std::get<std::string>(found);
    if (cookie.empty()) {
      auto res = to_response(make_error(oauth_errc::invalid_grant, "No refresh token cookie: log in again."));
      res.insert(http::field::set_cookie, fp::cleared_refresh_cookie(secure(ctx)));
      co_return res;
    }
    std::string form = "grant_type=refresh_token";
    append(form, "refresh_token", std::string_view(cookie));
    if (scope) append(form, "scope", std::string_view(*scope));
    auto result = co_await run_grant(ctx, std::move(form));
    co_return respond(ctx, result, true);
  }

  boost::asio::awaitable<http::response> logout(http::request_context& ctx) {
    if (auto refused = check_request(ctx, fp::body_rule::json_or_csrf_header)) co_return std::move(*refused);
    auto found = refresh_cookie_of(ctx);
    if (auto* refused = std::get_if<http::response>(&found)) co_return std::move(*refused);
    const auto& cookie = std::get<std::string>(found);
    if (!cookie.empty() && refresh_tokens_ != nullptr && configured()) {
      // The whole family and the access tokens issued from it (RFC 7009, as /oauth/revoke).
      auto outcome = co_await refresh_tokens_->revoke_family(cookie, options_.client_id, unix_now());
      if (!outcome) {
        // Not revoked: keep the cookie so that the browser can try again.
        log::warn("first-party logout failed: store unavailable", {{"request_id", ctx.request_id}});
        co_return to_response(store_unavailable());
      }
      if (*outcome == refresh_revoke_outcome::revoked)
        log::info("first-party logout: refresh family revoked", {{"request_id", ctx.request_id}});
    }
    auto res = http::empty_response(http::status::no_content);
    set_no_store(res);
    res.insert(http::field::set_cookie, fp::cleared_refresh_cookie(secure(ctx)));
    co_return res;
  }

private:
  // The refresh cookie's value ("" when absent), or the 400 for a request carrying it twice.
  static std::variant<std::string, http::response> refresh_cookie_of(const http::request_context& ctx) {
    std::vector<std::string_view> headers;
    for (auto [it, end] = ctx.req.equal_range(http::field::cookie); it != end; ++it)
      headers.emplace_back(it->value().data(), it->value().size());
    auto found = fp::find_single_cookie(headers, fp::refresh_cookie_name);
    if (found.what == fp::single_cookie::kind::repeated) {
      auto res = to_response(make_error(oauth_errc::invalid_request, "The refresh token cookie was sent more than once."));
      set_no_store(res);
      return res;
    }
    return std::move(found.value);
  }

  static void append(std::string& form, std::string_view name, std::optional<std::string_view> value) {
    if (!value) return;
    form += '&';
    form += name;
    form += '=';
    form += url_encode(*value);
  }

  bool secure(const http::request_context& ctx) const {
    return options_.always_secure ||
           (options_.trust_forwarded_proto && fp::forwarded_https(ctx.header("X-Forwarded-Proto")));
  }

  std::optional<http::response> check_request(const http::request_context& ctx, fp::body_rule body) const {
    fp::request_origin o;
    o.origin = ctx.header(http::field::origin);
    o.sec_fetch_site = ctx.header("Sec-Fetch-Site");
    o.host = ctx.header(http::field::host);
    o.content_type = ctx.header(http::field::content_type);
    o.has_csrf_header = ctx.req.find(fp::csrf_header) != ctx.req.end();
    auto verdict = fp::check_csrf(o, options_.trusted_origins, body);
    if (verdict == fp::csrf_verdict::allowed) return std::nullopt;
    http::response res;
    switch (verdict) {
    case fp::csrf_verdict::foreign_origin:
      refused_origin_->inc();
      res = http::error_response(http::status::forbidden, "invalid_request", "Cross-origin request refused.");
      break;
    case fp::csrf_verdict::cross_site_fetch:
      refused_fetch_->inc();
      res = http::error_response(http::status::forbidden, "invalid_request", "Cross-site request refused.");
      break;
    default:
      refused_type_->inc();
      res = http::error_response(http::status::unsupported_media_type, "invalid_request",
                                 body == fp::body_rule::json
                                     ? "Send Content-Type: application/json."
                                     : "Send Content-Type: application/json (or an X-Requested-With header).");
      break;
    }
    set_no_store(res);
    return res;
  }

  static http::response not_configured() {
    return to_response(make_error(oauth_errc::server_error, "The first-party password client is not configured."));
  }

  boost::asio::awaitable<grant_result> run_grant(http::request_context& ctx, std::string form) {
    append(form, "client_id", std::string_view(options_.client_id));
    append(form, "client_secret", std::string_view(options_.client_secret));
    token_request_input in{"application/x-www-form-urlencoded", {}, form, ctx.remote_address, unix_now()};
    grant_result result;
    try {
      result = co_await tokens_.process(in);
    } catch (const std::exception& ex) {
      log::error("first-party token request failed", {{"request_id", ctx.request_id}, {"what", ex.what()}});
      result = make_error(oauth_errc::server_error, "internal error");
    }
    co_return result;
  }

  http::response respond(const http::request_context& ctx, const grant_result& result, bool refreshing) const {
    if (const auto* ok = std::get_if<token_response>(&result)) {
      token_response shown = *ok;
      shown.refresh_token.reset();  // only in the HttpOnly cookie
      auto res = to_response(shown);
      if (ok->refresh_token)
        res.insert(http::field::set_cookie, fp::refresh_cookie(*ok->refresh_token, options_.refresh_token_ttl, secure(ctx)));
      return res;
    }
    auto e = std::get<token_error>(result);
    if (e.code == oauth_errc::invalid_client || e.code == oauth_errc::unauthorized_client) {
      log::error("the first-party password client was refused: check OAUTH_PASSWORD_CLIENT_ID/SECRET and its grants",
                 {{"request_id", ctx.request_id}, {"error", std::string(error_info(e.code).name)}});
      e = make_error(oauth_errc::server_error, "The first-party password client is misconfigured.");
    } else if (e.code == oauth_errc::temporarily_unavailable) {
      log::warn("first-party token request failed: store unavailable", {{"request_id", ctx.request_id}});
    }
    auto res = to_response(e);
    if (refreshing && e.code == oauth_errc::invalid_grant)
      res.insert(http::field::set_cookie, fp::cleared_refresh_cookie(secure(ctx)));
    return res;
  }

  token_endpoint& tokens_;
  first_party_options options_;
  refresh_token_inspector* refresh_tokens_;
  metrics::counter* refused_origin_ = nullptr;
  metrics::counter* refused_fetch_ = nullptr;
  metrics::counter* refused_type_ = nullptr;
};

} // namespace

first_party_options first_party_options_from(const auth_config& config) {
  first_party_options o;
  o.client_id = config.password_client_id;
  o.client_secret = config.password_client_secret;
  o.refresh_token_ttl = config.refresh_token_ttl;
  o.always_secure = config.service.issuer.starts_with("https://");
  o.trust_forwarded_proto = config.trust_forwarded_proto;
  if (auto issuer_origin = http::origin_of(config.service.issuer)) o.trusted_origins.push_back(*issuer_origin);
  return o;
}

void add_first_party_routes(http::router& r, token_endpoint& tokens, first_party_options options,
                            refresh_token_inspector* refresh_tokens) {
  auto p = std::make_shared<proxy>(tokens, std::move(options), refresh_tokens);
  if (!p->configured())
    log::warn("OAUTH_PASSWORD_CLIENT_ID/OAUTH_PASSWORD_CLIENT_SECRET are not set: POST /api/oauth/password/token and "
              "/api/oauth/refresh answer 500 until they are (authctl install prints them)");
  http::route_options limits{.max_body_bytes = token_body_limit};
  r.add(http::verb::post, "/api/oauth/password/token", [p](http::request_context& ctx) { return p->password_token(ctx); },
        limits);
  r.add(http::verb::post, "/api/oauth/refresh", [p](http::request_context& ctx) { return p->refresh(ctx); }, limits);
  r.add(http::verb::post, "/api/oauth/logout", [p](http::request_context& ctx) { return p->logout(ctx); }, limits);
}

} // namespace oauth::auth
