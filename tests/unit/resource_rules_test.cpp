// The pure rules of the resource service: scopes, bearer credentials and challenges, cursor,
// post validation, list query and id parsing, CORS decisions, JWKS cache timing, config.
#include "common/encoding.hpp"
#include "common/http/client.hpp"
#include "resource-service/bearer_challenge.hpp"
#include "resource-service/config.hpp"
#include "resource-service/cors.hpp"
#include "resource-service/cursor.hpp"
#include "resource-service/key_refresh.hpp"
#include "resource-service/post.hpp"
#include "resource-service/scopes.hpp"
#include "tests/support/env.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <map>

using namespace oauth;
using namespace oauth::resource;
using namespace std::chrono_literals;

TEST_CASE("scope rules: all of, any of, admin implies read and write") {
  auto read = scope_rule::all_of({"read-posts"});
  auto both = scope_rule::all_of({"read-posts", "write-posts"});
  auto either = scope_rule::any_of({"read-posts", "write-posts"});
  auto admin = scope_rule::all_of({"admin"});

  CHECK(satisfies(read, split_scope("read-posts")));
  CHECK_FALSE(satisfies(read, split_scope("write-posts")));
  CHECK_FALSE(satisfies(read, split_scope("")));
  CHECK_FALSE(satisfies(read, split_scope("read-posts-extra read")));
  CHECK(satisfies(both, split_scope("write-posts read-posts")));
  CHECK_FALSE(satisfies(both, split_scope("read-posts")));
  CHECK(satisfies(either, split_scope("write-posts")));
  CHECK_FALSE(satisfies(either, split_scope("other")));

  CHECK(satisfies(read, split_scope("admin")));
  CHECK(satisfies(both, split_scope("admin")));
  CHECK(satisfies(scope_rule::all_of({"write-posts"}), split_scope("admin")));
  CHECK(satisfies(admin, split_scope("admin")));
  CHECK_FALSE(satisfies(admin, split_scope("read-posts write-posts")));
  // admin implies only the posts scopes.
  CHECK_FALSE(satisfies(scope_rule::all_of({"billing"}), split_scope("admin")));
  // Case-sensitive (RFC 6749 §3.3).
  CHECK_FALSE(satisfies(read, split_scope("READ-POSTS")));

  CHECK(split_scope("  a  b ").size() == 2);
  CHECK(both.challenge() == "read-posts write-posts");
  CHECK_THROWS_AS(scope_rule::any_of({}), std::logic_error);
}

TEST_CASE("Authorization: Bearer parsing (RFC 6750 §2.1)") {
  using k = bearer_credentials::kind;
  CHECK(extract_bearer("").what == k::none);
  CHECK(extract_bearer("Basic dXNlcjpwYXNz").what == k::none);
  CHECK(extract_bearer("Bearerabc").what == k::none);
  auto ok = extract_bearer("Bearer abc.DEF-_~+/.x==");
  CHECK(ok.what == k::token);
  CHECK(ok.token == "abc.DEF-_~+/.x==");
  CHECK(extract_bearer("bearer abc").what == k::token);
  CHECK(extract_bearer("BEARER   abc").token == "abc");
  CHECK(extract_bearer("Bearer").what == k::malformed);
  CHECK(extract_bearer("Bearer ").what == k::malformed);
  CHECK(extract_bearer("Bearer a b").what == k::malformed);
  CHECK(extract_bearer("Bearer a=b").what == k::malformed);
  CHECK(extract_bearer("Bearer \"abc\"").what == k::malformed);
  CHECK(extract_bearer("Bearer ab\x01").what == k::malformed);
  CHECK(extract_bearer("Bearer =").what == k::malformed);
}

TEST_CASE("WWW-Authenticate values, exactly as the contract") {
  CHECK(www_authenticate({}) == "Bearer realm=\"posts\"");
  CHECK(www_authenticate({.error = "invalid_token", .description = "token expired", .scope = {}}) ==
        "Bearer realm=\"posts\", error=\"invalid_token\", error_description=\"token expired\"");
  CHECK(www_authenticate({.error = "insufficient_scope", .description = "needs read-posts", .scope = "read-posts"}) ==
        "Bearer realm=\"posts\", error=\"insufficient_scope\", error_description=\"needs read-posts\", scope=\"read-posts\"");
  // Characters a quoted value may not hold are replaced.
  CHECK(www_authenticate({.error = "invalid_token", .description = "a\"b\\c\nd", .scope = {}}) ==
        "Bearer realm=\"posts\", error=\"invalid_token\", error_description=\"a b c d\"");
}

