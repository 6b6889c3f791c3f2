// The browser-facing endpoints over HTTP against real PostgreSQL and Redis: the first-party
// password proxy and its HttpOnly refresh cookie, cookie refresh with rotation and reuse,
// logout, the cross-site (CSRF) defences, and the playground's headers.
#include "tests/integration/auth_token_support.hpp"

#include <boost/json/serialize.hpp>

#include <regex>
#include <utility>

using namespace oauth;
using namespace oauth::test::auth_server;
using verb = boost::beast::http::verb;
using field = boost::beast::http::field;

namespace {

const std::string& pw = test_password;

using headers = std::vector<std::pair<std::string, std::string>>;

// A request as a browser on the service's own origin sends it, unless `h` says otherwise
// (a header given with an empty value is left out).
reply send(std::uint16_t port, verb method, const std::string& target, const std::string& body, headers h = {}) {
  http_::request<http_::string_body> req{method, target, 11};
  std::string self = "127.0.0.1:" + std::to_string(port);
  headers defaults{{"Host", self},
                   {"Origin", "http://" + self},
                   {"Sec-Fetch-Site", "same-origin"},
                   {"Content-Type", "application/json"}};
  for (auto& [k, v] : defaults) {
    bool overridden = false;
    for (auto& [hk, hv] : h) overridden = overridden || boost::beast::iequals(hk, k);
    if (!overridden) h.emplace_back(k, v);
  }
  for (auto& [k, v] : h)
    if (!v.empty()) req.set(k, v);
  req.set(http_::field::connection, "close");
  req.body() = body;
  return as_reply(oauth::test::http_exchange(port, std::move(req)));
}

std::string login_json(const std::string& email, const std::string& password, const std::string& scope = "") {
  boost::json::object o{{"username", email}, {"password", password}};
  if (!scope.empty()) o["scope"] = scope;
  return boost::json::serialize(o);
}

reply login(std::uint16_t port, const std::string& email, const std::string& password, const std::string& scope = "",
            headers h = {}) {
  return send(port, verb::post, "/api/oauth/password/token", login_json(email, password, scope), std::move(h));
}

reply refresh(std::uint16_t port, const std::string& cookie_value, const std::string& body = "{}", headers h = {}) {
  if (!cookie_value.empty()) h.emplace_back("Cookie", "theme=dark; oauth_refresh_token=" + cookie_value + "; other=1");
  return send(port, verb::post, "/api/oauth/refresh", body, std::move(h));
}

// The Set-Cookie header (there is at most one).
std::string set_cookie(const reply& r) {
  std::vector<std::string> all;
  for (auto it = r.raw.find(field::set_cookie); it != r.raw.end() && it->name() == field::set_cookie; ++it)
    all.emplace_back(it->value());
  REQUIRE(all.size() <= 1);
  return all.empty() ? std::string() : all.front();
}

// The cookie's value, checking every attribute.
std::string cookie_token(const reply& r, std::int64_t max_age = 3600, bool secure = false) {
  auto c = set_cookie(r);
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_match(c, m, std::regex("oauth_refresh_token=([A-Za-z0-9_-]{43}); Path=/api/oauth; Max-Age=" +
                                                    std::to_string(max_age) + "; HttpOnly; SameSite=Strict" +
                                                    (secure ? "; Secure" : ""))),
                  c);
  return m[1];
}

bool cleared(const reply& r) {
  return set_cookie(r) == "oauth_refresh_token=; Path=/api/oauth; Max-Age=0; HttpOnly; SameSite=Strict";
}

// Everything the response carries, headers included, as one string.
std::string whole(const reply& r) {
  std::string out;
  for (const auto& h : r.raw) out += std::string(h.name_string()) + ": " + std::string(h.value()) + "\n";
  return out + r.raw.body();
}

