// The pure rules of the browser-facing endpoints: origins, cookies, CSRF verdicts, escaping,
// and the playground's configuration.
#include "auth-service/config/auth_config.hpp"
#include "auth-service/routes/first_party_security.hpp"
#include "auth-service/routes/web_routes.hpp"
#include "common/http/origin.hpp"
#include "tests/support/env.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace oauth::auth;
using namespace oauth::auth::first_party;
using oauth::http::origin_of;

TEST_CASE("origin_of: scheme://host[:port], lower-cased, default port dropped") {
  CHECK(origin_of("http://localhost:8081/playground?x#y") == "http://localhost:8081");
  CHECK(origin_of("HTTPS://Example.COM:443/") == "https://example.com");
  CHECK(origin_of("http://example.com:80") == "http://example.com");
  CHECK(origin_of("http://[::1]:8081") == "http://[::1]:8081");
  CHECK_FALSE(origin_of("null"));
  CHECK_FALSE(origin_of("ftp://example.com"));
  CHECK_FALSE(origin_of("http://user@example.com"));
  CHECK_FALSE(origin_of("http://"));
  CHECK_FALSE(origin_of("http://exa mple.com"));
  CHECK_FALSE(origin_of("http://example.com:"));
}

TEST_CASE("html_escape") {
  CHECK(html_escape(R"(<a href="x">'&'</a>)") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(html_escape("http://localhost:8082") == "http://localhost:8082");
}

TEST_CASE("find_single_cookie: whitespace and quotes, absent, sent twice is refused (cookie tossing)") {
  using kind = single_cookie::kind;
  auto find = [](std::initializer_list<std::string_view> headers) {
    return find_single_cookie(std::span<const std::string_view>(headers.begin(), headers.size()), "oauth_refresh_token");
  };
  CHECK(find({"a=1; oauth_refresh_token=abc; b=2"}).value == "abc");
  CHECK(find({"a=1; oauth_refresh_token=abc; b=2"}).what == kind::one);
  CHECK(find({"oauth_refresh_token=\"abc\""}).value == "abc");
  CHECK(find({" oauth_refresh_token = abc ;"}).value == "abc");
  CHECK(find({"x_oauth_refresh_token=no;oauth_refresh_token=yes"}).value == "yes");
  CHECK(find({"oauth_refresh_token="}).what == kind::one);
  CHECK(find({"oauth_refresh_token="}).value == "");
  CHECK(find({""}).what == kind::absent);
  CHECK(find({}).what == kind::absent);
  CHECK(find({"a=1; b"}).what == kind::absent);
  // Twice in one header (a cookie planted for a longer path or a parent domain comes first)...
  CHECK(find({"oauth_refresh_token=planted; oauth_refresh_token=mine"}).what == kind::repeated);
  CHECK(find({"oauth_refresh_token=same; oauth_refresh_token=same"}).what == kind::repeated);
  CHECK(find({"oauth_refresh_token=; oauth_refresh_token=mine"}).what == kind::repeated);
  CHECK(find({"oauth_refresh_token=planted; oauth_refresh_token=mine"}).value.empty());
  // ...or in two Cookie headers.
  CHECK(find({"a=1; oauth_refresh_token=planted", "oauth_refresh_token=mine"}).what == kind::repeated);
  CHECK(find({"a=1", "oauth_refresh_token=mine"}).value == "mine");
}

TEST_CASE("refresh cookie attributes") {
  CHECK(refresh_cookie("tok", std::chrono::seconds(60), false) ==
        "oauth_refresh_token=tok; Path=/api/oauth; Max-Age=60; HttpOnly; SameSite=Strict");
  CHECK(refresh_cookie("tok", std::chrono::seconds(60), true) ==
        "oauth_refresh_token=tok; Path=/api/oauth; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
  CHECK(cleared_refresh_cookie(false) == "oauth_refresh_token=; Path=/api/oauth; Max-Age=0; HttpOnly; SameSite=Strict");
  CHECK(forwarded_https("https"));
  CHECK(forwarded_https(" HTTPS , http"));
  CHECK_FALSE(forwarded_https("http, https"));
  CHECK_FALSE(forwarded_https(""));
}

TEST_CASE("check_csrf verdicts") {
  std::vector<std::string> trusted{"https://auth.example"};
  auto verdict = [&](std::string_view origin, std::string_view site, std::string_view host, std::string_view type,
                     bool header = false, body_rule body = body_rule::json_or_csrf_header) {
    return check_csrf({origin, site, host, type, header}, trusted, body);
  };
  CHECK(verdict("http://localhost:8081", "same-origin", "localhost:8081", "application/json") == csrf_verdict::allowed);
  CHECK(verdict("", "", "localhost:8081", "application/json; charset=utf-8") == csrf_verdict::allowed);
  CHECK(verdict("https://auth.example", "same-origin", "10.0.0.5:8081", "application/json") == csrf_verdict::allowed);
  CHECK(verdict("http://localhost:8082", "", "localhost:8081", "application/json") == csrf_verdict::foreign_origin);
  CHECK(verdict("null", "", "localhost:8081", "application/json") == csrf_verdict::foreign_origin);
  CHECK(verdict("", "same-site", "localhost:8081", "application/json") == csrf_verdict::cross_site_fetch);
  CHECK(verdict("", "cross-site", "localhost:8081", "application/json") == csrf_verdict::cross_site_fetch);
  CHECK(verdict("", "none", "localhost:8081", "application/json") == csrf_verdict::cross_site_fetch);
  CHECK(verdict("", "", "localhost:8081", "text/plain") == csrf_verdict::not_json);
  CHECK(verdict("", "", "localhost:8081", "application/x-www-form-urlencoded") == csrf_verdict::not_json);
  CHECK(verdict("", "", "localhost:8081", "", true) == csrf_verdict::allowed);
  CHECK(verdict("", "", "localhost:8081", "application/x-www-form-urlencoded", false, body_rule::any) ==
        csrf_verdict::allowed);
  // The login proxy: JSON only, X-Requested-With is not enough.
  CHECK(verdict("", "", "localhost:8081", "application/json", false, body_rule::json) == csrf_verdict::allowed);
  CHECK(verdict("", "", "localhost:8081", "application/x-www-form-urlencoded", true, body_rule::json) ==
        csrf_verdict::not_json);
  CHECK(verdict("", "", "localhost:8081", "text/plain", false, body_rule::json) == csrf_verdict::not_json);
  CHECK(verdict("", "", "localhost:8081", "", false, body_rule::json) == csrf_verdict::not_json);
}

TEST_CASE("PLAYGROUND_API_URL and TRUST_FORWARDED_PROTO configuration") {
  auto load = [](std::map<std::string, std::string> env) {
    return load_auth_config(oauth::test::env_of(std::move(env)));
  };
  auto defaults = load({});
  CHECK(defaults.playground_api_url == "http://localhost:8082");
  CHECK_FALSE(defaults.trust_forwarded_proto);
  CHECK(load({{"PLAYGROUND_API_URL", "/"}}).playground_api_url == "/");
  CHECK(load({{"PLAYGROUND_API_URL", "https://api.example/v1"}}).playground_api_url == "https://api.example/v1");
  CHECK(load({{"TRUST_FORWARDED_PROTO", "1"}}).trust_forwarded_proto);
  for (const char* bad : {"localhost:8082", "http://", "http://x\"onload=1", "http://a b", "javascript:alert(1)",
                          "http://user@host", "http://h/?q", "http://h/#f", "http://h;", "/api"})
    CHECK_THROWS_AS(load({{"PLAYGROUND_API_URL", bad}}), oauth::config_error);
  CHECK_THROWS_AS(load({{"TRUST_FORWARDED_PROTO", "yes"}}), oauth::config_error);
}

TEST_CASE("playground CSP") {
  CHECK(playground_csp("") == "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                              "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  CHECK(playground_csp("http://localhost:8082/x").find("connect-src 'self' http://localhost:8082;") != std::string::npos);
}
