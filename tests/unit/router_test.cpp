#include "common/http/router.hpp"
#include "common/http/responses.hpp"

#include <doctest/doctest.h>

using namespace oauth::http;

namespace {
asio::awaitable<response> ok(request_context&) { co_return empty_response(status::ok); }
} // namespace

TEST_CASE("literal and parameter routes match") {
  router r;
  r.add(verb::get, "/api/posts", ok);
  r.add(verb::post, "/api/posts", ok);
  r.add(verb::get, "/api/posts/{id}", ok);
  r.add(verb::delete_, "/api/posts/{id}", ok);

  auto list = r.match(verb::get, "/api/posts");
  REQUIRE(list.found != nullptr);
  CHECK(list.found->pattern == "/api/posts");
  CHECK(list.params.empty());

  auto one = r.match(verb::get, "/api/posts/42");
  REQUIRE(one.found != nullptr);
  CHECK(one.found->pattern == "/api/posts/{id}");
  REQUIRE(one.params.size() == 1);
  CHECK(one.params[0].first == "id");
  CHECK(one.params[0].second == "42");

  auto decoded = r.match(verb::delete_, "/api/posts/a%20b");
  REQUIRE(decoded.found != nullptr);
  CHECK(decoded.params[0].second == "a b");
}

TEST_CASE("unknown paths give no match and no allowed methods (404)") {
  router r;
  r.add(verb::get, "/api/posts/{id}", ok);
  for (auto path : {"/", "/api", "/api/posts", "/api/posts/", "/api/posts/1/2", "/API/posts/1"}) {
    auto m = r.match(verb::get, path);
    CHECK(m.found == nullptr);
    CHECK(m.allowed.empty());
  }
}

TEST_CASE("a known path with another method lists the allowed methods (405)") {
  router r;
  r.add(verb::get, "/api/posts/{id}", ok);
  r.add(verb::delete_, "/api/posts/{id}", ok);
  auto m = r.match(verb::put, "/api/posts/7");
  CHECK(m.found == nullptr);
  REQUIRE(m.allowed.size() == 2);
  CHECK(m.allowed[0] == verb::get);
  CHECK(m.allowed[1] == verb::delete_);
}

TEST_CASE("literal segments are not parameters and malformed escapes do not match") {
  router r;
  r.add(verb::get, "/oauth/scopes", ok);
  CHECK(r.match(verb::get, "/oauth/scopes").found != nullptr);
  CHECK(r.match(verb::get, "/oauth/scope").found == nullptr);
  r.add(verb::get, "/x/{id}", ok);
  CHECK(r.match(verb::get, "/x/%zz").found == nullptr);
}

TEST_CASE("registering the same route twice or a relative pattern is a programmer error") {
  router r;
  r.add(verb::get, "/a", ok);
  CHECK_THROWS_AS(r.add(verb::get, "/a", ok), std::logic_error);
  CHECK_THROWS_AS(r.add(verb::get, "a", ok), std::logic_error);
  CHECK_NOTHROW(r.add(verb::post, "/a", ok));
}

TEST_CASE("split_path") {
  CHECK(split_path("/a/b") == std::vector<std::string_view>{"a", "b"});
  CHECK(split_path("/") == std::vector<std::string_view>{""});
  CHECK(split_path("/a/") == std::vector<std::string_view>{"a", ""});
}
