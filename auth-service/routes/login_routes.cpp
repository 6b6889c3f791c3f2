#include "auth-service/routes/login_routes.hpp"

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "auth-service/authorize/redirect_uri.hpp"
#include "auth-service/session/return_to.hpp"
#include "common/encoding.hpp"
#include "common/http/params.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "common/time.hpp"

#include <memory>

namespace oauth::auth {
namespace {

// The pre-session CSRF token: 43 base64url characters (random_token()'s shape).
bool well_formed_token(std::string_view t) {
  if (t.size() != 43) return false;
  for (char c : t)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

http::response forbidden(std::string_view why) {
  return html_page(http::status::forbidden, pages::render_message("Forbidden", why));
}

class login_handlers {
public:
  login_handlers(password_login& login, browser_sessions& sessions, login_routes_options options)
      : login_(login), sessions_(sessions), options_(std::move(options)) {}

  boost::asio::awaitable<http::response> show(http::request_context& ctx) {
    const std::string return_to = sanitize_return_to(ctx.query_param("return_to").value_or("/"));
    bool repeated = false;
    auto existing = browser_sessions::single_cookie(ctx, login_csrf_cookie_name, repeated);
    std::string token = existing && well_formed_token(*existing) && !repeated ? *existing : random_token();
    auto res = form_page(http::status::ok, token, return_to, "", "");
    res.insert(http::field::set_cookie, sessions_.login_csrf_cookie(token, ctx));
    co_return res;
  }

  boost::asio::awaitable<http::response> submit(http::request_context& ctx) {
    if (!browser_sessions::sent_by_own_page(ctx, options_.trusted_origins))
      co_return forbidden("This form was sent from another site.");
    auto parsed = http::parse_body_params(ctx.header("Content-Type"), ctx.req.body());
    if (auto* bad = std::get_if<http::params_error>(&parsed))
      co_return html_page(http::status::bad_request, pages::render_message("Bad request", bad->description));
    const auto& form = std::get<http::body_params>(parsed);
    if (form.first_repeated())
      co_return html_page(http::status::bad_request, pages::render_message("Bad request", "A field was sent twice."));

    bool repeated = false;
    auto cookie = browser_sessions::single_cookie(ctx, login_csrf_cookie_name, repeated);
    auto sent = form.get("csrf_token");
    if (repeated || !cookie || !sent || !well_formed_token(*cookie) || !constant_time_equal(*cookie, *sent))
      co_return forbidden("The sign-in form has expired or was not sent by this site. Reload the page and try again.");

    const std::string return_to = sanitize_return_to(form.get("return_to").value_or("/"));
    const std::string email(form.get("email").value_or(""));
    auto password = form.get("password").value_or("");
    if (email.empty() || password.empty())
      co_return form_page(http::status::bad_request, *cookie, return_to, email, "Enter your e-mail and password.");

    auto outcome = co_await login_.check(email, password, ctx.remote_address);
    if (auto* refused = std::get_if<login_refusal>(&outcome)) {
      switch (refused->why) {
        case login_refusal::kind::wrong_credentials:
          co_return form_page(http::status::unauthorized, *cookie, return_to, email,
                              "The e-mail or password is incorrect.");
        case login_refusal::kind::throttled: {
          auto res = form_page(http::status::too_many_requests, *cookie, return_to, email,
                               "Too many failed sign-in attempts. Try again in a minute.");
          res.set(http::field::retry_after, std::to_string(refused->retry_after.count()));
          co_return res;
        }
        case login_refusal::kind::busy:
        case login_refusal::kind::unavailable: {
          auto res = form_page(http::status::service_unavailable, *cookie, return_to, email,
                               "Sign-in is temporarily unavailable. Try again in a moment.");
          res.set(http::field::retry_after, std::to_string(std::max<std::int64_t>(1, refused->retry_after.count())));
          co_return res;
        }
      }
    }
    const user& u = std::get<user>(outcome);

    // No fixation: whatever session the request came with ends, and a new id is issued.
    bool session_repeated = false;
    if (auto old = browser_sessions::single_cookie(ctx, session_cookie_name, session_repeated); old && !old->empty()) {
      auto ended = co_await sessions_.store().destroy(*old);
      if (!ended) log::warn("previous login session not ended (store unavailable); it expires by itself");
    }
    const auto& o = sessions_.options();
    auto created = co_await sessions_.store().create(u.id, unix_now(), o.ttl, o.idle);
    if (!created) {
      auto res = form_page(http::status::service_unavailable, *cookie, return_to, email,
                           "Sign-in is temporarily unavailable. Try again in a moment.");
      res.set(http::field::retry_after, "1");
      co_return res;
    }
    log::info("user signed in", {{"user_id", u.id}});
    auto res = redirect_to(http::status::see_other, return_to);
    res.insert(http::field::set_cookie, sessions_.session_cookie(created->id, ctx));
    co_return res;
  }

  boost::asio::awaitable<http::response> logout(http::request_context& ctx) {
    const bool json = http::media_type(ctx.header("Content-Type")) == "application/json";
    if (!browser_sessions::sent_by_own_page(ctx, options_.trusted_origins))
      co_return forbidden("This request was sent from another site.");
    auto found = co_await sessions_.find(ctx, unix_now());
    if (auto* answer = std::get_if<http::response>(&found)) co_return std::move(*answer);
    const auto& current = std::get<std::optional<current_session>>(found);
    if (current) {
      if (!json) {
        // A form: the session's own CSRF token must come with it.
        auto parsed = http::parse_body_params(ctx.header("Content-Type"), ctx.req.body());
        auto* form = std::get_if<http::body_params>(&parsed);
        auto sent = form ? form->get("csrf_token") : std::nullopt;
        if (!sent || !constant_time_equal(*sent, current->session.csrf_token))
          co_return forbidden("The sign-out form was not sent by this site.");
      }
      auto ended = co_await sessions_.store().destroy(current->id);
      if (!ended) {
        auto res = html_page(http::status::service_unavailable,
                             pages::render_message("Temporarily unavailable", "Signing out failed; try again."));
        res.set(http::field::retry_after, "1");
        co_return res;
      }
      log::info("user signed out", {{"user_id", current->session.user_id}});
    }
    auto res = redirect_to(http::status::see_other, "/login");
    res.insert(http::field::set_cookie, sessions_.cleared_session_cookie(ctx));
    co_return res;
  }

private:
  http::response form_page(http::status status, std::string_view csrf, const std::string& return_to,
                           const std::string& email, std::string message) const {
    pages::login_form f;
    f.email = email;
    f.message = std::move(message);
    f.hidden = {{"csrf_token", std::string(csrf)}, {"return_to", return_to}};
    // The login's 303 may lead on to /oauth/authorize and from there to the client's
    // redirect URI: CSP form-action governs that chain, so name the URI's origin.
    std::vector<std::string> targets;
    constexpr std::string_view authorize_prefix = "/oauth/authorize?";
    if (return_to.starts_with(authorize_prefix)) {
      auto query = http::parse_body_params("application/x-www-form-urlencoded",
                                           std::string_view(return_to).substr(authorize_prefix.size()));
      // Only a URI that could be registered at all (https, loopback http, a reverse-domain
      // scheme): return_to is the visitor's input, and data: or javascript: must never
      // become a form target. /oauth/authorize checks the client's own list.
      if (auto* params = std::get_if<http::body_params>(&query))
        if (auto uri = params->get("redirect_uri"); uri && !registered_redirect_uri_problem(*uri))
          targets.push_back(pages::csp_source_of(*uri));
    }
    return html_page(status, pages::render_login(f), targets);
  }

  password_login& login_;
  browser_sessions& sessions_;
  login_routes_options options_;
};

} // namespace

void add_login_routes(http::router& r, password_login& login, browser_sessions& sessions,
                      login_routes_options options) {
  auto h = std::make_shared<login_handlers>(login, sessions, std::move(options));
  r.add(http::verb::get, "/login", [h](http::request_context& ctx) { return h->show(ctx); });
  r.add(http::verb::post, "/login", [h](http::request_context& ctx) { return h->submit(ctx); });
  r.add(http::verb::post, "/logout", [h](http::request_context& ctx) { return h->logout(ctx); });
}

} // namespace oauth::auth
