// The browser flows over HTTP against real PostgreSQL and Redis (../shared/CONTRACT.md, "Users
// in the browser"): login sessions, GET/POST /oauth/authorize with every rule, the consent
// page and remembered consent, the authorization code grant with PKCE and replay revocation,
// and the authorized-applications routes.
#include "auth-service/authorize/pkce.hpp"
#include "tests/integration/auth_token_support.hpp"

#include <boost/beast/core/string.hpp>

#include <future>
#include <regex>
#include <utility>

using namespace oauth;
using namespace oauth::test::auth_server;
using verb = boost::beast::http::verb;
using field = boost::beast::http::field;

namespace {

const std::string& pw = test_password;
const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";  // RFC 7636 Appendix B
const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const std::string app_uri = "https://app.example/callback";

using headers = std::vector<std::pair<std::string, std::string>>;

// A browser on the service's origin: Host, same-origin fetch metadata, the cookies given.
reply browse(std::uint16_t port, verb method, const std::string& target, const std::string& cookies = "",
             const std::string& form = "", headers extra = {}) {
  http_::request<http_::string_body> req{method, target, 11};
  std::string self = "127.0.0.1:" + std::to_string(port);
  req.set(field::host, self);
  req.set("Sec-Fetch-Site", "same-origin");
  if (method == verb::post) {
    req.set(field::origin, "http://" + self);
    req.set(field::content_type, "application/x-www-form-urlencoded");
    req.body() = form;
  }
  if (!cookies.empty()) req.set(field::cookie, cookies);
  for (auto& [k, v] : extra) req.set(k, v);
  req.set(field::connection, "close");
  return as_reply(oauth::test::http_exchange(port, std::move(req)));
}

std::vector<std::string> set_cookies(const reply& r) {
  std::vector<std::string> out;
  for (auto it = r.raw.find(field::set_cookie); it != r.raw.end() && it->name() == field::set_cookie; ++it)
    out.emplace_back(it->value());
  return out;
}

// name=value of the Set-Cookie named `name` ("" when none).
std::string cookie_pair(const reply& r, const std::string& name) {
  for (auto& c : set_cookies(r))
    if (c.starts_with(name + "=")) return c.substr(0, c.find(';'));
  return {};
}

std::string hidden(const std::string& html, const std::string& name) {
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(html, m, std::regex("name=\"" + name + "\" value=\"([^\"]*)\"")), html);
  return m[1];
}

