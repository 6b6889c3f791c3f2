// The RFC 6749 §5.2 error table and the no-store headers.
#include "auth-service/oauth/errors.hpp"
#include "auth-service/oauth/grant.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

using namespace oauth;
using namespace oauth::auth;

TEST_CASE("errors: one table from code to status") {
  struct row {
    oauth_errc code;
    std::string_view name;
    unsigned status;
  };
  const row rows[] = {
      {oauth_errc::invalid_request, "invalid_request", 400},
      {oauth_errc::invalid_client, "invalid_client", 401},
      {oauth_errc::invalid_grant, "invalid_grant", 400},
      {oauth_errc::unauthorized_client, "unauthorized_client", 400},
      {oauth_errc::unsupported_grant_type, "unsupported_grant_type", 400},
      {oauth_errc::invalid_scope, "invalid_scope", 400},
      {oauth_errc::too_many_requests, "too_many_requests", 429},
      {oauth_errc::temporarily_unavailable, "temporarily_unavailable", 503},
      {oauth_errc::server_error, "server_error", 500},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    CHECK(error_info(r.code).name == r.name);
    CHECK(static_cast<unsigned>(error_info(r.code).status) == r.status);
    auto res = to_response(make_error(r.code, "why"));
    CHECK(res.result_int() == r.status);
    CHECK(res[http::field::cache_control] == "no-store");
    CHECK(res[http::field::pragma] == "no-cache");
    CHECK(res[http::field::content_type] == "application/json");
    auto body = boost::json::parse(res.body()).as_object();
    CHECK(body.at("error").as_string() == r.name);
    CHECK(body.at("error_description").as_string() == "why");
    CHECK((res.find(http::field::www_authenticate) != res.end()) == (r.code == oauth_errc::invalid_client));
  }
}

TEST_CASE("errors: invalid_client carries WWW-Authenticate Basic realm=\"oauth\"") {
  auto res = to_response(make_error(oauth_errc::invalid_client, "x"));
  CHECK(res[http::field::www_authenticate] == R"(Basic realm="oauth")");
}

TEST_CASE("errors: 429 and 503 carry Retry-After") {
  auto throttled = to_response(make_error(oauth_errc::too_many_requests, "x", std::chrono::seconds(42)));
  CHECK(throttled[http::field::retry_after] == "42");
  auto down = to_response(store_unavailable());
  CHECK(down.result_int() == 503);
  CHECK(down[http::field::retry_after] == "1");
  CHECK(boost::json::parse(down.body()).as_object().at("error").as_string() == "temporarily_unavailable");
  auto plain = to_response(make_error(oauth_errc::invalid_grant, "x"));
  CHECK(plain.find(http::field::retry_after) == plain.end());
}

TEST_CASE("errors: a success response is no-store too and has the RFC 6749 §5.1 shape") {
  token_response t{"aaa.bbb.ccc", 7200, std::string("refresh"), {"read-posts", "write-posts"}};
  auto res = to_response(t);
  CHECK(res.result_int() == 200);
  CHECK(res[http::field::cache_control] == "no-store");
  CHECK(res[http::field::pragma] == "no-cache");
  auto body = boost::json::parse(res.body()).as_object();
  CHECK(body.at("token_type").as_string() == "Bearer");
  CHECK(body.at("expires_in").as_int64() == 7200);
  CHECK(body.at("access_token").as_string() == "aaa.bbb.ccc");
  CHECK(body.at("refresh_token").as_string() == "refresh");
  CHECK(body.at("scope").as_string() == "read-posts write-posts");
  token_response no_refresh{"a.b.c", 60, std::nullopt, {}};
  auto b2 = boost::json::parse(to_response(no_refresh).body()).as_object();
  CHECK_FALSE(b2.contains("refresh_token"));
  CHECK(b2.at("scope").as_string() == "");
}
