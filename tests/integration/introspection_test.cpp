// RFC 7662 introspection for every token kind, and the RFC 8414 metadata advertising it.
#include "tests/integration/revocation_support.hpp"

using namespace oauth;
using namespace oauth::test::revoke;

namespace {
std::string form(const std::string& t, const std::string& hint = {}) {
  return "token=" + url_encode(t) + (hint.empty() ? "" : "&token_type_hint=" + hint);
}
bool inactive(const reply& r) {
  return r.status == 200 && r.json.is_object() && r.json.as_object().size() == 1 && r.json.at("active") == false;
}
} // namespace

TEST_CASE("introspection: access, refresh and personal access tokens, each state") {
  admin a;
  auto pac = personal_access_client(a);
  server s;
  auto web = a.first_party_client({"password", "refresh_token"});
  auto rs_client = a.client({"client_credentials"});  // a resource server introspecting
  auto spa = a.first_party_client({"password", "refresh_token"}, false);
  auto email = a.user(test_password_hash());
  auto p = s.port();
  auto auth = basic(rs_client.id, rs_client.secret);

  auto t = login(p, web, email, "read-posts");
  auto at = introspect(p, form(t.access), auth);
  REQUIRE(at.status == 200);
  CHECK(at.header(field::cache_control) == "no-store");
  CHECK(at.json.at("active") == true);
  CHECK(at.str("token_type") == "Bearer");
  CHECK(at.str("scope") == "read-posts");
  CHECK(at.str("client_id") == web.id);
  CHECK(at.json.at("exp").as_int64() > at.json.at("iat").as_int64());
  auto sub = at.str("sub");
  CHECK_FALSE(sub.empty());

  auto rt = introspect(p, form(t.refresh, "refresh_token"), auth);
  CHECK(rt.json.at("active") == true);
  CHECK(rt.str("token_type") == "refresh_token");
  CHECK(rt.str("client_id") == web.id);
  CHECK(rt.str("sub") == sub);
  CHECK(rt.str("scope") == "read-posts");
  // Introspection does not rotate: the token still refreshes, once.
  auto refreshed = token(p, "grant_type=refresh_token&refresh_token=" + t.refresh, basic(web.id, web.secret));
  REQUIRE(refreshed.status == 200);
  CHECK(inactive(introspect(p, form(t.refresh), auth)));  // rotated
  CHECK(introspect(p, form(refreshed.str("refresh_token")), auth).json.at("active") == true);

  // A personal access token.
  auto made = request(p, verb::post, "/oauth/personal-access-tokens", R"({"name":"i","scopes":["read-posts"]})",
                      "application/json", "Bearer " + t.access);
  REQUIRE(made.status == 201);
  auto pt = introspect(p, form(made.str("token")), auth);
  CHECK(pt.json.at("active") == true);
  CHECK(pt.str("client_id") == pac);
  CHECK(pt.str("sub") == sub);
  CHECK(pt.str("jti") == made.str("id"));
  REQUIRE(request(p, verb::delete_, "/oauth/personal-access-tokens/" + made.str("id"), {}, "application/json",
                  "Bearer " + t.access).status == 204);
  CHECK(inactive(introspect(p, form(made.str("token")), auth)));

  // Revoked access token, revoked family.
  REQUIRE(revoke(p, form_revoke(t.access), basic(web.id, web.secret)).status == 200);
  CHECK(inactive(introspect(p, form(t.access), auth)));
  REQUIRE(revoke(p, form_revoke(refreshed.str("refresh_token")), basic(web.id, web.secret)).status == 200);
  CHECK(inactive(introspect(p, form(refreshed.str("refresh_token")), auth)));
  CHECK(inactive(introspect(p, form(refreshed.str("access_token")), auth)));

  // Expired, unknown, malformed, foreign.
  CHECK(inactive(introspect(p, form(mint(s, -10, web.id, sub)), auth)));
  CHECK(introspect(p, form(mint(s, 600, web.id, sub)), auth).json.at("active") == true);
  CHECK(inactive(introspect(p, form("no-such-refresh-token"), auth)));
  CHECK(inactive(introspect(p, form("a.b.c"), auth)));
  CHECK(inactive(introspect(p, form("a.b"), auth)));
  auto foreign_key = jwt::key::generate(jwt::algorithm::rs256).value();
  boost::json::object claims{{"iss", issuer}, {"sub", "x"}, {"aud", "posts-api"}, {"client_id", "x"},
                             {"jti", "j"},    {"iat", unix_now()}, {"nbf", unix_now()}, {"exp", unix_now() + 60}};
  CHECK(inactive(introspect(p, form(jwt::sign(foreign_key, claims)), auth)));

  // Client authentication: confidential clients only.
  auto none = introspect(p, form(t.access), "");
  CHECK(none.status == 401);
  CHECK(none.error() == "invalid_client");
  CHECK(introspect(p, form(t.access), basic(rs_client.id, "wrong")).status == 401);
  CHECK(introspect(p, form(t.access) + "&client_id=" + spa.id, "").status == 401);
  CHECK(introspect(p, "", auth).error() == "invalid_request");
  // client_secret_post.
  auto post = introspect(p, form(refreshed.str("access_token")) + "&client_id=" + rs_client.id + "&client_secret=" +
                                url_encode(rs_client.secret), "");
  CHECK(post.status == 200);
}

TEST_CASE("RFC 8414 metadata advertises revocation and introspection") {
  server s;
  auto m = request(s.port(), verb::get, "/.well-known/oauth-authorization-server");
  REQUIRE(m.status == 200);
  CHECK(m.str("revocation_endpoint") == issuer + "/oauth/revoke");
  CHECK(m.str("introspection_endpoint") == issuer + "/oauth/introspect");
  CHECK(m.json.at("revocation_endpoint_auth_methods_supported").as_array().size() == 2);
  CHECK(m.json.at("introspection_endpoint_auth_methods_supported").as_array().size() == 2);
}