// The hidden inputs of the page's first form, as a form body (HTML entities of our escaping undone).
std::string hidden_form(const std::string& html) {
  std::string out;
  static const std::regex input("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  auto begin = std::sregex_iterator(html.begin(), html.end(), input);
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    std::string v = (*it)[2];
    for (auto [from, to] : {std::pair{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
      for (auto pos = v.find(from); pos != std::string::npos; pos = v.find(from, pos + 1)) v.replace(pos, std::string(from).size(), to);
    }
    if ((*it)[1] == "csrf_token" && out.find("csrf_token=") != std::string::npos) continue;  // the logout form's
    if (!out.empty()) out += '&';
    out += std::string((*it)[1]) + "=" + url_encode(v);
  }
  return out;
}

// Signs in through the form; returns the session cookie pair ("oauth_session=...").
std::string sign_in(std::uint16_t port, const std::string& email, const std::string& password = pw,
                    const std::string& return_to = "/") {
  auto page = browse(port, verb::get, "/login?return_to=" + url_encode(return_to));
  REQUIRE(page.status == 200);
  auto csrf_cookie = cookie_pair(page, "oauth_login_csrf");
  REQUIRE_FALSE(csrf_cookie.empty());
  auto form = "email=" + url_encode(email) + "&password=" + url_encode(password) +
              "&csrf_token=" + hidden(page.raw.body(), "csrf_token") + "&return_to=" + url_encode(return_to);
  auto done = browse(port, verb::post, "/login", csrf_cookie, form);
  REQUIRE_MESSAGE(done.status == 303, done.raw.body());
  auto session = cookie_pair(done, "oauth_session");
  REQUIRE(session.size() == std::string("oauth_session=").size() + 43);
  return session;
}

// The query parameter `name` of a URL ("" when absent), decoded.
std::string url_param(const std::string& url, const std::string& name) {
  auto q = url.find('?');
  if (q == std::string::npos) return {};
  std::string_view rest = std::string_view(url).substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    if (pair.starts_with(name + "=")) return form_decode(pair.substr(name.size() + 1)).value_or("?");
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

std::string authorize_target(const std::string& client_id, const std::string& extra = "",
                             const std::string& scope = "read-posts", bool pkce = true) {
  std::string t = "/oauth/authorize?response_type=code&client_id=" + client_id + "&redirect_uri=" + url_encode(app_uri) +
                  "&scope=" + url_encode(scope) + "&state=xyz%2F1";
  if (pkce) t += "&code_challenge=" + challenge + "&code_challenge_method=S256";
  return t + extra;
}

struct flow_setup {
  admin a;
  std::string email = a.user(test_password_hash(), {"read-posts", "write-posts"});
  admin::made_client spa = make({"authorization_code", "refresh_token"}, false);
  admin::made_client web = make({"authorization_code", "refresh_token"}, true);
  admin::made_client own = make({"authorization_code", "refresh_token"}, false, true);

  admin::made_client make(std::vector<std::string> grants, bool confidential, bool first_party = false,
                          std::vector<std::string> uris = {app_uri}) {
    oauth::auth::new_client spec;
    spec.grants = std::move(grants);
    spec.confidential = confidential;
    spec.first_party = first_party;
    spec.redirect_uris = std::move(uris);
    return a.create(spec);
  }
};

// What a replay must have revoked: the SPA's refresh token is refused, and the access token is
// inactive for introspection (asked by the confidential client).
void check_revoked(std::uint16_t port, const flow_setup& f, const std::string& refresh, const std::string& access) {
  check_error(token(port, "grant_type=refresh_token&client_id=" + f.spa.id + "&refresh_token=" + url_encode(refresh)),
              400, "invalid_grant");
  auto introspected = request(port, verb::post, "/oauth/introspect", "token=" + access,
                              "application/x-www-form-urlencoded", basic(f.web.id, f.web.secret));
  CHECK(introspected.json.at("active").as_bool() == false);
}

std::string code_form(const std::string& code, const std::string& client_id, const std::string& v = verifier,
                      const std::string& uri = app_uri) {
  std::string f = "grant_type=authorization_code&code=" + url_encode(code) + "&client_id=" + client_id;
  if (!uri.empty()) f += "&redirect_uri=" + url_encode(uri);
  if (!v.empty()) f += "&code_verifier=" + v;
  return f;
}

// Approves on the consent page the authorize request shows; returns the final redirect.
reply approve(std::uint16_t port, const std::string& session, const std::string& target,
              const std::string& decision = "approve") {
  auto page = browse(port, verb::get, target, session);
  REQUIRE_MESSAGE(page.status == 200, page.raw.body());
  return browse(port, verb::post, "/oauth/authorize", session, hidden_form(page.raw.body()) + "&decision=" + decision);
}

std::string code_of(const reply& r) {
  REQUIRE_MESSAGE(r.status == 302, r.raw.body());
  auto location = r.header(field::location);
  REQUIRE_MESSAGE(location.starts_with(app_uri + "?"), location);
  CHECK(url_param(location, "state") == "xyz/1");
  CHECK(url_param(location, "iss") == issuer);
  auto code = url_param(location, "code");
  // A sealed code (authorize/code_seal.hpp): base64url, nothing of the grant readable in it.
  REQUIRE(code.size() > 100);
  REQUIRE(code.size() < 512);
  REQUIRE(code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
  return code;
}

void check_page_headers(const reply& r) {
  CHECK(r.header(field::cache_control) == "no-store");
  CHECK(r.raw["X-Frame-Options"] == "DENY");
  // Not no-referrer: a browser would then send `Origin: null` with the page's form, and the
  // Origin check would refuse the login and the consent (tests/browser/authorize_flow.test.mjs).
  CHECK(r.raw["Referrer-Policy"] == "same-origin");
  CHECK(r.raw["Content-Security-Policy"].find("frame-ancestors 'none'") != std::string::npos);
  CHECK(r.raw["Content-Security-Policy"].find("script-src") == std::string::npos);  // default-src 'none': no script
  CHECK(r.header(field::content_type).starts_with("text/html"));
}

void check_no_redirect(const reply& r) {
  CAPTURE(r.raw.body());
  CHECK(r.status == 400);
  CHECK(r.header(field::location).empty());
  check_page_headers(r);
}

void check_error_redirect(const reply& r, const std::string& error) {
  REQUIRE_MESSAGE(r.status == 302, r.raw.body());
  auto location = r.header(field::location);
  CAPTURE(location);
  CHECK(location.starts_with(app_uri + "?"));
  CHECK(url_param(location, "error") == error);
  CHECK_FALSE(url_param(location, "error_description").empty());
  CHECK(url_param(location, "state") == "xyz/1");
  CHECK(url_param(location, "iss") == issuer);
  CHECK(url_param(location, "code").empty());
}

} // namespace

TEST_CASE("authorize: errors about the client or its redirect URI never redirect") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  auto m2m = f.a.client({"client_credentials"});
  auto two = f.make({"authorization_code"}, true, false, {app_uri, "https://app.example/other"});

  check_no_redirect(browse(p, verb::get, authorize_target(random_uuid()), session));             // unknown
  check_no_redirect(browse(p, verb::get, authorize_target("not-a-uuid"), session));              // malformed
  check_no_redirect(browse(p, verb::get, authorize_target(m2m.id), session));                    // no code grant
  check_no_redirect(browse(p, verb::get, "/oauth/authorize?response_type=code&scope=read-posts", session));  // no client_id
  std::string base = "/oauth/authorize?response_type=code&client_id=" + f.spa.id +
                     "&code_challenge=" + challenge + "&code_challenge_method=S256&state=xyz%2F1&redirect_uri=";
  for (std::string bad : {"https://app.example/callback/", "https://app.example/Callback", "https://app.example/callbackx",
                          "https://app.example/callback?x=1", "https://evil.example/callback", "https://app.example/callback#f",
                          "http://app.example/callback", "https://app.example:444/callback"})
    check_no_redirect(browse(p, verb::get, base + url_encode(bad), session));
  // Repeated client_id or redirect_uri: cannot tell which one to trust.
  check_no_redirect(browse(p, verb::get, authorize_target(f.spa.id) + "&client_id=" + f.spa.id, session));
  check_no_redirect(browse(p, verb::get, authorize_target(f.spa.id) + "&redirect_uri=" + url_encode(app_uri), session));
  // Several registered URIs: redirect_uri is required.
  check_no_redirect(browse(p, verb::get, "/oauth/authorize?response_type=code&client_id=" + two.id, session));
  // A revoked client.
  REQUIRE(f.a.revoke(f.web.id));
  check_no_redirect(browse(p, verb::get, authorize_target(f.web.id, "", "read-posts", false), session));
}

TEST_CASE("authorize: a loopback redirect URI matches any port (RFC 8252), an omitted one the only registered URI") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto native = f.make({"authorization_code"}, false, true, {"http://127.0.0.1/cb"});
  auto session = sign_in(p, f.email);
  auto r = browse(p, verb::get,
                  "/oauth/authorize?response_type=code&client_id=" + native.id + "&redirect_uri=" +
                      url_encode("http://127.0.0.1:53412/cb") + "&code_challenge=" + challenge +
                      "&code_challenge_method=S256",
                  session);
  REQUIRE(r.status == 302);
  auto location = r.header(field::location);
  CHECK(location.starts_with("http://127.0.0.1:53412/cb?code="));
  auto code = url_param(location, "code");
  // The token request must send the same URI, port included.
  auto wrong = token(p, code_form(code, native.id, verifier, "http://127.0.0.1:1/cb"));
  check_error(wrong, 400, "invalid_grant");
  // A different path is not the loopback URI.
  check_no_redirect(browse(p, verb::get,
                           "/oauth/authorize?response_type=code&client_id=" + native.id + "&redirect_uri=" +
                               url_encode("http://127.0.0.1:53412/other") + "&code_challenge=" + challenge +
                               "&code_challenge_method=S256",
                           session));
  // Omitted: the only registered URI, and the token request may omit it too.
  auto omitted = browse(p, verb::get, "/oauth/authorize?response_type=code&client_id=" + f.own.id +
                                          "&code_challenge=" + challenge + "&code_challenge_method=S256&state=xyz%2F1",
                        session);
  auto code2 = code_of(omitted);
  auto ok = token(p, code_form(code2, f.own.id, verifier, ""));
  CHECK(ok.status == 200);
}

TEST_CASE("authorize: other errors go back to the client with error, state and iss") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  auto token_flow = authorize_target(f.spa.id);
  token_flow.replace(token_flow.find("response_type=code"), 18, "response_type=token");
  check_error_redirect(browse(p, verb::get, token_flow, session), "unsupported_response_type");
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "&scope=admin"), session), "invalid_request");
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "", "read-posts", false), session),
                       "invalid_request");  // a public client without PKCE
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "", "read-posts", false) +
                                                "&code_challenge=" + challenge + "&code_challenge_method=plain",
                              session),
                       "invalid_request");
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "", "read-posts", false) +
                                                "&code_challenge=" + challenge,
                              session),
                       "invalid_request");  // no method: plain is not supported
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "", "nope"), session), "invalid_scope");
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "", "admin"), session), "invalid_scope");  // not the user's
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "&prompt=sometimes"), session), "invalid_request");
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "&prompt=none"), ""), "login_required");
  check_error_redirect(browse(p, verb::get, authorize_target(f.spa.id, "&prompt=none"), session), "consent_required");
  // The user says no.
  check_error_redirect(approve(p, session, authorize_target(f.spa.id), "deny"), "access_denied");
}

