#pragma once
// The login session as the browser routes see it (../shared/CONTRACT.md, "Login session"):
// the `oauth_session` cookie, the session it names (session_store), the CSRF token of the
// session's forms, and the HTML responses every page shares. Used by /login, /logout and
// /oauth/authorize (and, later, the device grant's pages).
//
// Cookie: oauth_session=<43-character random id>; Path=/; Max-Age=<SESSION_TTL>; HttpOnly;
// SameSite=Lax[; Secure]. Lax, not Strict: the user arrives at /oauth/authorize by a top-level
// navigation from the client's site, which must carry the session. Secure as the refresh
// cookie's rule (https issuer, or X-Forwarded-Proto with TRUST_FORWARDED_PROTO=1).
// A cookie sent twice (one planted by a sibling domain) → 400: the server cannot tell which
// one is ours (first_party_security.hpp, cookie tossing).
#include "auth-service/pages/pages.hpp"
#include "auth-service/storage/session_store.hpp"
#include "common/http/request_context.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace oauth::auth {

inline constexpr std::string_view session_cookie_name = "oauth_session";
// The login form's CSRF token before there is a session (double submit: cookie + hidden input).
inline constexpr std::string_view login_csrf_cookie_name = "oauth_login_csrf";

struct browser_session_options {
  std::chrono::seconds ttl{7200};   // SESSION_TTL
  std::chrono::seconds idle{1800};  // SESSION_IDLE_TIMEOUT
  bool always_secure = false;       // AUTH_ISSUER is https
  bool trust_forwarded_proto = false;
};

struct current_session {
  std::string id;
  login_session session;
};

class browser_sessions {
public:
  // `store` must outlive this.
  browser_sessions(session_store& store, browser_session_options options) : store_(store), options_(options) {}

  // The live session of the request's cookie (nullopt: none), or the response to answer
  // (400 for a repeated cookie, 503 when Redis is down).
  using lookup = std::variant<std::optional<current_session>, http::response>;
  boost::asio::awaitable<lookup> find(const http::request_context& ctx, std::int64_t now);

  session_store& store() { return store_; }
  const browser_session_options& options() const { return options_; }

  bool secure(const http::request_context& ctx) const;
  std::string session_cookie(std::string_view id, const http::request_context& ctx) const;
  std::string cleared_session_cookie(const http::request_context& ctx) const;
  std::string login_csrf_cookie(std::string_view token, const http::request_context& ctx) const;

  // A cookie's value across the request's Cookie headers; `repeated` when sent twice.
  static std::optional<std::string> single_cookie(const http::request_context& ctx, std::string_view name,
                                                  bool& repeated);
  // The pages' own forms: Origin names the addressed host or a trusted origin and Sec-Fetch-Site,
  // when sent, is same-origin (first_party_security.hpp's rules, any body: the CSRF token guards it too).
  static bool sent_by_own_page(const http::request_context& ctx, std::span<const std::string> trusted_origins);

private:
  session_store& store_;
  browser_session_options options_;
};

// An HTML page with the pages' headers: Content-Type text/html, Cache-Control: no-store,
// X-Frame-Options: DENY, the pages' CSP (frame-ancestors 'none'), nosniff, Referrer-Policy
// same-origin (the pages' forms must carry their real Origin).
http::response html_page(http::status status, std::string body, std::span<const std::string> form_targets = {});
// A redirect (302 or 303) with no-store.
http::response redirect_to(http::status status, std::string location);

} // namespace oauth::auth