TEST_CASE("bearer error responses: status, header and JSON body") {
  auto missing = missing_token_response();
  CHECK(missing.result() == http::status::unauthorized);
  CHECK(missing[http::field::www_authenticate] == "Bearer realm=\"posts\"");
  auto body = boost::json::parse(missing.body()).as_object();
  CHECK(body.contains("error"));
  CHECK(body.contains("error_description"));

  auto invalid = invalid_token_response("token expired");
  CHECK(invalid.result() == http::status::unauthorized);
  CHECK(invalid[http::field::www_authenticate] ==
        "Bearer realm=\"posts\", error=\"invalid_token\", error_description=\"token expired\"");
  CHECK(boost::json::parse(invalid.body()).at("error") == "invalid_token");

  auto scope = insufficient_scope_response(scope_rule::all_of({"admin"}));
  CHECK(scope.result() == http::status::forbidden);
  CHECK(std::string(scope[http::field::www_authenticate]).find("error=\"insufficient_scope\"") != std::string::npos);
  CHECK(std::string(scope[http::field::www_authenticate]).ends_with("scope=\"admin\""));
  CHECK(boost::json::parse(scope.body()).at("error") == "insufficient_scope");

  auto down = keys_unavailable_response();
  CHECK(down.result() == http::status::service_unavailable);
  CHECK(down[http::field::retry_after] == "1");
}

TEST_CASE("cursor: round trip and strict decoding") {
  post_cursor c{1764179431123456, 42};
  auto text = encode_cursor(c);
  CHECK(text.size() == 23);
  CHECK(decode_cursor(text) == c);
  CHECK(decode_cursor(encode_cursor({0, 1})) == post_cursor{0, 1});
  CHECK(decode_cursor(encode_cursor({253402300799999999, INT64_MAX})).has_value());

  CHECK_FALSE(decode_cursor(""));
  CHECK_FALSE(decode_cursor("abc"));
  CHECK_FALSE(decode_cursor(text + "A"));
  CHECK_FALSE(decode_cursor(text.substr(1)));
  CHECK_FALSE(decode_cursor(text + "="));
  std::string bad = text;
  bad[5] = '+';  // not base64url
  CHECK_FALSE(decode_cursor(bad));
  // The last character carries 4 unused bits that must be zero (canonical form only).
  std::string noncanonical = text;
  noncanonical.back() = noncanonical.back() == 'A' ? 'B' : static_cast<char>(noncanonical.back() + 1);
  CHECK_FALSE(decode_cursor(noncanonical));
  CHECK_FALSE(decode_cursor(encode_cursor({-1, 5})));
  CHECK_FALSE(decode_cursor(encode_cursor({253402300800000000, 5})));
  CHECK_FALSE(decode_cursor(encode_cursor({100, 0})));
  CHECK_FALSE(decode_cursor(encode_cursor({100, -7})));
  std::string v2 = std::string("\x02") + std::string(16, '\x01');
  CHECK_FALSE(decode_cursor(base64url_encode(v2)));
}

namespace {
field_errors errors_of(std::string_view body) {
  auto r = parse_new_post("application/json", body);
  REQUIRE(std::holds_alternative<field_errors>(r));
  return std::get<field_errors>(r);
}
} // namespace

TEST_CASE("post validation: accepted posts") {
  auto r = parse_new_post("application/json; charset=utf-8", R"({"title":"Hello","body":"World","extra":1})");
  REQUIRE(std::holds_alternative<new_post>(r));
  CHECK(std::get<new_post>(r).title == "Hello");
  CHECK(std::get<new_post>(r).body == "World");
  // 200 characters of 4-byte UTF-8 are 200 characters.
  std::string emoji;
  for (int i = 0; i < 200; ++i) emoji += "\xF0\x9F\x98\x80";
  CHECK(std::holds_alternative<new_post>(parse_new_post("", R"({"title":")" + emoji + R"(","body":""})")));
  // Exactly 65,536 bytes of body.
  CHECK(std::holds_alternative<new_post>(
      parse_new_post("application/json", R"({"title":"t","body":")" + std::string(65536, 'b') + "\"}")));
  // JSON escapes count decoded: \u00e9 is two bytes of UTF-8.
  std::string escaped;
  for (int i = 0; i < 32768; ++i) escaped += "\\u00e9";
  CHECK(std::holds_alternative<new_post>(parse_new_post("application/json", R"({"title":"t","body":")" + escaped + "\"}")));
  CHECK(std::holds_alternative<new_post>(parse_new_post("application/vnd.api+json", R"({"title":"t","body":"b"})")));
}