TEST_CASE("authorize: without a session → the login page and back, prompt=login asks again") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto r = browse(p, verb::get, authorize_target(f.own.id));
  REQUIRE(r.status == 302);
  auto location = r.header(field::location);
  REQUIRE(location.starts_with("/login?return_to="));
  auto return_to = url_param(location, "return_to");
  CHECK(return_to.starts_with("/oauth/authorize?response_type=code&client_id=" + f.own.id));
  // Signing in comes back to the request, which (first-party) answers with a code.
  auto session = sign_in(p, f.email, pw, return_to);
  auto back = browse(p, verb::get, return_to, session);
  auto code = code_of(back);
  CHECK(token(p, code_form(code, f.own.id)).status == 200);
  // prompt=login: a session is not enough.
  auto again = browse(p, verb::get, authorize_target(f.own.id, "&prompt=login"), session);
  REQUIRE(again.status == 302);
  CHECK(again.header(field::location).starts_with("/login?return_to="));
  CHECK(url_param(again.header(field::location), "return_to").find("prompt") == std::string::npos);
}

TEST_CASE("code flow: consent page, approve, exchange with PKCE, refresh, the code is single use and a replay revokes") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  auto page = browse(p, verb::get, authorize_target(f.spa.id, "", "read-posts write-posts"), session);
  REQUIRE(page.status == 200);
  check_page_headers(page);
  const auto& html = page.raw.body();
  CHECK(html.find("<form method=\"post\" action=\"/oauth/authorize\">") != std::string::npos);
  CHECK(html.find("name=\"decision\" value=\"approve\"") != std::string::npos);
  CHECK(html.find("name=\"decision\" value=\"deny\"") != std::string::npos);
  CHECK(html.find("Read posts data") != std::string::npos);
  CHECK(html.find("Create or update posts") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(page.raw["Content-Security-Policy"].find("form-action 'self' https://app.example") != std::string::npos);

  auto code = code_of(browse(p, verb::post, "/oauth/authorize", session, hidden_form(html) + "&decision=approve"));
  auto exchanged = token(p, code_form(code, f.spa.id));
  REQUIRE_MESSAGE(exchanged.status == 200, exchanged.raw.body());
  check_no_store(exchanged);
  CHECK(exchanged.str("scope") == "read-posts write-posts");
  auto v = verify(p, exchanged.str("access_token"));
  CHECK(v.client_id() == f.spa.id);
  CHECK(v.sub() != f.spa.id);
  auto refresh = exchanged.str("refresh_token");
  REQUIRE_FALSE(refresh.empty());
  auto refreshed = token(p, "grant_type=refresh_token&client_id=" + f.spa.id + "&refresh_token=" + url_encode(refresh));
  REQUIRE(refreshed.status == 200);
  auto new_refresh = refreshed.str("refresh_token");

  // The same code again: refused, and the family it started is revoked (the rotated refresh too).
  check_error(token(p, code_form(code, f.spa.id)), 400, "invalid_grant");
  check_revoked(p, f, new_refresh, exchanged.str("access_token"));
}

