// The one RFC 6750 bearer parser and challenge builder both services use (issue 11: there were
// two copies with different whitespace rules) and the one ASCII iequals (there were five).
#include "common/ascii.hpp"
#include "common/http/bearer.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace oauth;
using namespace oauth::http;
using kind = bearer_credentials::kind;
using namespace std::string_literals;

TEST_CASE("bearer: the scheme is case-insensitive, other schemes are no credentials") {
  CHECK(extract_bearer("Bearer abc").what == kind::token);
  CHECK(extract_bearer("bearer abc").token == "abc");
  CHECK(extract_bearer("BEARER abc").token == "abc");
  CHECK(extract_bearer("bEaReR abc").token == "abc");
  CHECK(extract_bearer("").what == kind::none);
  CHECK(extract_bearer("   ").what == kind::none);
  CHECK(extract_bearer("Basic dXNlcjpwYXNz").what == kind::none);
  CHECK(extract_bearer("Bearerabc").what == kind::none);
  CHECK(extract_bearer("Bearer-x abc").what == kind::none);
  CHECK(extract_bearer("DPoP abc").what == kind::none);
}

TEST_CASE("bearer: one or more spaces after the scheme, a tab there is malformed, whitespace around the value ignored") {
  CHECK(extract_bearer("Bearer  abc").token == "abc");
  CHECK(extract_bearer("Bearer     abc").token == "abc");
  CHECK(extract_bearer(" \tBearer abc \t").token == "abc");  // OWS around a field value (RFC 9110 §5.5)
  CHECK(extract_bearer("Bearer\tabc").what == kind::malformed);
  CHECK(extract_bearer("Bearer \tabc").what == kind::malformed);
  CHECK(extract_bearer("Bearer\t abc").what == kind::malformed);
}

TEST_CASE("bearer: an empty token, two tokens, non-b64token bytes and NUL are malformed") {
  CHECK(extract_bearer("Bearer").what == kind::malformed);
  CHECK(extract_bearer("Bearer ").what == kind::malformed);
  CHECK(extract_bearer("Bearer    ").what == kind::malformed);
  CHECK(extract_bearer("Bearer a b").what == kind::malformed);
  CHECK(extract_bearer("Bearer a\tb").what == kind::malformed);
  CHECK(extract_bearer("Bearer a,b").what == kind::malformed);
  CHECK(extract_bearer("Bearer a=b").what == kind::malformed);  // "=" only as trailing padding
  CHECK(extract_bearer("Bearer =").what == kind::malformed);
  CHECK(extract_bearer("Bearer =abc").what == kind::malformed);
  CHECK(extract_bearer("Bearer \"abc\"").what == kind::malformed);
  CHECK(extract_bearer("Bearer realm=\"x\"").what == kind::malformed);  // auth-params are not a token
  CHECK(extract_bearer("Bearer ab\x01").what == kind::malformed);
  CHECK(extract_bearer("Bearer ab\xc3\xa9").what == kind::malformed);  // é
  CHECK(extract_bearer("Bearer abc\0def"s).what == kind::malformed);
  CHECK(extract_bearer("Bearer \0"s).what == kind::malformed);
  CHECK(extract_bearer("Bearer\0 abc"s).what == kind::none);  // "Bearer\0" is no scheme of ours
  CHECK(extract_bearer("Bearer abc\r\n").what == kind::malformed);
}

TEST_CASE("bearer: every b64token character and trailing padding") {
  auto ok = extract_bearer("Bearer AZaz09-._~+/==");
  CHECK(ok.what == kind::token);
  CHECK(ok.token == "AZaz09-._~+/==");
  CHECK(extract_bearer("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln").what == kind::token);
}

TEST_CASE("bearer challenge: realm, error, description, scope, and quoted-string bytes replaced") {
  CHECK(www_authenticate_bearer("posts", {}) == R"(Bearer realm="posts")");
  // No error: no description either (RFC 6750 §3.1, no credentials were sent).
  CHECK(www_authenticate_bearer("oauth", {.error = {}, .description = "x", .scope = {}}) == R"(Bearer realm="oauth")");
  CHECK(www_authenticate_bearer("posts", {.error = "insufficient_scope", .description = "needs it", .scope = "read-posts"}) ==
        R"(Bearer realm="posts", error="insufficient_scope", error_description="needs it", scope="read-posts")");
  CHECK(www_authenticate_bearer("posts", {.error = "invalid_token", .description = "a\"b\\c\nd\0e\x7f"s, .scope = {}}) ==
        R"(Bearer realm="posts", error="invalid_token", error_description="a b c d e ")");
  auto res = bearer_error_response(status::unauthorized, "invalid_token", "expired", "posts",
                                   {.error = "invalid_token", .description = "expired", .scope = {}});
  CHECK(res.result_int() == 401);
  CHECK(res[field::www_authenticate] == R"(Bearer realm="posts", error="invalid_token", error_description="expired")");
  CHECK(res[field::cache_control] == "no-store");
  CHECK(res.body().find(R"("error":"invalid_token")") != std::string::npos);
}

TEST_CASE("iequals: ASCII case folding only") {
  CHECK(iequals("Bearer", "bEARER"));
  CHECK(iequals("", ""));
  CHECK_FALSE(iequals("Bearer", "Bearer "));
  CHECK_FALSE(iequals("a", "b"));
  CHECK_FALSE(iequals("[", "{"));  // 0x5B and 0x7B differ by 0x20 but are not letters
  CHECK_FALSE(iequals("\xc3\x89", "\xc3\xa9"));  // É / é: no Unicode folding
  static_assert(iequals("MAX-AGE", "max-age"));
}