TEST_CASE("post validation: 422 per field") {
  auto e = errors_of("{}");
  CHECK(e.at("title").front() == "The title field is required.");
  CHECK(e.at("body").front() == "The body field is required.");
  e = errors_of(R"({"title":null,"body":null})");
  CHECK(e.size() == 2);
  e = errors_of(R"({"title":5,"body":["x"]})");
  CHECK(e.at("title").front() == "The title field must be a string.");
  CHECK(e.at("body").front() == "The body field must be a string.");
  e = errors_of(R"({"title":"","body":"x"})");
  CHECK(e.count("title") == 1);
  CHECK(e.count("body") == 0);
  e = errors_of(R"({"title":"   ","body":"x"})");
  CHECK(e.count("title") == 1);
  e = errors_of(R"({"title":")" + std::string(201, 'a') + R"(","body":"x"})");
  CHECK(e.at("title").front().find("200") != std::string::npos);
  e = errors_of(R"({"title":"t","body":")" + std::string(65537, 'b') + "\"}");
  CHECK(e.at("body").front().find("65536") != std::string::npos);
  // 32,769 two-byte characters: 65,538 bytes.
  std::string wide;
  for (int i = 0; i < 32769; ++i) wide += "\xC3\xA9";
  e = errors_of(R"({"title":"t","body":")" + wide + "\"}");
  CHECK(e.count("body") == 1);
  // Raw invalid UTF-8 inside a string: a field error, not a syntax error.
  e = errors_of("{\"title\":\"ok\xff\",\"body\":\"\xc0\xaf\"}");
  CHECK(e.at("title").front() == "The title field must be valid UTF-8.");
  CHECK(e.at("body").front() == "The body field must be valid UTF-8.");

  auto json = boost::json::serialize(errors_body(errors_of("{}")));
  CHECK(json.find(R"("errors":{"body":["The body field is required."],"title":["The title field is required."]})") !=
        std::string::npos);
}

TEST_CASE("post validation: a NUL character is a field error, never a truncation") {
  auto e = errors_of(R"({"title":"t","body":"abc\u0000secret"})");
  CHECK(e.at("body").front() == "The body field must not contain NUL characters.");
  CHECK(e.count("title") == 0);
  e = errors_of(R"({"title":"\u0000x","body":"b"})");
  CHECK(e.at("title").front() == "The title field must not contain NUL characters.");
  e = errors_of(R"({"title":"\u0000","body":"\u0000"})");
  CHECK(e.size() == 2);
}

TEST_CASE("post validation: malformed requests") {
  auto status_of = [](std::string_view ct, std::string_view body) {
    auto r = parse_new_post(ct, body);
    REQUIRE(std::holds_alternative<request_error>(r));
    return std::get<request_error>(r).status;
  };
  CHECK(status_of("application/json", "") == http::status::bad_request);
  CHECK(status_of("application/json", "{") == http::status::bad_request);
  CHECK(status_of("application/json", R"({"title":"a",})") == http::status::bad_request);
  CHECK(status_of("application/json", R"(["title"])") == http::status::bad_request);
  CHECK(status_of("application/json", R"("x")") == http::status::bad_request);
  CHECK(status_of("application/json", std::string(100, '[') + std::string(100, ']')) == http::status::bad_request);
  CHECK(status_of("text/plain", R"({"title":"a","body":"b"})") == http::status::unsupported_media_type);
  CHECK(status_of("application/x-www-form-urlencoded", "title=a&body=b") == http::status::unsupported_media_type);
}

TEST_CASE("list query: limit and cursor") {
  auto ok = [](std::string_view q) {
    auto r = parse_list_query(q);
    REQUIRE(std::holds_alternative<list_query>(r));
    return std::get<list_query>(r);
  };
  auto bad = [](std::string_view q) { return std::holds_alternative<std::string>(parse_list_query(q)); };
  CHECK(ok("").limit == 20);
  CHECK_FALSE(ok("").cursor);
  CHECK(ok("limit=1").limit == 1);
  CHECK(ok("limit=100").limit == 100);
  CHECK(ok("limit=5&cursor=abc&other=x").cursor == "abc");
  CHECK(bad("limit=0"));
  CHECK(bad("limit=101"));
  CHECK(bad("limit=-1"));
  CHECK(bad("limit=+5"));
  CHECK(bad("limit=1.5"));
  CHECK(bad("limit=abc"));
  CHECK(bad("limit="));
  CHECK(bad("limit=99999999999999999999"));
  CHECK(bad("limit=5&limit=6"));
  CHECK(bad("cursor="));
  CHECK(bad("cursor=a&cursor=b"));
  CHECK(bad("limit=%zz"));
}