TEST_CASE("code flow: across a Redis restart a replay still revokes, and codes not yet exchanged are refused") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  auto exchanged_code = code_of(approve(p, session, authorize_target(f.spa.id)));
  auto exchanged = token(p, code_form(exchanged_code, f.spa.id));
  REQUIRE_MESSAGE(exchanged.status == 200, exchanged.raw.body());
  auto refresh = exchanged.str("refresh_token");
  REQUIRE_FALSE(refresh.empty());
  // The consent is remembered now: the authorize redirects at once.
  auto waiting_code = code_of(browse(p, verb::get, authorize_target(f.spa.id), session));
  {
    oauth::test::restart_on_exit restore{"redis"};
    oauth::test::services("restart", "redis");
  }
  // Until the service has reconnected, the exchange answers 503 and changes nothing.
  reply replay;
  CHECK(oauth::test::eventually([&] {
    replay = token(p, code_form(exchanged_code, f.spa.id));
    return replay.status != 503;
  }));
  // The code's single-use state did not survive (it is never written to disk), yet the replay
  // is refused and revokes what the first exchange issued, as before the restart.
  check_error(replay, 400, "invalid_grant");
  check_revoked(p, f, refresh, exchanged.str("access_token"));
  // A code issued before the restart and not exchanged: refused (the user signs in again).
  check_error(token(p, code_form(waiting_code, f.spa.id)), 400, "invalid_grant");
  // The session and the consent outlived the restart: a new code works.
  auto again = token(p, code_form(code_of(browse(p, verb::get, authorize_target(f.spa.id), session)), f.spa.id));
  CHECK_MESSAGE(again.status == 200, again.raw.body());
}

