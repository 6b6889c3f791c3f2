#include "auth-service/session/browser_sessions.hpp"

#include "auth-service/routes/first_party_security.hpp"

#include <vector>

namespace oauth::auth {
namespace fp = first_party;

std::optional<std::string> browser_sessions::single_cookie(const http::request_context& ctx, std::string_view name,
                                                           bool& repeated) {
  std::vector<std::string_view> headers;
  for (auto [it, end] = ctx.req.equal_range(http::field::cookie); it != end; ++it)
    headers.emplace_back(it->value().data(), it->value().size());
  auto found = fp::find_single_cookie(headers, name);
  repeated = found.what == fp::single_cookie::kind::repeated;
  if (found.what != fp::single_cookie::kind::one) return std::nullopt;
  return std::move(found.value);
}

bool browser_sessions::sent_by_own_page(const http::request_context& ctx,
                                        std::span<const std::string> trusted_origins) {
  const fp::request_origin o{ctx.header(http::field::origin), ctx.header("Sec-Fetch-Site"),
                             ctx.header(http::field::host), ctx.header(http::field::content_type),
                             ctx.req.find(fp::csrf_header) != ctx.req.end()};
  return fp::check_csrf(o, trusted_origins, fp::body_rule::any) == fp::csrf_verdict::allowed;
}

boost::asio::awaitable<browser_sessions::lookup> browser_sessions::find(const http::request_context& ctx,
                                                                        std::int64_t now) {
  bool repeated = false;
  auto id = single_cookie(ctx, session_cookie_name, repeated);
  if (repeated)
    co_return html_page(http::status::bad_request,
                        pages::render_message("Bad request", "The session cookie was sent more than once. Clear this "
                                                             "site's cookies and try again."));
  if (!id || id->empty()) co_return std::optional<current_session>{};
  auto found = co_await store_.find(*id, now, options_.idle);
  if (!found) {
    auto res = html_page(http::status::service_unavailable,
                         pages::render_message("Temporarily unavailable", "Please try again in a moment."));
    res.set(http::field::retry_after, "1");
    co_return res;
  }
  if (!*found) co_return std::optional<current_session>{};
  co_return std::optional<current_session>{current_session{std::move(*id), std::move(**found)}};
}

bool browser_sessions::secure(const http::request_context& ctx) const {
  return options_.always_secure ||
         (options_.trust_forwarded_proto && fp::forwarded_https(ctx.header("X-Forwarded-Proto")));
}

std::string browser_sessions::session_cookie(std::string_view id, const http::request_context& ctx) const {
  return std::string(session_cookie_name) + "=" + std::string(id) + "; Path=/; Max-Age=" +
         std::to_string(options_.ttl.count()) + "; HttpOnly; SameSite=Lax" + (secure(ctx) ? "; Secure" : "");
}

std::string browser_sessions::cleared_session_cookie(const http::request_context& ctx) const {
  return std::string(session_cookie_name) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" +
         (secure(ctx) ? "; Secure" : "");
}

std::string browser_sessions::login_csrf_cookie(std::string_view token, const http::request_context& ctx) const {
  // Path=/login: sent only with the login form's own requests; an hour to fill the form in.
  return std::string(login_csrf_cookie_name) + "=" + std::string(token) +
         "; Path=/login; Max-Age=3600; HttpOnly; SameSite=Strict" + (secure(ctx) ? "; Secure" : "");
}

http::response html_page(http::status status, std::string body, std::span<const std::string> form_targets) {
  http::response res{status, 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Frame-Options", "DENY");
  res.set("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the
  // page's own form POST (Fetch, "serializing a request origin"), which the login and consent
  // forms' Origin check must refuse. Other origins still get no Referer.
  res.set("Referrer-Policy", "same-origin");
  res.set("Content-Security-Policy", pages::page_csp(form_targets));
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

http::response redirect_to(http::status status, std::string location) {
  http::response res{status, 11};
  res.set(http::field::location, std::move(location));
  res.set(http::field::cache_control, "no-store");
  res.set("Referrer-Policy", "no-referrer");
  res.prepare_payload();
  return res;
}

} // namespace oauth::auth
