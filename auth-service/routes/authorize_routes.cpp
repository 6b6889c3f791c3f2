#include "auth-service/routes/authorize_routes.hpp"

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "auth-service/authorize/authorize_request.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/catalogue/scopes.hpp"
#include "common/encoding.hpp"
#include "common/http/params.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

#include <algorithm>
#include <memory>

namespace oauth::auth {
namespace {

http::response bad_request_page(std::string_view why) {
  return html_page(http::status::bad_request, pages::render_message("This request cannot be completed", why));
}

http::response unavailable_page() {
  auto res = html_page(http::status::service_unavailable,
                       pages::render_message("Temporarily unavailable", "Please try again in a moment."));
  res.set(http::field::retry_after, "1");
  return res;
}

class authorize_handlers {
public:
  explicit authorize_handlers(authorize_dependencies deps) : d_(std::move(deps)) {}

  boost::asio::awaitable<http::response> get(http::request_context& ctx) {
    auto parsed = http::parse_body_params("application/x-www-form-urlencoded", ctx.query);
    if (auto* bad = std::get_if<http::params_error>(&parsed)) co_return bad_request_page(bad->description);
    co_return co_await run(ctx, std::get<http::body_params>(parsed), nullptr);
  }

  boost::asio::awaitable<http::response> post(http::request_context& ctx) {
    if (!browser_sessions::sent_by_own_page(ctx, d_.trusted_origins))
      co_return html_page(http::status::forbidden,
                          pages::render_message("Forbidden", "This form was sent from another site."));
    auto parsed = http::parse_body_params(ctx.header("Content-Type"), ctx.req.body());
    if (auto* bad = std::get_if<http::params_error>(&parsed)) co_return bad_request_page(bad->description);
    const auto& form = std::get<http::body_params>(parsed);
    auto decision = form.get("decision");
    if (!decision || (*decision != "approve" && *decision != "deny"))
      co_return bad_request_page("The decision must be approve or deny.");
    co_return co_await run(ctx, form, &*decision);
  }

private:
  // GET (decision == nullptr) and the consent form's POST share every check.
  boost::asio::awaitable<http::response> run(http::request_context& ctx, const http::body_params& params,
                                             const std::string_view* decision) {
    const std::int64_t now = unix_now();
    std::optional<client> found;
    if (auto id = params.get("client_id"); id && !id->empty()) {
      auto looked_up = co_await d_.clients.find(*id);
      if (!looked_up) co_return unavailable_page();
      found = std::move(*looked_up);
    }
    auto validated = validate_authorize(params, found);
    if (auto* e = std::get_if<authorize_error>(&validated)) co_return answer(*e);
    auto& request = std::get<authorize_request>(validated);
    const client& c = *found;

    auto session_lookup = co_await d_.sessions.find(ctx, now);
    if (auto* answer_now = std::get_if<http::response>(&session_lookup)) co_return std::move(*answer_now);
    auto& session = std::get<std::optional<current_session>>(session_lookup);

    if (decision != nullptr) {
      // The consent form: only from a live session, with that session's CSRF token.
      if (!session) co_return to_login(request);
      auto sent = params.get("csrf_token");
      if (!sent || !constant_time_equal(*sent, session->session.csrf_token))
        co_return html_page(http::status::forbidden,
                            pages::render_message("Forbidden", "The consent form was not sent by this site."));
    } else if (request.prompt == prompt_value::login || !session) {
      if (request.prompt == prompt_value::none) co_return answer(back(request, "login_required", "The user is not signed in."));
      co_return to_login(request);
    }

    auto looked_up_user = co_await d_.users.find_by_id(session->session.user_id);
    if (!looked_up_user) co_return unavailable_page();
    if (!*looked_up_user) {
      // The session outlived its user (deleted): end it and start again.
      auto ended = co_await d_.sessions.store().destroy(session->id);
      if (!ended) log::warn("session of a deleted user not ended (store unavailable); it expires by itself");
      if (request.prompt == prompt_value::none) co_return answer(back(request, "login_required", "The user is not signed in."));
      co_return to_login(request);
    }
    const user& u = **looked_up_user;
    for (const auto& s : request.scopes)
      if (!scope_grants(u.scopes, s))
        co_return answer(back(request, "invalid_scope", "The user may not grant the scope '" + s + "'."));

    if (decision != nullptr) {
      if (*decision == "deny") {
        log::info("authorization denied by the user", {{"user_id", u.id}, {"client_id", c.id}});
        co_return answer(back(request, "access_denied", "The user denied the request."));
      }
      if (!c.is_first_party()) {
        auto remembered = co_await d_.consents.remember(u.id, c.id, request.scopes);
        if (!remembered) co_return unavailable_page();
      }
      co_return co_await issue_code(request, u, *session);
    }

    bool consent_needed = !c.is_first_party();
    if (consent_needed && request.prompt != prompt_value::consent) {
      auto consent = co_await d_.consents.find(u.id, c.id);
      if (!consent) co_return unavailable_page();
      if (*consent) {
        const auto& approved = (*consent)->scopes;
        consent_needed = !std::all_of(request.scopes.begin(), request.scopes.end(), [&](const std::string& s) {
          return std::find(approved.begin(), approved.end(), s) != approved.end();
        });
      }
    }
    if (!consent_needed) co_return co_await issue_code(request, u, *session);
    if (request.prompt == prompt_value::none)
      co_return answer(back(request, "consent_required", "The user has not approved this application."));
    co_return consent_page(request, c, u, *session);
  }