TEST_CASE("code exchange: wrong verifier, no verifier, foreign client, wrong redirect URI, verifier without challenge") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  auto fresh_code = [&](const admin::made_client& c, bool pkce = true) {
    return code_of(approve(p, session, authorize_target(c.id, "&prompt=consent", "read-posts", pkce)));
  };
  auto other_verifier = std::string(43, 'a');
  check_error(token(p, code_form(fresh_code(f.spa), f.spa.id, other_verifier)), 400, "invalid_grant");
  check_error(token(p, code_form(fresh_code(f.spa), f.spa.id, "")), 400, "invalid_grant");
  check_error(token(p, code_form(fresh_code(f.spa), f.spa.id, verifier, "https://app.example/other")), 400,
              "invalid_grant");
  check_error(token(p, code_form(fresh_code(f.spa), f.spa.id, verifier, "")), 400, "invalid_grant");  // was sent
  // Another client's code: refused, and it does not burn the code for its owner.
  auto code = fresh_code(f.spa);
  check_error(token(p, code_form(code, f.web.id), basic(f.web.id, f.web.secret)), 400, "invalid_grant");
  CHECK(token(p, code_form(code, f.spa.id)).status == 200);
  // A confidential client without PKCE; then a verifier it never committed to (RFC 9700 §2.1.1).
  auto plain = fresh_code(f.web, false);
  check_error(token(p, code_form(plain, f.web.id, verifier), basic(f.web.id, f.web.secret)), 400, "invalid_grant");
  CHECK(token(p, code_form(fresh_code(f.web, false), f.web.id, ""), basic(f.web.id, f.web.secret)).status == 200);
  // A confidential client must authenticate.
  check_error(token(p, code_form(fresh_code(f.web, false), f.web.id, "")), 401, "invalid_client");
  check_error(token(p, code_form("garbage\x01", f.spa.id)), 400, "invalid_grant");
}

