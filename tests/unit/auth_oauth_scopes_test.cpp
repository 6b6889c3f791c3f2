// Scope rules (RFC 6749 §3.3, CONTRACT.md "Scopes").
#include "auth-service/oauth/scopes.hpp"

#include <doctest/doctest.h>

using namespace oauth::auth;
using strings = std::vector<std::string>;

namespace {

strings granted(const std::variant<strings, token_error>& r) {
  REQUIRE_MESSAGE(std::holds_alternative<strings>(r), std::get<token_error>(r).description);
  return std::get<strings>(r);
}

bool is_invalid_scope(const std::variant<strings, token_error>& r) {
  return std::holds_alternative<token_error>(r) && std::get<token_error>(r).code == oauth_errc::invalid_scope;
}

} // namespace

TEST_CASE("scopes: the three defined scopes with their descriptions") {
  auto defs = defined_scopes();
  REQUIRE(defs.size() == 3);
  CHECK(defs[0].id == "read-posts");
  CHECK(defs[0].description == "Read posts data");
  CHECK(defs[1].id == "write-posts");
  CHECK(defs[1].description == "Create or update posts");
  CHECK(defs[2].id == "admin");
  CHECK(defs[2].description == "Full administrative access");
  CHECK(is_defined_scope("admin"));
  CHECK_FALSE(is_defined_scope("Admin"));
  CHECK_FALSE(is_defined_scope("*"));
}

TEST_CASE("scopes: strict RFC 6749 §3.3 syntax") {
  CHECK(parse_scope("")->empty());
  CHECK(*parse_scope("read-posts") == strings{"read-posts"});
  CHECK(*parse_scope("read-posts write-posts") == strings{"read-posts", "write-posts"});
  CHECK(*parse_scope("read-posts read-posts") == strings{"read-posts"});  // collapsed
  CHECK_FALSE(parse_scope(" read-posts"));
  CHECK_FALSE(parse_scope("read-posts "));
  CHECK_FALSE(parse_scope("read-posts  write-posts"));
  CHECK_FALSE(parse_scope("read-posts\twrite-posts"));
  CHECK_FALSE(parse_scope("a\"b"));   // %x22 excluded
  CHECK_FALSE(parse_scope("a\\b"));   // %x5C excluded
  CHECK_FALSE(parse_scope("r\xc3\xa9"));  // non-ASCII
  CHECK(is_scope_token("!#[]~"));
  CHECK(join_scopes({"a", "b"}) == "a b");
  CHECK(join_scopes({}) == "");
}

TEST_CASE("scopes: admin implies read-posts and write-posts at route checks") {
  strings admin{"admin"};
  CHECK(scope_grants(admin, "read-posts"));
  CHECK(scope_grants(admin, "write-posts"));
  CHECK(scope_grants(admin, "admin"));
  strings rw{"read-posts", "write-posts"};
  CHECK(scope_grants(rw, "read-posts"));
  CHECK_FALSE(scope_grants(rw, "admin"));
  CHECK_FALSE(scope_grants(strings{"read-posts"}, "write-posts"));
  CHECK_FALSE(scope_grants(strings{}, "read-posts"));
}

TEST_CASE("scopes: an absent or empty scope parameter grants no scopes (Passport's default)") {
  strings client_allowed{"read-posts"};
  CHECK(granted(resolve_scopes(std::nullopt, {})).empty());
  CHECK(granted(resolve_scopes("", {.allow_wildcard = false, .client_allowed = &client_allowed})).empty());
}

TEST_CASE("scopes: undefined, or not allowed for the client or the user → invalid_scope") {
  strings client_read{"read-posts"};
  strings user_rw{"read-posts", "write-posts"};
  CHECK(is_invalid_scope(resolve_scopes("delete-everything", {})));
  CHECK(is_invalid_scope(resolve_scopes("read-posts  admin", {})));
  CHECK(is_invalid_scope(resolve_scopes("write-posts", {.client_allowed = &client_read})));
  CHECK(is_invalid_scope(resolve_scopes("admin", {.user_allowed = &user_rw})));
  CHECK(granted(resolve_scopes("read-posts write-posts", {.user_allowed = &user_rw})) == strings{"read-posts", "write-posts"});
  // nullptr client allowance: any defined scope.
  CHECK(granted(resolve_scopes("admin", {})) == strings{"admin"});
  // An allowance of admin covers the scopes admin implies.
  strings client_admin{"admin"};
  CHECK(granted(resolve_scopes("read-posts", {.client_allowed = &client_admin})) == strings{"read-posts"});
}

TEST_CASE("scopes: * only for the password grant, alone, expanded to user ∩ client") {
  strings user_rw{"read-posts", "write-posts"};
  strings user_admin{"admin"};
  strings client_read{"read-posts"};
  CHECK(is_invalid_scope(resolve_scopes("*", {.allow_wildcard = false})));
  CHECK(is_invalid_scope(resolve_scopes("* read-posts", {.allow_wildcard = true, .user_allowed = &user_rw})));
  CHECK(granted(resolve_scopes("*", {.allow_wildcard = true, .user_allowed = &user_rw})) ==
        strings{"read-posts", "write-posts"});
  CHECK(granted(resolve_scopes("*", {.allow_wildcard = true, .client_allowed = &client_read, .user_allowed = &user_rw})) ==
        strings{"read-posts"});
  CHECK(granted(resolve_scopes("*", {.allow_wildcard = true, .user_allowed = &user_admin})) ==
        strings{"read-posts", "write-posts", "admin"});
  strings nothing;
  CHECK(granted(resolve_scopes("*", {.allow_wildcard = true, .user_allowed = &nothing})).empty());
}

TEST_CASE("scopes: a refresh may only narrow - absent keeps the original") {
  strings original{"read-posts", "write-posts"};
  CHECK(granted(narrow_scopes(std::nullopt, original)) == original);
  CHECK(granted(narrow_scopes("", original)) == original);
  CHECK(granted(narrow_scopes("read-posts", original)) == strings{"read-posts"});
  CHECK(is_invalid_scope(narrow_scopes("admin", original)));
  CHECK(is_invalid_scope(narrow_scopes("*", original)));
  CHECK(is_invalid_scope(narrow_scopes("nope", original)));
  CHECK(is_invalid_scope(narrow_scopes("read-posts ", original)));
  CHECK(granted(narrow_scopes("write-posts", strings{"admin"})) == strings{"write-posts"});
}