struct first_party_setup {
  admin a;
  admin::made_client web = a.client({"password", "refresh_token"});
  std::string email = a.user(test_password_hash(), {"read-posts", "write-posts"});
  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    extra.try_emplace("OAUTH_PASSWORD_CLIENT_ID", web.id);
    extra.try_emplace("OAUTH_PASSWORD_CLIENT_SECRET", web.secret);
    extra.try_emplace("REFRESH_TOKEN_TTL", "3600");
    return extra;
  }
};

} // namespace

TEST_CASE("proxy: JSON login → access token in the body, refresh token only in an HttpOnly cookie, no secret") {
  first_party_setup f;
  server s(f.env());
  auto r = login(s.port(), f.email, pw, "read-posts write-posts");
  REQUIRE(r.status == 200);
  check_no_store(r);
  CHECK(r.str("token_type") == "Bearer");
  CHECK(r.json.at("expires_in").as_int64() == 7200);
  CHECK(r.str("scope") == "read-posts write-posts");
  CHECK_FALSE(r.json.as_object().contains("refresh_token"));
  auto v = verify(s.port(), r.str("access_token"));
  CHECK(v.client_id() == f.web.id);
  CHECK(v.scope() == "read-posts write-posts");
  auto rt = cookie_token(r);
  CHECK(whole(r).find(f.web.secret) == std::string::npos);
  CHECK(r.raw.body().find(rt) == std::string::npos);

  // The cookie holds a real refresh token of the password client.
  auto direct = token(s.port(), "grant_type=refresh_token&refresh_token=" + rt, basic(f.web.id, f.web.secret));
  CHECK(direct.status == 200);

  // `*` expands as at the token endpoint.
  auto all = login(s.port(), f.email, pw, "*");
  REQUIRE(all.status == 200);
  CHECK(all.str("scope") == "read-posts write-posts");
  cookie_token(all);

  // The browser's fields only: a client_id or grant_type in the body changes nothing.
  auto other = f.a.client({"client_credentials"});
  auto sneaky = send(s.port(), verb::post, "/api/oauth/password/token",
                     R"({"username":")" + f.email + R"(","password":")" + pw + R"(","client_id":")" + other.id +
                         R"(","grant_type":"client_credentials"})");
  REQUIRE(sneaky.status == 200);
  CHECK(verify(s.port(), sneaky.str("access_token")).client_id() == f.web.id);
}

TEST_CASE("proxy: the token endpoint's errors, no cookie on failure") {
  first_party_setup f;
  server s(f.env());
  auto p = s.port();
  auto wrong = login(p, f.email, "wrong password");
  check_error(wrong, 400, "invalid_grant");
  CHECK(set_cookie(wrong).empty());
  check_error(login(p, "nobody-" + random_uuid() + "@example.com", pw), 400, "invalid_grant");
  check_error(login(p, f.email, pw, "admin"), 400, "invalid_scope");
  check_error(login(p, f.email, pw, "no-such-scope"), 400, "invalid_scope");
  check_error(send(p, verb::post, "/api/oauth/password/token", R"({"password":"x"})"), 400, "invalid_request");
  check_error(send(p, verb::post, "/api/oauth/password/token", "{not json"), 400, "invalid_request");
  CHECK(send(p, verb::get, "/api/oauth/password/token", "").status == 405);
}

TEST_CASE("proxy: throttled exactly like the token endpoint (5 failures, then 429 even with the right password)") {
  first_party_setup f;
  server s(f.env());
  for (int i = 0; i < 5; ++i) check_error(login(s.port(), f.email, "wrong " + std::to_string(i)), 400, "invalid_grant");
  auto throttled = login(s.port(), f.email, pw);
  check_error(throttled, 429, "too_many_requests");
  auto retry = std::stoi(throttled.header(field::retry_after));
  CHECK(retry >= 1);
  CHECK(retry <= 60);
  CHECK(set_cookie(throttled).empty());
  // The same grant, the same (IP, user name): the token endpoint refuses it too.
  auto direct = token(s.port(), "grant_type=password&username=" + url_encode(f.email) + "&password=" + url_encode(pw),
                      basic(f.web.id, f.web.secret));
  check_error(direct, 429, "too_many_requests");
}