TEST_CASE("code exchange: 8 concurrent exchanges of one code → at most one token, and what it issued is revoked by the replays") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  auto code = code_of(approve(p, session, authorize_target(f.spa.id)));
  std::vector<std::future<reply>> racing;
  for (int i = 0; i < 8; ++i)
    racing.push_back(std::async(std::launch::async, [&] { return token(p, code_form(code, f.spa.id)); }));
  int ok = 0;
  std::string refresh;
  std::string access;
  for (auto& r : racing) {
    auto got = r.get();
    if (got.status == 200) {
      ++ok;
      refresh = got.str("refresh_token");
      access = got.str("access_token");
    } else {
      check_error(got, 400, "invalid_grant");
    }
  }
  // One exchange found the code fresh. It answers 200, unless a replay came between its consume
  // and its refresh family, in which case it revoked what it had issued and answered
  // invalid_grant too: at most one token, never two.
  CHECK(ok <= 1);
  if (ok == 1) {
    // The replays revoked what the one success issued: its refresh family and its access token.
    check_revoked(p, f, refresh, access);
  }
  // Either way the code is spent: one more presentation is refused.
  check_error(token(p, code_form(code, f.spa.id)), 400, "invalid_grant");
}

TEST_CASE("consent: remembered per user, client and scopes, prompt=consent asks again, first-party skips it") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  code_of(approve(p, session, authorize_target(f.spa.id, "", "read-posts write-posts")));
  // The same or fewer scopes: straight back with a code.
  code_of(browse(p, verb::get, authorize_target(f.spa.id, "", "read-posts"), session));
  code_of(browse(p, verb::get, authorize_target(f.spa.id, "&prompt=none", "read-posts write-posts"), session));
  // prompt=consent shows the page again.
  CHECK(browse(p, verb::get, authorize_target(f.spa.id, "&prompt=consent"), session).status == 200);
  // Another user has not approved anything.
  auto other = sign_in(p, f.a.user(test_password_hash()));
  CHECK(browse(p, verb::get, authorize_target(f.spa.id), other).status == 200);
  // First-party: no page at all.
  code_of(browse(p, verb::get, authorize_target(f.own.id, "", "read-posts write-posts"), other));
}

