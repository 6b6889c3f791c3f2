// Pure parts of RFC 7009 revocation, RFC 7662 introspection, the auth service's bearer
// extraction and the personal access token request rules. No sockets.
#include "auth-service/oauth/bearer.hpp"
#include "auth-service/oauth/introspection.hpp"
#include "auth-service/oauth/personal_access_tokens.hpp"
#include "auth-service/oauth/revocation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

using namespace oauth;
using namespace oauth::auth;
namespace json = boost::json;

namespace {

json::value body_of(const http::response& r) { return json::parse(r.body()); }

template <class T>
http::response failure(const std::variant<T, http::response>& v) {
  REQUIRE(std::holds_alternative<http::response>(v));
  return std::get<http::response>(v);
}

} // namespace

TEST_CASE("RFC 7009: token shapes and the access-token decision") {
  CHECK(shape_of("aaa.bbb.ccc") == token_shape::jwt);
  CHECK(shape_of("Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE") == token_shape::opaque);
  CHECK(shape_of("") == token_shape::malformed);
  CHECK(shape_of("a.b") == token_shape::malformed);
  CHECK(shape_of("a.b.c.d") == token_shape::malformed);
  CHECK(shape_of(std::string(9000, 'a')) == token_shape::malformed);

  CHECK(decide_access_revocation(true, "c1", "c1") == access_revocation::revoke);
  CHECK(decide_access_revocation(true, "c1", "c2") == access_revocation::wrong_client);
  CHECK(decide_access_revocation(false, "", "c2") == access_revocation::ignore);

  auto ok = revocation_ok();
  CHECK(ok.result_int() == 200);
  CHECK(ok.body().empty());
  CHECK(ok[http::field::cache_control] == "no-store");
}

TEST_CASE("RFC 7662: response shaping for access, refresh and inactive tokens") {
  CHECK(json::serialize(introspect_inactive()) == R"({"active":false})");

  jwt::verified_token t;
  t.claims = json::parse(R"({"iss":"http://i","sub":"u1","aud":"posts-api","client_id":"c1","scope":"read-posts",
                             "jti":"j1","iat":10,"nbf":10,"exp":20})").as_object();
  auto a = introspect_access_token(t);
  CHECK(a.at("active").as_bool());
  CHECK(a.at("token_type").as_string() == "Bearer");
  CHECK(a.at("scope").as_string() == "read-posts");
  CHECK(a.at("client_id").as_string() == "c1");
  CHECK(a.at("sub").as_string() == "u1");
  CHECK(a.at("exp").as_int64() == 20);
  CHECK(a.at("iat").as_int64() == 10);
  CHECK(a.at("jti").as_string() == "j1");

  refresh_token_info info;
  info.record = {"fam", "c1", "u1", {"read-posts", "write-posts"}, 99};
  auto r = introspect_refresh_token(info);
  CHECK(r.at("active").as_bool());
  CHECK(r.at("token_type").as_string() == "refresh_token");
  CHECK(r.at("scope").as_string() == "read-posts write-posts");
  CHECK(r.at("sub").as_string() == "u1");
  CHECK(r.at("exp").as_int64() == 99);
  CHECK_FALSE(r.contains("family"));
  for (auto st : {refresh_token_state::rotated, refresh_token_state::revoked, refresh_token_state::expired}) {
    info.state = st;
    CHECK(json::serialize(introspect_refresh_token(info)) == R"({"active":false})");
  }
  auto res = introspection_response(a);
  CHECK(res[http::field::cache_control] == "no-store");
  CHECK(res[http::field::content_type].starts_with("application/json"));
}