TEST_CASE("post ids: plain positive decimals only") {
  CHECK(parse_post_id("1") == 1);
  CHECK(parse_post_id("9223372036854775807") == INT64_MAX);
  CHECK_FALSE(parse_post_id("9223372036854775808"));
  CHECK_FALSE(parse_post_id(""));
  CHECK_FALSE(parse_post_id("0"));
  CHECK_FALSE(parse_post_id("01"));
  CHECK_FALSE(parse_post_id("-1"));
  CHECK_FALSE(parse_post_id("+1"));
  CHECK_FALSE(parse_post_id("1a"));
  CHECK_FALSE(parse_post_id("abc"));
  CHECK_FALSE(parse_post_id("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
}

TEST_CASE("post JSON and RFC 3339 times") {
  CHECK(format_rfc3339_micros(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(format_rfc3339_micros(1764179431123456) == "2025-11-26T17:50:31.123456Z");
  post p{7, "T", "B", "user-1", "client-1", 1764179431000001, 1764179431000002};
  auto o = to_json(p);
  CHECK(boost::json::serialize(o) ==
        R"({"id":7,"title":"T","body":"B","author":{"sub":"user-1","client_id":"client-1"},)"
        R"("created_at":"2025-11-26T17:50:31.000001Z","updated_at":"2025-11-26T17:50:31.000002Z"})");
}

TEST_CASE("CORS decisions") {
  cors_policy cors({"http://localhost:8081", "https://app.example"});
  CHECK(cors.allows("http://localhost:8081"));
  CHECK_FALSE(cors.allows("http://localhost:8082"));
  CHECK_FALSE(cors.allows("http://LOCALHOST:8081"));
  CHECK_FALSE(cors.allows("http://localhost:8081/"));
  CHECK_FALSE(cors.allows("null"));
  CHECK_FALSE(cors.allows(""));

  auto pre = cors.preflight("http://localhost:8081", "POST", "GET, POST");
  CHECK(pre.result() == http::status::no_content);
  CHECK(pre[http::field::access_control_allow_origin] == "http://localhost:8081");
  CHECK(pre[http::field::access_control_allow_methods] == "GET, POST");
  CHECK(pre[http::field::access_control_allow_headers] == "Authorization, Content-Type");
  CHECK(pre[http::field::access_control_max_age] == "600");
  CHECK(pre[http::field::vary] == "Origin");

  auto foreign = cors.preflight("http://evil.example", "POST", "GET, POST");
  CHECK(foreign.find(http::field::access_control_allow_origin) == foreign.end());
  CHECK(foreign.find(http::field::access_control_allow_methods) == foreign.end());
  auto wrong_method = cors.preflight("http://localhost:8081", "DELETE", "GET, POST");
  CHECK(wrong_method.find(http::field::access_control_allow_origin) == wrong_method.end());
  auto plain = cors.preflight("", "", "GET, POST");
  CHECK(plain[http::field::allow] == "OPTIONS, GET, POST");
  CHECK(plain.find(http::field::access_control_allow_origin) == plain.end());

  http::response res{http::status::ok, 11};
  cors.decorate(res, "https://app.example");
  CHECK(res[http::field::access_control_allow_origin] == "https://app.example");
  CHECK(res[http::field::vary] == "Origin");
  http::response other{http::status::ok, 11};
  cors.decorate(other, "https://evil.example");
  CHECK(other.find(http::field::access_control_allow_origin) == other.end());
  CHECK(other.find(http::field::access_control_expose_headers) == other.end());
}

TEST_CASE("JWKS cache timing: max-age, bounds, backoff, unknown-kid limiter") {
  CHECK(parse_max_age("max-age=600") == 600s);
  CHECK(parse_max_age("public, Max-Age=\"120\", must-revalidate") == 120s);
  CHECK(parse_max_age("no-store") == 0s);
  CHECK(parse_max_age("max-age=60, no-cache") == 0s);
  CHECK_FALSE(parse_max_age("public"));
  CHECK_FALSE(parse_max_age("max-age=abc"));
  CHECK_FALSE(parse_max_age("max-age=-5"));
  CHECK_FALSE(parse_max_age(""));

  refresh_bounds b;
  CHECK(refresh_interval(600s, b) == 600s);
  CHECK(refresh_interval(5s, b) == 60s);
  CHECK(refresh_interval(0s, b) == 60s);
  CHECK(refresh_interval(86400s, b) == 3600s);
  CHECK(refresh_interval(std::nullopt, b) == 300s);

  CHECK(retry_delay(0, 250ms, 30s) == 250ms);
  CHECK(retry_delay(3, 250ms, 30s) == 2000ms);
  CHECK(retry_delay(40, 250ms, 30s) == 30s);

  refetch_limiter limiter(10s);
  auto t0 = std::chrono::steady_clock::time_point(std::chrono::hours(1000));
  CHECK(limiter.try_acquire(t0));
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += limiter.try_acquire(t0 + std::chrono::milliseconds(i * 9)) ? 1 : 0;
  CHECK(admitted == 0);
  CHECK(limiter.try_acquire(t0 + 10s));
  CHECK_FALSE(limiter.try_acquire(t0 + 11s));
}

TEST_CASE("configuration: defaults and one-line errors naming the variable") {
  auto load = [](std::map<std::string, std::string> vars) {
    return load_resource_config(oauth::test::env_of(std::move(vars)));
  };
  auto c = load({});
  CHECK(c.service.listen.port == 8082);
  CHECK(c.service.listen.host == "0.0.0.0");
  CHECK(c.jwks_url.host == "127.0.0.1");
  CHECK(c.jwks_url.port == 8081);
  CHECK(c.jwks_url.target == "/.well-known/jwks.json");
  CHECK(c.clock_skew == 30s);
  CHECK(c.cors_allowed_origins == std::vector<std::string>{"http://localhost:8081"});
  CHECK_FALSE(c.public_key_file);

  auto c2 = load({{"AUTH_ISSUER", "https://Auth.Example.com/base"}, {"CLOCK_SKEW", "5"}});
  CHECK(c2.cors_allowed_origins == std::vector<std::string>{"https://auth.example.com"});
  CHECK(c2.clock_skew == 5s);
  auto c3 = load({{"CORS_ALLOWED_ORIGINS", "http://a.example:3000, https://b.example"}});
  CHECK(c3.cors_allowed_origins.size() == 2);

  auto message = [&](std::map<std::string, std::string> vars) {
    try {
      load(std::move(vars));
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message({{"CLOCK_SKEW", "abc"}}).starts_with("CLOCK_SKEW"));
  CHECK(message({{"AUTH_JWKS_URL", "ftp://x/jwks"}}).starts_with("AUTH_JWKS_URL"));
  CHECK(message({{"AUTH_JWKS_URL", "https://auth/jwks"}}).starts_with("AUTH_JWKS_URL"));
  CHECK(message({{"AUTH_PUBLIC_KEY_FILE", "/nonexistent/key.pem"}}).starts_with("AUTH_PUBLIC_KEY_FILE"));
  CHECK(message({{"AUTH_PUBLIC_KEY_FILE", "/etc/hostname"}}).starts_with("AUTH_PUBLIC_KEY_FILE"));
  CHECK(message({{"CORS_ALLOWED_ORIGINS", "http://a.example/"}}).starts_with("CORS_ALLOWED_ORIGINS"));
  CHECK(message({{"CORS_ALLOWED_ORIGINS", "*"}}).starts_with("CORS_ALLOWED_ORIGINS"));
  CHECK(message({{"LISTEN_ADDR", "nope"}}).starts_with("LISTEN_ADDR"));
  for (auto* var : {"CLOCK_SKEW", "AUTH_JWKS_URL", "CORS_ALLOWED_ORIGINS"}) CHECK(message({{var, "%%%"}}).find('\n') == std::string::npos);
}

TEST_CASE("http client URLs") {
  auto u = http::parse_http_url("http://127.0.0.1:8081/.well-known/jwks.json");
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8081);
  CHECK(u->target == "/.well-known/jwks.json");
  CHECK(u->host_header == "127.0.0.1:8081");
  auto v6 = http::parse_http_url("http://[::1]:9000?x=1");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->target == "/?x=1");
  CHECK(http::parse_http_url("HTTP://auth")->port == 80);
  CHECK_FALSE(http::parse_http_url("https://auth/"));
  CHECK_FALSE(http::parse_http_url("http://"));
  CHECK_FALSE(http::parse_http_url("http://user@auth/"));
  CHECK_FALSE(http::parse_http_url("http://auth:0/"));
  CHECK_FALSE(http::parse_http_url("http://auth:70000/"));
  CHECK_FALSE(http::parse_http_url("http://auth:/"));
  CHECK_FALSE(http::parse_http_url("http://auth/a b"));
  CHECK_FALSE(http::parse_http_url("http://auth/#frag"));
}