TEST_CASE("login: CSRF, wrong credentials, throttling, return_to sanitised, a new session each time, logout") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto page = browse(p, verb::get, "/login?return_to=%2Foauth%2Fauthorize%3Fx%3D1");
  REQUIRE(page.status == 200);
  check_page_headers(page);
  CHECK(page.raw.body().find("<form method=\"post\" action=\"/login\">") != std::string::npos);
  auto csrf_cookie = cookie_pair(page, "oauth_login_csrf");
  auto csrf = hidden(page.raw.body(), "csrf_token");
  // The page's form-action names a redirect URI carried by return_to only when it could be a
  // registered one: never javascript: or data: from a crafted link.
  auto csp_for = [&](const std::string& uri) {
    auto r = browse(p, verb::get, "/login?return_to=" + url_encode("/oauth/authorize?redirect_uri=" + url_encode(uri)));
    return std::string(r.raw["Content-Security-Policy"]);
  };
  CHECK(csp_for("https://app.example/cb").find("form-action 'self' https://app.example;") != std::string::npos);
  CHECK(csp_for("javascript:alert(1)").find("form-action 'self';") != std::string::npos);
  CHECK(csp_for("data:text/html,x").find("form-action 'self';") != std::string::npos);
  auto form = [&](const std::string& password, const std::string& return_to = "/") {
    return "email=" + url_encode(f.email) + "&password=" + url_encode(password) + "&csrf_token=" + csrf +
           "&return_to=" + url_encode(return_to);
  };
  // No CSRF cookie, a wrong token, a foreign Origin: 403, and no session.
  CHECK(browse(p, verb::post, "/login", "", form(pw)).status == 403);
  CHECK(browse(p, verb::post, "/login", "oauth_login_csrf=" + std::string(43, 'x'), form(pw)).status == 403);
  auto foreign = browse(p, verb::post, "/login", csrf_cookie, form(pw), {{"Origin", "https://evil.example"}});
  CHECK(foreign.status == 403);
  CHECK(cookie_pair(foreign, "oauth_session").empty());
  // return_to: only a path here.
  for (std::string evil : {"//evil.example/x", "https://evil.example", "/\\evil.example", "/%2F%2Fevil.example"}) {
    auto r = browse(p, verb::post, "/login", csrf_cookie, form(pw, evil));
    REQUIRE(r.status == 303);
    CHECK(r.header(field::location) == "/");
  }
  auto kept = browse(p, verb::post, "/login", csrf_cookie, form(pw, "/oauth/authorize?x=1"));
  CHECK(kept.header(field::location) == "/oauth/authorize?x=1");
  auto first = cookie_pair(kept, "oauth_session");
  CHECK(set_cookies(kept).front().find("HttpOnly; SameSite=Lax") != std::string::npos);
  // A second login with the first session: a new id, and the first one is dead.
  auto second_login = browse(p, verb::post, "/login", csrf_cookie + "; " + first, form(pw));
  auto second = cookie_pair(second_login, "oauth_session");
  CHECK(second != first);
  CHECK(browse(p, verb::get, authorize_target(f.own.id), first).header(field::location).starts_with("/login"));
  CHECK(browse(p, verb::get, authorize_target(f.own.id), second).header(field::location).starts_with(app_uri));
  // Logout: the session ends (a JSON request from the same origin needs no form token).
  auto out = browse(p, verb::post, "/logout", second, "{}", {{"Content-Type", "application/json"}});
  CHECK(out.status == 303);
  CHECK(out.header(field::location) == "/login");
  CHECK(browse(p, verb::get, authorize_target(f.own.id), second).header(field::location).starts_with("/login"));
  // Wrong password: 401 with the form; after 5 failures even the right one is refused (429).
  for (int i = 0; i < 5; ++i) {
    auto wrong = browse(p, verb::post, "/login", csrf_cookie, form("wrong"));
    CHECK(wrong.status == 401);
    CHECK(wrong.raw.body().find("<form method=\"post\" action=\"/login\">") != std::string::npos);
  }
  auto throttled = browse(p, verb::post, "/login", csrf_cookie, form(pw));
  CHECK(throttled.status == 429);
  CHECK_FALSE(throttled.raw["Retry-After"].empty());
}

TEST_CASE("logout form: needs the session's CSRF token") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  auto page = browse(p, verb::get, authorize_target(f.spa.id), session);
  REQUIRE(page.status == 200);
  CHECK(browse(p, verb::post, "/logout", session, "csrf_token=" + std::string(43, 'a')).status == 403);
  CHECK(browse(p, verb::get, authorize_target(f.spa.id), session).status == 200);  // still signed in
  auto csrf = hidden(page.raw.body(), "csrf_token");
  CHECK(browse(p, verb::post, "/logout", session, "csrf_token=" + csrf).status == 303);
  CHECK(browse(p, verb::get, authorize_target(f.spa.id), session).status == 302);  // to /login
}