TEST_CASE("auth bearer extraction (RFC 6750 section 2.1)") {
  CHECK(extract_bearer("").what == bearer_credentials::kind::none);
  CHECK(extract_bearer("Basic abc").what == bearer_credentials::kind::none);
  CHECK(extract_bearer("Bearer").what == bearer_credentials::kind::malformed);
  CHECK(extract_bearer("Bearer a b").what == bearer_credentials::kind::malformed);
  CHECK(extract_bearer("Bearer =abc").what == bearer_credentials::kind::malformed);
  auto ok = extract_bearer("bearer aaa.bbb-_~+/.ccc==");
  CHECK(ok.what == bearer_credentials::kind::token);
  CHECK(ok.token == "aaa.bbb-_~+/.ccc==");
  CHECK(bearer_principal{"c", "c", "j", {}, 0}.has_user() == false);
  CHECK(bearer_principal{"u", "c", "j", {}, 0}.has_user());
  auto missing = bearer_missing_response();
  CHECK(missing.result_int() == 401);
  CHECK(missing[http::field::www_authenticate] == R"(Bearer realm="oauth")");
  auto invalid = bearer_invalid_response("token \"revoked\"");
  CHECK(invalid[http::field::www_authenticate] ==
        R"(Bearer realm="oauth", error="invalid_token", error_description="token  revoked ")");
}

TEST_CASE("personal access tokens: request validation") {
  auto ok = parse_pat_request("application/json; charset=utf-8", R"({"name":"cli","scopes":["read-posts","read-posts"]})");
  REQUIRE(std::holds_alternative<pat_create_request>(ok));
  CHECK(std::get<pat_create_request>(ok).name == "cli");
  CHECK(std::get<pat_create_request>(ok).scopes == std::vector<std::string>{"read-posts"});
  auto no_scopes = parse_pat_request("application/json", R"({"name":"x"})");
  REQUIRE(std::holds_alternative<pat_create_request>(no_scopes));
  CHECK(std::get<pat_create_request>(no_scopes).scopes.empty());

  CHECK(failure(parse_pat_request("text/plain", R"({"name":"x"})")).result_int() == 415);
  CHECK(failure(parse_pat_request("application/json", "{")).result_int() == 400);
  CHECK(failure(parse_pat_request("application/json", "[]")).result_int() == 400);
  for (const char* bad : {R"({})", R"({"name":""})", R"({"name":"   "})", R"({"name":5})", R"({"name":"a\u0001b"})",
                          R"({"name":"x","scopes":"read-posts"})", R"({"name":"x","scopes":[1]})",
                          R"({"name":"a\u0000b"})", R"({"name":"x","scopes":["read-posts\u0000admin"]})"}) {
    CAPTURE(bad);
    const auto r = failure(parse_pat_request("application/json", bad));
    CHECK(r.result_int() == 422);
    CHECK(body_of(r).as_object().contains("errors"));
  }
  // A NUL is refused with its field named (it would otherwise reach PostgreSQL text).
  CHECK(body_of(failure(parse_pat_request("application/json", R"({"name":"x","scopes":["a\u0000"]})")))
            .at("errors").as_object().contains("scopes"));
  CHECK(body_of(failure(parse_pat_request("application/json", R"({"name":"\u0000"})")))
            .at("errors").as_object().contains("name"));
  // 191 characters (multi-byte ones count once) pass, 192 do not.
  std::string name;
  for (int i = 0; i < 191; ++i) name += "é";
  CHECK(std::holds_alternative<pat_create_request>(parse_pat_request("application/json", R"({"name":")" + name + "\"}")));
  CHECK(failure(parse_pat_request("application/json", R"({"name":")" + name + "x\"}")).result_int() == 422);
}

TEST_CASE("personal access tokens: scopes within the calling token, * expanded") {
  using v = std::vector<std::string>;
  auto got = [](const std::variant<v, http::response>& r) { return std::get<v>(r); };
  CHECK(got(resolve_pat_scopes({"read-posts"}, {"read-posts", "write-posts"})) == v{"read-posts"});
  CHECK(got(resolve_pat_scopes({}, {"read-posts"})).empty());
  CHECK(got(resolve_pat_scopes({"*"}, {"read-posts", "write-posts"})) == v{"read-posts", "write-posts"});
  CHECK(got(resolve_pat_scopes({"read-posts"}, {"admin"})) == v{"read-posts"});  // admin implies it
  const auto escalation = failure(resolve_pat_scopes({"admin"}, {"read-posts", "write-posts"}));
  CHECK(escalation.result_int() == 403);
  CHECK(body_of(escalation).at("error").as_string() == "insufficient_scope");
  const auto undefined = failure(resolve_pat_scopes({"nope"}, {"read-posts"}));
  CHECK(undefined.result_int() == 400);
  CHECK(body_of(undefined).at("error").as_string() == "invalid_scope");
}
