#include "common/http/params.hpp"

#include <doctest/doctest.h>

using namespace oauth::http;

namespace {
body_params ok(std::string_view type, std::string_view body) {
  auto r = parse_body_params(type, body);
  REQUIRE(std::holds_alternative<body_params>(r));
  return std::get<body_params>(r);
}
std::string err(std::string_view type, std::string_view body) {
  auto r = parse_body_params(type, body);
  REQUIRE(std::holds_alternative<params_error>(r));
  return std::get<params_error>(r).description;
}
} // namespace

TEST_CASE("form bodies") {
  auto p = ok("application/x-www-form-urlencoded", "grant_type=client_credentials&scope=read-posts+admin");
  CHECK(p.get("grant_type") == "client_credentials");
  CHECK(p.get("scope") == "read-posts admin");
  CHECK_FALSE(p.get("missing"));
  CHECK(ok("Application/X-WWW-Form-Urlencoded; charset=UTF-8", "a=1").get("a") == "1");
  CHECK(err("application/x-www-form-urlencoded", "a=%GG") == "malformed form body");
}

TEST_CASE("JSON bodies") {
  auto p = ok("application/json", R"({"grant_type":"password","username":"a@b.c","scope":["read-posts","write-posts"],"n":5,"x":null})");
  CHECK(p.get("grant_type") == "password");
  CHECK(p.get("scope") == "read-posts write-posts");
  CHECK(p.get("n") == "5");
  CHECK_FALSE(p.get("x"));
  CHECK(err("application/json", "[1]") == "body must be a JSON object");
  CHECK(err("application/json", "{bad") == "body must be a JSON object");
  CHECK(err("application/json", R"({"a":{"b":1}})").find("must be a string") != std::string::npos);
}

TEST_CASE("other content types are refused") {
  CHECK(err("text/plain", "a=1").find("unsupported content type") == 0);
  CHECK(ok("", "").empty());
}

TEST_CASE("repeated parameters are detected (RFC 6749 §3.1)") {
  auto p = ok("application/x-www-form-urlencoded", "scope=a&grant_type=x&scope=b");
  CHECK(p.first_repeated() == "scope");
  CHECK_FALSE(ok("application/x-www-form-urlencoded", "a=1&b=2").first_repeated());
  // count names each parameter's repetitions, whichever repeats first.
  auto q = ok("application/x-www-form-urlencoded", "state=1&state=2&client_id=a&client_id=b&client_id=c&x=");
  CHECK(q.first_repeated() == "state");
  CHECK(q.count("client_id") == 3);
  CHECK(q.count("state") == 2);
  CHECK(q.count("x") == 1);
  CHECK(q.count("missing") == 0);
}

TEST_CASE("media_type") {
  CHECK(media_type(" application/JSON ; charset=utf-8") == "application/json");
  CHECK(media_type("") == "");
}

TEST_CASE("a NUL character in any parameter is refused, form or JSON, name or value") {
  const std::string form = "application/x-www-form-urlencoded";
  CHECK(err(form, "username=victim%40example.com%00z1&password=x") == "parameter username contains a NUL character");
  CHECK(err(form, "grant_type=password&password=a%00") == "parameter password contains a NUL character");
  CHECK(err(form, "scope=read-posts%00admin") == "parameter scope contains a NUL character");
  CHECK(err(form, "user%00name=x") == "a parameter name contains a NUL character");
  CHECK(err("application/json", R"({"username":"victim@example.com\u0000z1"})") ==
        "parameter username contains a NUL character");
  CHECK(err("application/json", R"({"scope":["read-posts","\u0000"]})") == "parameter scope contains a NUL character");
  CHECK(err("application/json", R"({"a\u0000":"x"})") == "a parameter name contains a NUL character");
  // Other control characters are not this rule's business.
  CHECK(ok(form, "a=%01").get("a") == "\x01");
}