  boost::asio::awaitable<http::response> issue_code(const authorize_request& request, const user& u,
                                                    const current_session& session) {
    authorization_code_record record;
    record.client_id = request.client_id;
    record.redirect_uri = request.redirect_uri;
    record.redirect_uri_sent = request.redirect_uri_sent;
    record.user_id = u.id;
    record.scopes = request.scopes;
    record.code_challenge = request.code_challenge;
    record.auth_time = session.session.auth_time;
    const auto ttl = std::max(d_.code_ttl, std::chrono::seconds(1));
    const std::int64_t now = unix_now();
    record.expires_at = now + ttl.count();
    const auto keys = d_.code_keys();
    std::string code = seal_authorization_code(record, choose_sealing_key(*keys, now, d_.code_key_delay));
    auto remembered = co_await d_.codes.remember(code, ttl);
    if (!remembered) co_return unavailable_page();
    std::vector<std::pair<std::string, std::string>> p{{"code", std::move(code)}};
    if (request.state) p.emplace_back("state", *request.state);
    p.emplace_back("iss", d_.issuer);
    co_return redirect_to(http::status::found, with_query(request.redirect_uri, p));
  }

  http::response consent_page(const authorize_request& request, const client& c, const user& u,
                              const current_session& session) const {
    pages::consent_form form;
    form.client_name = c.name;
    form.user_email = u.email;
    form.action = "/oauth/authorize";
    for (const auto& s : request.scopes) {
      const auto* def = catalogue::find_scope(s);
      form.scopes.push_back({s, def ? std::string(def->description) : s});
    }
    form.hidden.push_back({"csrf_token", session.session.csrf_token});
    for (auto& [k, v] : authorize_fields(request)) form.hidden.push_back({k, v});
    form.logout_csrf = session.session.csrf_token;
    std::vector<std::string> targets{pages::csp_source_of(request.redirect_uri)};
    return html_page(http::status::ok, pages::render_consent(form), targets);
  }

  http::response to_login(const authorize_request& request) const {
    std::string return_to = with_query("/oauth/authorize", authorize_fields(request));
    return redirect_to(http::status::found, "/login?return_to=" + url_encode(return_to));
  }

  static authorize_error back(const authorize_request& r, std::string error, std::string description) {
    return authorize_error{true, std::move(error), std::move(description), r.redirect_uri, r.state};
  }

  http::response answer(const authorize_error& e) const {
    if (!e.redirect) return bad_request_page(e.description);
    return redirect_to(http::status::found, error_redirect_uri(e, d_.issuer));
  }

  authorize_dependencies d_;
};

} // namespace

void add_authorize_routes(http::router& r, authorize_dependencies deps) {
  auto h = std::make_shared<authorize_handlers>(std::move(deps));
  r.add(http::verb::get, "/oauth/authorize", [h](http::request_context& ctx) { return h->get(ctx); });
  r.add(http::verb::post, "/oauth/authorize", [h](http::request_context& ctx) { return h->post(ctx); });
}

} // namespace oauth::auth
