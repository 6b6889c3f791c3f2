// GET /oauth/authorize's parameters against a client (auth-service/authorize/authorize_request,
// ../shared/CONTRACT.md "GET /oauth/authorize"), the redirects it answers with, and the HTML
// pages and Content-Security-Policy of the browser flow (auth-service/pages).
#include "auth-service/authorize/authorize_request.hpp"
#include "auth-service/pages/pages.hpp"
#include "common/encoding.hpp"
#include "common/http/params.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

using namespace oauth;
using namespace oauth::auth;

namespace {

// RFC 7636 Appendix B.
constexpr std::string_view challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const std::string pkce = "&code_challenge=" + std::string(challenge) + "&code_challenge_method=S256";

client make(std::string id, bool confidential, std::vector<std::string> grants, std::optional<std::vector<std::string>> scopes,
            std::vector<std::string> redirect_uris, bool revoked = false) {
  client c;
  c.id = id;
  c.name = "The " + id + " app";
  c.secret_hash = confidential ? "$argon2id$fake" : "";
  c.grants = std::move(grants);
  c.scopes = std::move(scopes);
  c.redirect_uris = std::move(redirect_uris);
  c.revoked = revoked;
  return c;
}

// The client store the route would consult: the record for the first client_id.
const std::map<std::string, client, std::less<>>& clients() {
  static const std::map<std::string, client, std::less<>> all{
      // Confidential, two redirect URIs, may only have read-posts.
      {"conf", make("conf", true, {"authorization_code", "refresh_token"}, std::vector<std::string>{"read-posts"},
                    {"https://app.example/cb", "https://app.example/other?tenant=1"})},
      // Public (a native app): one loopback redirect URI, any defined scope.
      {"pub", make("pub", false, {"authorization_code"}, std::nullopt, {"http://127.0.0.1/cb"})},
      // Public with a private-use scheme and an IPv6 loopback URI.
      {"native", make("native", false, {"authorization_code"}, std::nullopt, {"com.example.app:/cb", "http://[::1]/cb"})},
      {"m2m", make("m2m", true, {"client_credentials"}, std::nullopt, {"https://app.example/cb"})},
      {"gone", make("gone", true, {"authorization_code"}, std::nullopt, {"https://app.example/cb"}, true)},
  };
  return all;
}

std::variant<authorize_request, authorize_error> validate(std::string_view query) {
  auto parsed = http::parse_body_params("application/x-www-form-urlencoded", query);
  REQUIRE(std::holds_alternative<http::body_params>(parsed));
  const auto& params = std::get<http::body_params>(parsed);
  std::optional<client> found;
  if (auto id = params.get("client_id"))
    if (auto it = clients().find(*id); it != clients().end()) found = it->second;
  return validate_authorize(params, found);
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

} // namespace

// --- Errors that must not redirect (CONTRACT step 1) ----------------------------------------

TEST_CASE("validate_authorize: client and redirect URI problems are a page, never a redirect") {
  struct row {
    std::string query;
    std::string_view why;  // a piece of the description
  };
  const std::vector<row> rows{
      {"", "client_id parameter is missing"},
      {"response_type=code&state=s", "client_id parameter is missing"},
      {"response_type=code&client_id=&state=s", "client_id parameter is missing"},
      {"client_id=pub&client_id=pub&response_type=code&state=s" + pkce, "client_id parameter was sent more than once"},
      {"client_id=pub&response_type=code&client_id=conf&state=s" + pkce, "client_id parameter was sent more than once"},
      {"client_id=nobody&response_type=code&state=s", "unknown or has been revoked"},
      {"client_id=gone&response_type=code&state=s&redirect_uri=https://app.example/cb", "unknown or has been revoked"},
      {"client_id=m2m&response_type=code&state=s&redirect_uri=https://app.example/cb", "not registered for the authorization code grant"},
      {"client_id=pub&redirect_uri=http://127.0.0.1/cb&redirect_uri=http://127.0.0.1/cb&response_type=code" + pkce,
       "redirect_uri parameter was sent more than once"},
      {"client_id=conf&redirect_uri=https://evil.example/cb&response_type=code&state=s", "not registered"},
      {"client_id=conf&redirect_uri=https://app.example/cb/&response_type=code&state=s", "not registered"},
      {"client_id=conf&redirect_uri=https://app.example/other&response_type=code&state=s", "not registered"},
      {"client_id=conf&redirect_uri=https://app.example/cb%23x&response_type=code&state=s", "not registered"},
      {"client_id=conf&redirect_uri=&response_type=code&state=s", "not registered"},
      {"client_id=pub&redirect_uri=http://localhost/cb&response_type=code&state=s" + pkce, "not registered"},
      {"client_id=pub&redirect_uri=http://127.0.0.1:0/cb&response_type=code&state=s" + pkce, "not registered"},
      {"client_id=pub&redirect_uri=http://127.0.0.1@evil.example/cb&response_type=code&state=s" + pkce, "not registered"},
      {"client_id=conf&response_type=code&state=s", "required (the client has several registered)"},
      {"client_id=native&response_type=code&state=s" + pkce, "required (the client has several registered)"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.query);
    auto v = validate(r.query);
    REQUIRE(std::holds_alternative<authorize_error>(v));
    const auto& e = std::get<authorize_error>(v);
    CHECK_FALSE(e.redirect);
    CHECK(e.error == "invalid_request");
    CHECK(e.redirect_uri == "");
    CHECK_FALSE(e.state);
    CHECK_MESSAGE(contains(e.description, r.why), e.description);
  }
}

// --- Errors that go back to the client (CONTRACT step 2) ------------------------------------

TEST_CASE("validate_authorize: other errors go back to the verified redirect URI with the state") {
  struct row {
    std::string query;
    std::string_view error;
    std::string_view why;
    std::string_view redirect_uri = "https://app.example/cb";
  };
  const std::string conf = "client_id=conf&redirect_uri=https://app.example/cb&state=xyz";
  const std::string pub = "client_id=pub&state=xyz";
  const std::vector<row> rows{
      {conf, "invalid_request", "response_type parameter is missing"},
      {conf + "&response_type=", "invalid_request", "response_type parameter is missing"},
      {conf + "&response_type=token", "unsupported_response_type", "Only response_type=code"},
      {conf + "&response_type=code+token", "unsupported_response_type", "Only response_type=code"},
      {conf + "&response_type=CODE", "unsupported_response_type", "Only response_type=code"},
      {conf + "&response_type=code&response_type=code", "invalid_request", "response_type parameter was sent more than once"},
      {conf + "&response_type=code&scope=read-posts&scope=read-posts", "invalid_request", "scope parameter was sent more than once"},
      {conf + "&response_type=code&state=other", "invalid_request", "state parameter was sent more than once"},
      {conf + "&response_type=code" + pkce + "&code_challenge=" + std::string(challenge), "invalid_request",
       "code_challenge parameter was sent more than once"},
      {conf + "&response_type=code" + pkce + "&code_challenge_method=S256", "invalid_request",
       "code_challenge_method parameter was sent more than once"},
      {conf + "&response_type=code&prompt=login&prompt=login", "invalid_request", "prompt parameter was sent more than once"},
      // PKCE.
      {pub + "&response_type=code", "invalid_request", "A public client must use PKCE", "http://127.0.0.1/cb"},
      {conf + "&response_type=code&code_challenge=" + std::string(challenge), "invalid_request",
       "code_challenge_method=S256 is required"},
      {conf + "&response_type=code&code_challenge=" + std::string(challenge) + "&code_challenge_method=plain",
       "invalid_request", "Only the S256 code_challenge_method"},
      {conf + "&response_type=code&code_challenge=" + std::string(challenge) + "&code_challenge_method=s256",
       "invalid_request", "Only the S256 code_challenge_method"},
      {conf + "&response_type=code&code_challenge=abc&code_challenge_method=S256", "invalid_request",
       "not a base64url SHA-256 digest"},
      {conf + "&response_type=code&code_challenge=" + std::string(challenge) + "%3D&code_challenge_method=S256",
       "invalid_request", "not a base64url SHA-256 digest"},
      {conf + "&response_type=code&code_challenge=&code_challenge_method=S256", "invalid_request",
       "not a base64url SHA-256 digest"},
      {conf + "&response_type=code&code_challenge_method=S256", "invalid_request",
       "code_challenge_method was sent without a code_challenge"},
      {pub + "&response_type=code&code_challenge_method=S256", "invalid_request",
       "code_challenge_method was sent without a code_challenge", "http://127.0.0.1/cb"},
      // prompt.
      {conf + "&response_type=code&prompt=select_account", "invalid_request", "prompt must be none, login or consent"},
      {conf + "&response_type=code&prompt=login+consent", "invalid_request", "prompt must be none, login or consent"},
      {conf + "&response_type=code&prompt=", "invalid_request", "prompt must be none, login or consent"},
      {conf + "&response_type=code&prompt=NONE", "invalid_request", "prompt must be none, login or consent"},
      // Scopes.
      {conf + "&response_type=code&scope=delete-everything", "invalid_scope", "'delete-everything' is not defined"},
      {conf + "&response_type=code&scope=admin", "invalid_scope", "may not request the scope 'admin'"},
      {conf + "&response_type=code&scope=read-posts+write-posts", "invalid_scope", "may not request the scope 'write-posts'"},
      {conf + "&response_type=code&scope=*", "invalid_scope", "'*' may only be requested with the password grant"},
      {pub + "&response_type=code&scope=*" + pkce, "invalid_scope", "'*' may only be requested", "http://127.0.0.1/cb"},
      {conf + "&response_type=code&scope=read-posts++read-posts", "invalid_scope", "malformed"},
      {conf + "&response_type=code&scope=+read-posts", "invalid_scope", "malformed"},
      // The loopback rule: the error goes to the port that was sent.
      {"client_id=pub&redirect_uri=http://127.0.0.1:51004/cb&state=xyz&response_type=token", "unsupported_response_type",
       "Only response_type=code", "http://127.0.0.1:51004/cb"},
      {"client_id=native&redirect_uri=com.example.app:/cb&state=xyz&response_type=code", "invalid_request",
       "A public client must use PKCE", "com.example.app:/cb"},
      {"client_id=conf&redirect_uri=https://app.example/other?tenant=1&state=xyz&response_type=code&prompt=x",
       "invalid_request", "prompt must be", "https://app.example/other?tenant=1"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.query);
    auto v = validate(r.query);
    REQUIRE(std::holds_alternative<authorize_error>(v));
    const auto& e = std::get<authorize_error>(v);
    CHECK(e.redirect);
    CHECK(e.error == r.error);
    CHECK_MESSAGE(contains(e.description, r.why), e.description);
    CHECK(e.redirect_uri == r.redirect_uri);
    CHECK(e.state == "xyz");  // the first one, when repeated
  }
}

TEST_CASE("validate_authorize: a redirect error without state carries none") {
  auto v = validate("client_id=conf&redirect_uri=https://app.example/cb&response_type=token");
  REQUIRE(std::holds_alternative<authorize_error>(v));
  CHECK(std::get<authorize_error>(v).redirect);
  CHECK_FALSE(std::get<authorize_error>(v).state);
  // An empty state is still a state (sent, and echoed).
  v = validate("client_id=conf&redirect_uri=https://app.example/cb&response_type=token&state=");
  REQUIRE(std::holds_alternative<authorize_error>(v));
  CHECK(std::get<authorize_error>(v).state == "");
}

// Regression (found by the authorize_params fuzz harness): repetition was judged by
// first_repeated alone, which names whichever parameter repeats first. "state=1&state=2&client_id=a&client_id=b" then redirected (to a URI of
// the first client) instead of refusing without a redirect, and "foo=1&foo=2&scope=a&scope=b"
// was accepted with the first scope.
TEST_CASE("validate_authorize: a repeated parameter is caught whatever else repeats first") {
  const std::vector<std::pair<std::string, std::string_view>> no_redirect{
      {"state=a&state=b&client_id=pub&client_id=conf&response_type=code" + pkce, "client_id parameter was sent more than once"},
      {"scope=a&scope=b&client_id=pub&redirect_uri=http://127.0.0.1/cb&redirect_uri=https://evil.example/cb" + pkce,
       "redirect_uri parameter was sent more than once"},
      {"csrf_token=1&csrf_token=2&client_id=conf&redirect_uri=https://app.example/cb&client_id=pub",
       "client_id parameter was sent more than once"},
      {"response_type=tye&client_id=conf&redirect_uri=com.example.app:/cb&state=1&state=2&client_id=conf"
       "&redirect_uri=http://127.0.0.1:9999/cb",
       "client_id parameter was sent more than once"},
  };
  for (const auto& [query, why] : no_redirect) {
    CAPTURE(query);
    auto v = validate(query);
    REQUIRE(std::holds_alternative<authorize_error>(v));
    const auto& e = std::get<authorize_error>(v);
    CHECK_FALSE(e.redirect);
    CHECK(e.redirect_uri == "");
    CHECK_FALSE(e.state);
    CHECK_MESSAGE(contains(e.description, why), e.description);
  }

  const std::string conf = "client_id=conf&redirect_uri=https://app.example/cb&state=xyz&response_type=code";
  const std::vector<std::pair<std::string, std::string_view>> back{
      {"foo=1&foo=2&" + conf + "&scope=read-posts&scope=admin", "scope parameter was sent more than once"},
      {"csrf_token=1&csrf_token=2&" + conf + "&prompt=none&prompt=consent", "prompt parameter was sent more than once"},
      {"decision=approve&decision=deny&" + conf + pkce + "&code_challenge=x", "code_challenge parameter was sent more than once"},
  };
  for (const auto& [query, why] : back) {
    CAPTURE(query);
    auto v = validate(query);
    REQUIRE(std::holds_alternative<authorize_error>(v));
    const auto& e = std::get<authorize_error>(v);
    CHECK(e.redirect);
    CHECK(e.error == "invalid_request");
    CHECK(e.redirect_uri == "https://app.example/cb");
    CHECK(e.state == "xyz");
    CHECK_MESSAGE(contains(e.description, why), e.description);
  }
}

// --- Success ---------------------------------------------------------------------------------

TEST_CASE("validate_authorize: a valid request is resolved") {
  SUBCASE("confidential client, one of several redirect URIs, no PKCE") {
    auto v = validate("response_type=code&client_id=conf&redirect_uri=https://app.example/other%3Ftenant%3D1"
                      "&scope=read-posts&state=s%20t");
    REQUIRE(std::holds_alternative<authorize_request>(v));
    const auto& r = std::get<authorize_request>(v);
    CHECK(r.client_id == "conf");
    CHECK(r.redirect_uri == "https://app.example/other?tenant=1");
    CHECK(r.redirect_uri_sent);
    CHECK(r.scopes == std::vector<std::string>{"read-posts"});
    CHECK(r.state == "s t");
    CHECK(r.code_challenge == "");
    CHECK(r.prompt == prompt_value::unspecified);
  }
  SUBCASE("confidential client with PKCE") {
    auto v = validate("response_type=code&client_id=conf&redirect_uri=https://app.example/cb" + pkce);
    REQUIRE(std::holds_alternative<authorize_request>(v));
    CHECK(std::get<authorize_request>(v).code_challenge == challenge);
    CHECK(std::get<authorize_request>(v).scopes.empty());  // absent scope grants none
    CHECK_FALSE(std::get<authorize_request>(v).state);
  }
  SUBCASE("public client, its only redirect URI omitted") {
    auto v = validate("response_type=code&client_id=pub&scope=admin+read-posts+admin" + pkce);
    REQUIRE(std::holds_alternative<authorize_request>(v));
    const auto& r = std::get<authorize_request>(v);
    CHECK(r.redirect_uri == "http://127.0.0.1/cb");
    CHECK_FALSE(r.redirect_uri_sent);
    CHECK(r.scopes == std::vector<std::string>{"admin", "read-posts"});
    CHECK(r.code_challenge == challenge);
  }
  SUBCASE("loopback redirect URIs match with any port (RFC 8252 section 7.3), and the one sent is kept") {
    for (std::string_view uri : {"http://127.0.0.1:51004/cb", "http://127.0.0.1:1/cb", "http://127.0.0.1:65535/cb",
                                 "http://127.0.0.1/cb"}) {
      CAPTURE(uri);
      auto v = validate("response_type=code&client_id=pub&redirect_uri=" + url_encode(uri) + pkce);
      REQUIRE(std::holds_alternative<authorize_request>(v));
      CHECK(std::get<authorize_request>(v).redirect_uri == uri);
      CHECK(std::get<authorize_request>(v).redirect_uri_sent);
    }
    auto v = validate("response_type=code&client_id=native&redirect_uri=http://[::1]:8080/cb" + pkce);
    REQUIRE(std::holds_alternative<authorize_request>(v));
    CHECK(std::get<authorize_request>(v).redirect_uri == "http://[::1]:8080/cb");
  }
  SUBCASE("prompt") {
    const std::string base = "response_type=code&client_id=pub" + pkce;
    for (auto [text, value] : {std::pair{"none", prompt_value::none}, std::pair{"login", prompt_value::login},
                               std::pair{"consent", prompt_value::consent}}) {
      CAPTURE(text);
      auto v = validate(base + "&prompt=" + text);
      REQUIRE(std::holds_alternative<authorize_request>(v));
      CHECK(std::get<authorize_request>(v).prompt == value);
    }
  }
  SUBCASE("other parameters are ignored, even repeated") {
    auto v = validate("response_type=code&client_id=pub&csrf_token=a&decision=approve&foo=1&foo=2" + pkce);
    REQUIRE(std::holds_alternative<authorize_request>(v));
  }
}

// --- The redirects ---------------------------------------------------------------------------

TEST_CASE("with_query: the registered query is kept, values are percent-encoded") {
  CHECK(with_query("https://app.example/cb", {{"code", "abc"}, {"state", "a b&c=d#e"}}) ==
        "https://app.example/cb?code=abc&state=a%20b%26c%3Dd%23e");
  CHECK(with_query("https://app.example/cb?tenant=1", {{"code", "abc"}}) == "https://app.example/cb?tenant=1&code=abc");
  CHECK(with_query("com.example.app:/cb", {{"code", "x/y?z"}}) == "com.example.app:/cb?code=x%2Fy%3Fz");
  CHECK(with_query("https://app.example/cb", {{"state", "\xc3\xa9\r\n"}}) == "https://app.example/cb?state=%C3%A9%0D%0A");
  CHECK(with_query("https://app.example/cb", {}) == "https://app.example/cb");
}

TEST_CASE("error_redirect_uri: error, error_description, state and iss, in that order") {
  authorize_error e{true, "invalid_scope", "The scope 'x' is not defined.", "https://app.example/cb?tenant=1", "s&t"};
  CHECK(error_redirect_uri(e, "https://auth.example") ==
        "https://app.example/cb?tenant=1&error=invalid_scope&error_description=The%20scope%20%27x%27%20is%20not%20defined."
        "&state=s%26t&iss=https%3A%2F%2Fauth.example");
  e.state.reset();
  e.redirect_uri = "http://127.0.0.1:5000/cb";
  CHECK(error_redirect_uri(e, "http://localhost:8080") ==
        "http://127.0.0.1:5000/cb?error=invalid_scope&error_description=The%20scope%20%27x%27%20is%20not%20defined."
        "&iss=http%3A%2F%2Flocalhost%3A8080");
}

TEST_CASE("authorize_fields: the validated request, sent again, validates to the same request") {
  const std::vector<std::string> queries{
      "response_type=code&client_id=conf&redirect_uri=https://app.example/other%3Ftenant%3D1&scope=read-posts&state=a%26b%3Dc",
      "response_type=code&client_id=conf&redirect_uri=https://app.example/cb&prompt=consent" + pkce,
      "response_type=code&client_id=pub&scope=write-posts+admin&state=%F0%9F%94%91+%22%27<>" + pkce,
      "response_type=code&client_id=pub&redirect_uri=http://127.0.0.1:7777/cb&state=&prompt=none" + pkce,
      "response_type=code&client_id=native&redirect_uri=com.example.app:/cb&prompt=login" + pkce,
  };
  for (const auto& q : queries) {
    CAPTURE(q);
    auto first = validate(q);
    REQUIRE(std::holds_alternative<authorize_request>(first));
    const auto& a = std::get<authorize_request>(first);
    std::string again;
    for (const auto& [k, v] : authorize_fields(a)) again += (again.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
    CAPTURE(again);
    auto second = validate(again);
    REQUIRE(std::holds_alternative<authorize_request>(second));
    const auto& b = std::get<authorize_request>(second);
    CHECK(b.client_id == a.client_id);
    CHECK(b.redirect_uri == a.redirect_uri);
    CHECK(b.redirect_uri_sent == a.redirect_uri_sent);
    CHECK(b.scopes == a.scopes);
    CHECK(b.state == a.state);
    CHECK(b.code_challenge == a.code_challenge);
    // consent survives a login; login and none do not (a login has just happened).
    CHECK(b.prompt == (a.prompt == prompt_value::consent ? prompt_value::consent : prompt_value::unspecified));
  }
}

// --- Pages -----------------------------------------------------------------------------------

TEST_CASE("pages: every interpolated value is escaped, and there is no script") {
  const std::string evil = "<script>alert(1)</script>";
  const std::string quoted = R"(a"b'c><img src=x onerror=alert(1)>&amp;)";
  const std::string quoted_escaped = "a&quot;b&#39;c&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;";

  pages::login_form login{evil + "@example.com", "Wrong " + evil, {{"csrf_token", quoted}, {"return_to", "/x?\"y'"}}};
  auto login_page = pages::render_login(login);

  pages::consent_form consent{
      evil, "me" + evil + "@example.com",
      {{"read-posts", "Read <b>posts</b> " + evil}, {"x\"y", quoted}},
      "/oauth/authorize\"><script>",
      {{"state", quoted}, {"redirect_uri", "https://app.example/cb?a=1&b=\"2\""}, {"na\"me", "v"}},
      quoted};
  auto consent_page = pages::render_consent(consent);

  auto message_page = pages::render_message(evil, quoted);

  for (const auto* page : {&login_page, &consent_page, &message_page}) {
    CAPTURE(*page);
    CHECK_FALSE(contains(lower(*page), "<script"));
    CHECK_FALSE(contains(*page, "<img"));
    CHECK_FALSE(contains(*page, "onerror=alert(1)>"));
  }
  CHECK(contains(login_page, "&lt;script&gt;alert(1)&lt;/script&gt;@example.com"));
  CHECK(contains(login_page, "Wrong &lt;script&gt;"));
  CHECK(contains(login_page, "name=\"csrf_token\" value=\"" + quoted_escaped + "\""));
  CHECK(contains(login_page, "value=\"/x?&quot;y&#39;\""));

  CHECK(contains(consent_page, "<title>Authorize &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
  CHECK(contains(consent_page, "<h1>Authorize &lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
  CHECK(contains(consent_page, "Read &lt;b&gt;posts&lt;/b&gt; &lt;script&gt;"));
  CHECK(contains(consent_page, "(x&quot;y)"));
  CHECK(contains(consent_page, "action=\"/oauth/authorize&quot;&gt;&lt;script&gt;\""));
  CHECK(contains(consent_page, "name=\"state\" value=\"" + quoted_escaped + "\""));
  CHECK(contains(consent_page, "value=\"https://app.example/cb?a=1&amp;b=&quot;2&quot;\""));
  CHECK(contains(consent_page, "name=\"na&quot;me\""));
  CHECK(contains(consent_page, "Signed in as me&lt;script&gt;"));
  CHECK(contains(consent_page, "name=\"csrf_token\" value=\"" + quoted_escaped + "\""));
  CHECK(contains(consent_page, "name=\"decision\" value=\"approve\""));
  CHECK(contains(consent_page, "name=\"decision\" value=\"deny\""));

  CHECK(contains(message_page, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
  CHECK(contains(message_page, "<p>" + quoted_escaped + "</p>"));
}

TEST_CASE("pages: the CSP forbids framing and limits where forms go") {
  auto plain = pages::page_csp();
  CHECK(contains(plain, "frame-ancestors 'none'"));
  CHECK(contains(plain, "form-action 'self';"));
  CHECK(contains(plain, "default-src 'none'"));
  CHECK_FALSE(contains(plain, "script-src"));

  const std::vector<std::string> targets{"https://app.example:8443", "", "com.example.app:"};
  auto with_targets = pages::page_csp(targets);
  CHECK(contains(with_targets, "form-action 'self' https://app.example:8443 com.example.app:;"));
  CHECK(contains(with_targets, "frame-ancestors 'none'"));
}

TEST_CASE("pages: csp_source_of names the redirect URI's origin or scheme, and nothing odd") {
  CHECK(pages::csp_source_of("https://app.example:8443/cb?x=1#f") == "https://app.example:8443");
  CHECK(pages::csp_source_of("https://app.example/cb") == "https://app.example");
  CHECK(pages::csp_source_of("https://app.example") == "https://app.example");
  CHECK(pages::csp_source_of("https://app.example?x") == "https://app.example");
  CHECK(pages::csp_source_of("http://127.0.0.1:51004/cb") == "http://127.0.0.1:51004");
  CHECK(pages::csp_source_of("http://[::1]:8080/cb") == "http://[::1]:8080");
  CHECK(pages::csp_source_of("http://localhost/cb") == "http://localhost");
  CHECK(pages::csp_source_of("com.example.app:/cb") == "com.example.app:");
  CHECK(pages::csp_source_of("com.example.app://cb/x") == "com.example.app:");

  for (std::string_view refused :
       {"", ":", ":/cb", "cb", "/cb", "https:", "https:/cb", "https://", "https:///cb", "https://app example/cb",
        "https://app.example\"/cb", "https://app.example'/cb", "https://app.example;script-src *", "https://a.example,b/",
        "https://user@app.example/cb", "https://app.example\r\nX: y", "https://app.example\t/", "https://*.example/",
        "HTTPS://app.example/cb", "com.Example.app:/cb", "com example:/cb", "com\"x:/cb", "com'x:/cb", "com;x:/cb",
        "com,x:/cb", "a b:c", "https://app.\xc3\xa9xample/"}) {
    CAPTURE(refused);
    CHECK(pages::csp_source_of(refused) == "");
  }
}