TEST_CASE("proxy: client not configured or refused → 500 server_error, never a 401 challenge") {
  first_party_setup f;
  {
    server s;
    auto r = login(s.port(), f.email, pw);
    check_error(r, 500, "server_error");
    CHECK(r.str("error_description").find("not configured") != std::string::npos);
    check_error(refresh(s.port(), "x"), 500, "server_error");
  }
  {
    server s(f.env({{"OAUTH_PASSWORD_CLIENT_SECRET", "not-the-secret"}}));
    auto r = login(s.port(), f.email, pw);
    check_error(r, 500, "server_error");
    CHECK(r.header(field::www_authenticate).empty());
    CHECK(whole(r).find("not-the-secret") == std::string::npos);
  }
  {
    auto m2m = f.a.client({"client_credentials"});
    server s(f.env({{"OAUTH_PASSWORD_CLIENT_ID", m2m.id}, {"OAUTH_PASSWORD_CLIENT_SECRET", m2m.secret}}));
    check_error(login(s.port(), f.email, pw), 500, "server_error");
  }
}

TEST_CASE("cookie refresh: rotation replaces the cookie, the old value is reuse, missing cookie is invalid_grant") {
  first_party_setup f;
  server s(f.env());
  auto p = s.port();
  auto c1 = cookie_token(login(p, f.email, pw, "read-posts write-posts"));

  auto second = refresh(p, c1);
  REQUIRE(second.status == 200);
  check_no_store(second);
  CHECK_FALSE(second.json.as_object().contains("refresh_token"));
  CHECK(second.str("scope") == "read-posts write-posts");
  CHECK(verify(p, second.str("access_token")).client_id() == f.web.id);
  auto c2 = cookie_token(second);
  CHECK(c2 != c1);

  // An empty body works; scope narrows.
  auto third = refresh(p, c2, R"({"scope":"read-posts"})");
  REQUIRE(third.status == 200);
  CHECK(third.str("scope") == "read-posts");
  auto c3 = cookie_token(third);
  auto fourth = refresh(p, c3, "");
  REQUIRE(fourth.status == 200);
  CHECK(fourth.str("scope") == "read-posts write-posts");
  auto c4 = cookie_token(fourth);

  // The old cookie again: reuse → invalid_grant, the cookie cleared, and the family is dead.
  auto reuse = refresh(p, c1);
  check_error(reuse, 400, "invalid_grant");
  CHECK(cleared(reuse));
  check_error(refresh(p, c4), 400, "invalid_grant");

  auto none = refresh(p, "");
  check_error(none, 400, "invalid_grant");
  CHECK(cleared(none));
  auto junk = refresh(p, "not%20a;token");
  check_error(junk, 400, "invalid_grant");
  CHECK(cleared(junk));
}