TEST_CASE("authorized clients: listed after consent or with a live family, removal revokes, third-party tokens refused") {
  flow_setup f;
  server s;
  auto p = s.port();
  auto session = sign_in(p, f.email);
  auto third = token(p, code_form(code_of(approve(p, session, authorize_target(f.spa.id))), f.spa.id));
  REQUIRE(third.status == 200);
  // A first-party token of the same user (the first-party client's code flow).
  auto own = token(p, code_form(code_of(browse(p, verb::get, authorize_target(f.own.id), session)), f.own.id));
  REQUIRE(own.status == 200);
  auto bearer = "Bearer " + own.str("access_token");

  auto listed = request(p, verb::get, "/oauth/authorized-clients", {}, {}, bearer);
  REQUIRE_MESSAGE(listed.status == 200, listed.raw.body());
  std::map<std::string, boost::json::object> by_id;
  for (auto& e : listed.json.at("data").as_array()) by_id[std::string(e.at("client_id").as_string())] = e.as_object();
  REQUIRE(by_id.count(f.spa.id) == 1);
  CHECK(by_id[f.spa.id].at("scopes").as_array().size() == 1);
  CHECK_FALSE(by_id[f.spa.id].at("authorized_at").as_string().empty());
  CHECK(by_id.count(f.own.id) == 1);  // a live refresh family, no consent

  // The third-party token may not use the first-party routes.
  auto refused = request(p, verb::get, "/oauth/authorized-clients", {}, {}, "Bearer " + third.str("access_token"));
  CHECK(refused.status == 403);
  CHECK(refused.error() == "access_denied");
  CHECK(refused.header(field::www_authenticate).find("insufficient_scope") != std::string::npos);
  auto pat = request(p, verb::post, "/oauth/personal-access-tokens", R"({"name":"x","scopes":["read-posts"]})",
                     "application/json", "Bearer " + third.str("access_token"));
  CHECK(pat.status == 403);
  CHECK(pat.error() == "access_denied");
  CHECK(request(p, verb::delete_, "/oauth/authorized-clients/" + f.own.id, {}, {}, "Bearer " + third.str("access_token"))
            .status == 403);

  // Removal: consent forgotten (the page shows again), the refresh family dead.
  CHECK(request(p, verb::delete_, "/oauth/authorized-clients/" + f.spa.id, {}, {}, bearer).status == 204);
  check_error(token(p, "grant_type=refresh_token&client_id=" + f.spa.id + "&refresh_token=" +
                           url_encode(third.str("refresh_token"))),
              400, "invalid_grant");
  CHECK(browse(p, verb::get, authorize_target(f.spa.id), session).status == 200);
  auto after = request(p, verb::get, "/oauth/authorized-clients", {}, {}, bearer);
  for (auto& e : after.json.at("data").as_array()) CHECK(e.at("client_id").as_string() != f.spa.id);
  auto introspected = request(p, verb::post, "/oauth/introspect", "token=" + third.str("access_token"),
                              "application/x-www-form-urlencoded", basic(f.web.id, f.web.secret));
  CHECK(introspected.json.at("active").as_bool() == false);
}

TEST_CASE("metadata lists the authorization endpoint, code, S256, iss and the code grant") {
  server s;
  auto r = request(s.port(), verb::get, "/.well-known/oauth-authorization-server");
  REQUIRE(r.status == 200);
  auto& m = r.json.as_object();
  CHECK(m.at("authorization_endpoint").as_string() == issuer + "/oauth/authorize");
  CHECK(m.at("response_types_supported").as_array() == boost::json::array{"code"});
  CHECK(m.at("code_challenge_methods_supported").as_array() == boost::json::array{"S256"});
  CHECK(m.at("authorization_response_iss_parameter_supported").as_bool());
  bool code_grant = false;
  for (auto& g : m.at("grant_types_supported").as_array()) code_grant = code_grant || g.as_string() == "authorization_code";
  CHECK(code_grant);
}