TEST_CASE("Secure cookie: https issuer, trusted X-Forwarded-Proto, untrusted header ignored") {
  first_party_setup f;
  {
    server s(f.env());
    auto r = login(s.port(), f.email, pw, "", {{"X-Forwarded-Proto", "https"}});
    cookie_token(r, 3600, false);  // not trusted by default
  }
  {
    server s(f.env({{"TRUST_FORWARDED_PROTO", "1"}}));
    auto r = login(s.port(), f.email, pw, "", {{"X-Forwarded-Proto", "https"}});
    auto c = cookie_token(r, 3600, true);
    auto plain = login(s.port(), f.email, pw);
    cookie_token(plain, 3600, false);
    auto rotated = refresh(s.port(), c, "{}", {{"X-Forwarded-Proto", "https"}});
    cookie_token(rotated, 3600, true);
    auto out = send(s.port(), verb::post, "/api/oauth/logout", "{}", {{"X-Forwarded-Proto", "https"}});
    CHECK(set_cookie(out) == "oauth_refresh_token=; Path=/api/oauth; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
  }
  {
    server s(f.env({{"AUTH_ISSUER", "https://auth.example"}}));
    cookie_token(login(s.port(), f.email, pw), 3600, true);
  }
}

TEST_CASE("CSRF: cross-site Origin or Sec-Fetch-Site refused, form-like posts to the cookie endpoints refused") {
  first_party_setup f;
  server s(f.env());
  auto p = s.port();
  auto c = cookie_token(login(p, f.email, pw));

  // Login CSRF: a foreign page cannot log the browser in as someone else.
  auto foreign_login = login(p, f.email, pw, "", {{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", ""}});
  check_error(foreign_login, 403, "invalid_request");
  CHECK(set_cookie(foreign_login).empty());
  check_error(login(p, f.email, pw, "", {{"Origin", ""}, {"Sec-Fetch-Site", "cross-site"}}), 403, "invalid_request");

  // Refresh from another origin: refused, and the cookie is left alone (no Set-Cookie).
  std::string other_port = "http://127.0.0.1:" + std::to_string(p == 65535 ? 1 : p + 1);
  for (const auto& h : std::vector<headers>{
           {{"Origin", "https://evil.example"}},
           {{"Origin", other_port}, {"Sec-Fetch-Site", ""}},          // same site, another origin
           {{"Origin", ""}, {"Sec-Fetch-Site", "same-site"}},         // a sibling port, by fetch metadata
           {{"Origin", "null"}},                                       // sandboxed frame, file:
           {{"Origin", "http://127.0.0.1:" + std::to_string(p) + ".evil.example"}},
       }) {
    auto r = refresh(p, c, "{}", h);
    check_error(r, 403, "invalid_request");
    CHECK(set_cookie(r).empty());
  }
  // A form cannot send JSON: text/plain and form bodies to /refresh are refused (415)...
  check_error(refresh(p, c, "scope=read-posts", {{"Content-Type", "application/x-www-form-urlencoded"}}), 415,
              "invalid_request");
  check_error(refresh(p, c, "", {{"Content-Type", "text/plain"}, {"Origin", ""}, {"Sec-Fetch-Site", ""}}), 415,
              "invalid_request");
  check_error(send(p, verb::post, "/api/oauth/logout", "", {{"Content-Type", "text/plain"}}), 415, "invalid_request");

  // ...and the cookie survived all of that.
  auto ok = refresh(p, c);
  REQUIRE(ok.status == 200);
  c = cookie_token(ok);
  // X-Requested-With instead of JSON, and no browser headers at all (a server-side client).
  auto custom = refresh(p, c, "", {{"Content-Type", ""}, {"X-Requested-With", "fetch"}, {"Origin", ""}, {"Sec-Fetch-Site", ""}});
  REQUIRE(custom.status == 200);
  c = cookie_token(custom);
  // The issuer's origin is trusted even when the Host differs (a gateway that rewrites Host).
  auto via_issuer = refresh(p, c, "{}", {{"Origin", issuer}, {"Host", "internal:8081"}});
  REQUIRE(via_issuer.status == 200);
  c = cookie_token(via_issuer);
  // Default ports are the same origin.
  CHECK(refresh(p, c, "{}", {{"Origin", "http://auth.example"}, {"Host", "auth.example:80"}}).status == 200);
}

// Issue 11, item 7: the login proxy took form bodies, so an old browser (no Origin, no Fetch
// Metadata) could be logged in as the attacker by a form on any site (login CSRF).
TEST_CASE("login proxy: JSON only, anything else is 415 and logs no one in") {
  first_party_setup f;
  server s(f.env());
  auto p = s.port();
  auto form_body = "username=" + url_encode(f.email) + "&password=" + url_encode(pw);
  headers old_browser{{"Origin", ""}, {"Sec-Fetch-Site", ""}};
  for (std::string type : {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""}) {
    CAPTURE(type);
    auto h = old_browser;
    h.emplace_back("Content-Type", type);
    auto r = send(p, verb::post, "/api/oauth/password/token", form_body, h);
    check_error(r, 415, "invalid_request");
    CHECK(set_cookie(r).empty());
  }
  // X-Requested-With, enough for the cookie endpoints, does not make a form body JSON.
  auto with_header = old_browser;
  with_header.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  with_header.emplace_back("X-Requested-With", "fetch");
  check_error(send(p, verb::post, "/api/oauth/password/token", form_body, with_header), 415, "invalid_request");
  // A JSON body from the same client is fine.
  CHECK(login(p, f.email, pw, "", old_browser).status == 200);
}

// Issue 11, item 7: with the refresh cookie twice (one planted by a sibling subdomain or for a
// longer path), the first one won.
TEST_CASE("cookie tossing: the refresh cookie sent twice is 400 invalid_request at refresh and logout") {
  first_party_setup f;
  server s(f.env());
  auto p = s.port();
  auto mine = cookie_token(login(p, f.email, pw));
  auto planted = cookie_token(login(p, f.email, pw));
  for (const auto& h : std::vector<headers>{
           {{"Cookie", "oauth_refresh_token=" + planted + "; oauth_refresh_token=" + mine}},
           {{"Cookie", "oauth_refresh_token=" + mine + "; theme=dark; oauth_refresh_token=" + mine}},
       }) {
    auto r = send(p, verb::post, "/api/oauth/refresh", "{}", h);
    check_error(r, 400, "invalid_request");
    CHECK(set_cookie(r).empty());
    check_error(send(p, verb::post, "/api/oauth/logout", "{}", h), 400, "invalid_request");
  }
  // Two Cookie header lines (an HTTP/1.1 client may not send them; a proxy may pass them on).
  {
    http_::request<http_::string_body> req{verb::post, "/api/oauth/refresh", 11};
    req.set(field::host, "127.0.0.1:" + std::to_string(p));
    req.set(field::content_type, "application/json");
    req.insert(field::cookie, "oauth_refresh_token=" + planted);
    req.insert(field::cookie, "oauth_refresh_token=" + mine);
    req.set(field::connection, "close");
    req.body() = "{}";
    check_error(as_reply(oauth::test::http_exchange(p, std::move(req))), 400, "invalid_request");
  }
  // Neither was used nor revoked by those requests: each still refreshes on its own.
  CHECK(refresh(p, mine).status == 200);
  CHECK(refresh(p, planted).status == 200);
}

TEST_CASE("logout revokes the refresh family and its access tokens, and clears the cookie") {
  first_party_setup f;
  server s(f.env());
  auto p = s.port();
  auto in = login(p, f.email, pw);
  REQUIRE(in.status == 200);
  auto c = cookie_token(in);
  auto access = in.str("access_token");
  auto introspect = [&] {
    return request(p, verb::post, "/oauth/introspect", "token=" + url_encode(access), "application/x-www-form-urlencoded",
                   basic(f.web.id, f.web.secret));
  };
  REQUIRE(introspect().json.at("active").as_bool());

  // Cross-site logout is refused and changes nothing.
  auto foreign = send(p, verb::post, "/api/oauth/logout", "{}",
                      {{"Origin", "https://evil.example"}, {"Cookie", "oauth_refresh_token=" + c}});
  check_error(foreign, 403, "invalid_request");
  CHECK(set_cookie(foreign).empty());

  auto out = send(p, verb::post, "/api/oauth/logout", "{}", {{"Cookie", "oauth_refresh_token=" + c}});
  CHECK(out.status == 204);
  check_no_store(out);
  CHECK(cleared(out));
  check_error(refresh(p, c), 400, "invalid_grant");
  bool inactive = false;
  for (int i = 0; i < 40 && !inactive; ++i) {
    inactive = !introspect().json.at("active").as_bool();
    if (!inactive) std::this_thread::sleep_for(50ms);
  }
  CHECK(inactive);

  // Without a cookie (or with a dead one) logout still just clears it.
  CHECK(cleared(send(p, verb::post, "/api/oauth/logout", "{}")));
  CHECK(send(p, verb::post, "/api/oauth/logout", "", {{"Cookie", "oauth_refresh_token=" + c}}).status == 204);
}

TEST_CASE("cookie refresh: a wider scope is invalid_scope and keeps the session") {
  first_party_setup f;
  server s(f.env());
  auto c = cookie_token(login(s.port(), f.email, pw, "read-posts"));
  auto wider = refresh(s.port(), c, R"({"scope":"read-posts write-posts"})");
  check_error(wider, 400, "invalid_scope");
  CHECK(set_cookie(wider).empty());
  auto ok = refresh(s.port(), c);
  REQUIRE(ok.status == 200);
  CHECK(ok.str("scope") == "read-posts");
}

TEST_CASE("playground: page, assets, CSP and security headers") {
  server s(std::map<std::string, std::string>{{"PLAYGROUND_API_URL", "http://api.example:8082"}});
  auto page = request(s.port(), verb::get, "/playground");
  REQUIRE(page.status == 200);
  CHECK(page.header(field::content_type) == "text/html; charset=utf-8");
  CHECK(page.raw["Content-Security-Policy"] ==
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' http://api.example:8082; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  CHECK(page.raw["X-Content-Type-Options"] == "nosniff");
  CHECK(page.raw["Referrer-Policy"] == "no-referrer");
  // Issue 11, item 7: before app.js has loaded, a submit must not put the password in a URL.
  CHECK(page.raw.body().find(R"(<form id="login" method="post" action="/playground">)") != std::string::npos);
  CHECK(page.raw.body().find(R"(<form id="create" method="post" action="/playground">)") != std::string::npos);
  CHECK(request(s.port(), verb::post, "/playground", "email=a%40b.example&password=secret",
                "application/x-www-form-urlencoded").status == 405);
  CHECK(page.raw["X-Frame-Options"] == "DENY");
  CHECK(page.header(field::cache_control) == "no-cache");
  const auto& html = page.raw.body();
  CHECK(html.find(R"(<meta name="api-base" content="http://api.example:8082">)") != std::string::npos);
  CHECK(html.find("{{") == std::string::npos);
  // Self-contained: no script, style or font from anywhere else.
  CHECK(std::regex_search(html, std::regex(R"((src|href)="https?:)")) == false);

  std::smatch m;
  REQUIRE(std::regex_search(html, m, std::regex(R"re(src="(/playground/app\.js\?v=[0-9a-f]{16})")re")));
  auto js = request(s.port(), verb::get, m[1]);
  CHECK(js.status == 200);
  CHECK(js.header(field::content_type) == "text/javascript; charset=utf-8");
  CHECK(js.header(field::cache_control) == "public, max-age=31536000, immutable");
  CHECK(js.raw["X-Content-Type-Options"] == "nosniff");
  CHECK(js.raw.body().find("/api/oauth/password/token") != std::string::npos);
  CHECK(request(s.port(), verb::get, "/playground/app.js").header(field::cache_control) == "no-cache");
  CHECK(request(s.port(), verb::get, "/playground/app.js?v=0000000000000000").header(field::cache_control) == "no-cache");

  REQUIRE(std::regex_search(html, m, std::regex(R"re(href="(/playground/style\.css\?v=[0-9a-f]{16})")re")));
  auto css = request(s.port(), verb::get, m[1]);
  CHECK(css.status == 200);
  CHECK(css.header(field::content_type) == "text/css; charset=utf-8");
  CHECK(css.header(field::cache_control) == "public, max-age=31536000, immutable");
  REQUIRE(std::regex_search(html, m, std::regex(R"re(href="(/playground/favicon\.svg\?v=[0-9a-f]{16})")re")));
  auto icon = request(s.port(), verb::get, m[1]);
  CHECK(icon.status == 200);
  CHECK(icon.header(field::content_type) == "image/svg+xml");
  CHECK(request(s.port(), verb::get, "/playground/nope.js").status == 404);
}

TEST_CASE("playground: same-origin API base (PLAYGROUND_API_URL=/) and a path in the base") {
  {
    server s(std::map<std::string, std::string>{{"PLAYGROUND_API_URL", "/"}});
    auto page = request(s.port(), verb::get, "/playground");
    CHECK(page.raw["Content-Security-Policy"].find("connect-src 'self';") != std::string_view::npos);
    CHECK(page.raw.body().find(R"(<meta name="api-base" content="">)") != std::string::npos);
  }
  {
    server s(std::map<std::string, std::string>{{"PLAYGROUND_API_URL", "https://Gateway.Example/posts-api"}});
    auto page = request(s.port(), verb::get, "/playground");
    CHECK(page.raw["Content-Security-Policy"].find("connect-src 'self' https://gateway.example;") != std::string_view::npos);
    CHECK(page.raw.body().find(R"(content="https://Gateway.Example/posts-api")") != std::string::npos);
  }
  {
    server s;  // the default: the resource service next to a local auth service
    auto page = request(s.port(), verb::get, "/playground");
    CHECK(page.raw["Content-Security-Policy"].find("connect-src 'self' http://localhost:8082;") != std::string_view::npos);
  }
}

TEST_CASE("playground callback: the page again with the same CSP and headers, and the page names the install's playground client") {
  admin a;
  // What `authctl install` does for the playground (the oldest unrevoked playground client is
  // reused, so in a shared test database this may be an earlier run's client).
  auto installed = oauth::test::run(a.io, oauth::auth::ensure_install_clients(a.db, oauth::auth::playground_redirect_uri(issuer)));
  REQUIRE_MESSAGE(installed.has_value(), installed.error().message);
  REQUIRE(installed->playground_client);
  const std::string client_id = installed->playground_client->record.id;
  const std::string redirect_uri = issuer + "/playground/callback";

  server s(std::map<std::string, std::string>{{"PLAYGROUND_API_URL", "http://api.example:8082"}});
  auto page = request(s.port(), verb::get, "/playground");
  REQUIRE(page.status == 200);
  const auto& html = page.raw.body();
  CHECK(html.find(R"(<meta name="playground-client" content=")" + client_id + R"(" data-state="ready">)") !=
        std::string::npos);
  CHECK(html.find(R"(<meta name="issuer" content=")" + issuer + R"(">)") != std::string::npos);
  CHECK(html.find(R"(<meta name="playground-redirect-uri" content=")" + redirect_uri + R"(">)") != std::string::npos);
  CHECK(html.find(R"(<section id="code-flow")") != std::string::npos);
  CHECK(html.find("{{") == std::string::npos);

  auto callback = request(s.port(), verb::get, "/playground/callback?code=abc&state=xyz&iss=" + url_encode(issuer));
  REQUIRE(callback.status == 200);
  CHECK(callback.raw.body() == html);
  CHECK(callback.raw["Content-Security-Policy"] ==
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' http://api.example:8082; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  for (std::string_view h : {"Content-Type", "Content-Security-Policy", "X-Frame-Options", "Cache-Control",
                             "X-Content-Type-Options", "Referrer-Policy"}) {
    CAPTURE(h);
    CHECK(callback.raw[h] == page.raw[h]);
  }
  CHECK(request(s.port(), verb::post, "/playground/callback", "code=abc").status == 405);

  // The page's client and redirect URI are what the authorization endpoint accepts: with no
  // session, the request goes on to the login page (a mismatch would be a 400 page).
  auto authorize = request(s.port(), verb::get,
                           "/oauth/authorize?response_type=code&client_id=" + client_id + "&redirect_uri=" +
                               url_encode(redirect_uri) +
                               "&scope=read-posts%20write-posts&state=s1&code_challenge=" + std::string(42, 'a') + "A" +
                               "&code_challenge_method=S256");
  CHECK(authorize.status == 302);
  CHECK_MESSAGE(authorize.header(field::location).starts_with("/login?return_to="), authorize.header(field::location));
}
