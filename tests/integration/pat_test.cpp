// Personal access tokens end to end: create, list, use at the resource service, delete (refused
// everywhere within a second), scope rules, client-credentials tokens, validation, purge.
#include "auth-service/storage/purge.hpp"
#include "tests/integration/revocation_support.hpp"

using namespace oauth;
using namespace oauth::test::revoke;

namespace {

reply pat(std::uint16_t port, verb method, const std::string& target, const std::string& bearer,
          const std::string& body = {}) {
  return request(port, method, target, body, "application/json", bearer.empty() ? "" : "Bearer " + bearer);
}
reply create(std::uint16_t port, const std::string& bearer, const std::string& body) {
  return pat(port, verb::post, "/oauth/personal-access-tokens", bearer, body);
}

} // namespace

TEST_CASE("personal access tokens: create, list, use, delete, refused within 1 s") {
  admin a;
  auto pac = personal_access_client(a);
  server s;
  auto web = a.first_party_client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto other_email = a.user(test_password_hash());
  resource_server rs(s.port());
  rs.wait_ready();
  auto me = login(s.port(), web, email);
  auto them = login(s.port(), web, other_email);

  auto made = create(s.port(), me.access, R"({"name":"cli","scopes":["read-posts"]})");
  REQUIRE_MESSAGE(made.status == 201, made.raw.body());
  CHECK(made.header(field::cache_control) == "no-store");
  auto id = made.str("id");
  auto pat_token = made.str("token");
  CHECK(made.str("name") == "cli");
  CHECK(made.json.at("scopes") == boost::json::array{"read-posts"});
  CHECK_FALSE(made.str("created_at").empty());
  CHECK_FALSE(made.str("expires_at").empty());
  // The token: jti = id, client = the personal access client, one year, the user as sub.
  auto v = jwt::verify(pat_token, s.app->keys().current()->store.public_keys(),
                       {.issuer = issuer, .audience = "posts-api", .allowed_algorithms = {jwt::algorithm::rs256}});
  REQUIRE(v.has_value());
  CHECK(v->jti() == id);
  CHECK(v->client_id() == pac);
  CHECK(v->scope() == "read-posts");
  CHECK(v->exp() - v->iat() == 31536000);
  auto my_sub = std::string(v->sub());
  CHECK(my_sub != pac);

  // Listed for its owner only, never with the token string.
  auto list = pat(s.port(), verb::get, "/oauth/personal-access-tokens", me.access);
  REQUIRE(list.status == 200);
  const auto& data = list.json.at("data").as_array();
  REQUIRE(data.size() == 1);
  CHECK(data[0].at("id").as_string() == id);
  CHECK(data[0].at("name").as_string() == "cli");
  CHECK_FALSE(data[0].as_object().contains("token"));
  CHECK(list.raw.body().find(pat_token) == std::string::npos);
  CHECK(pat(s.port(), verb::get, "/oauth/personal-access-tokens", them.access).json.at("data").as_array().empty());

  // Used at the resource service; its scope is what it was given.
  CHECK(api(rs.port(), pat_token).status == 200);
  auto write = request(rs.port(), verb::post, "/api/posts", R"({"title":"t","body":"b"})", "application/json",
                       "Bearer " + pat_token);
  CHECK(write.status == 403);

  // Someone else's and unknown ids: the same 404.
  CHECK(pat(s.port(), verb::delete_, "/oauth/personal-access-tokens/" + id, them.access).status == 404);
  CHECK(pat(s.port(), verb::delete_, "/oauth/personal-access-tokens/" + random_uuid(), me.access).status == 404);
  CHECK(pat(s.port(), verb::delete_, "/oauth/personal-access-tokens/not-a-uuid", me.access).status == 404);
  CHECK(api(rs.port(), pat_token).status == 200);

  auto del = pat(s.port(), verb::delete_, "/oauth/personal-access-tokens/" + id, me.access);
  CHECK(del.status == 204);
  CHECK(time_until_refused(rs.port(), pat_token) < 1000ms);
  check_refused_as_revoked(rs.port(), pat_token);
  CHECK(pat(s.port(), verb::get, "/oauth/personal-access-tokens", me.access).json.at("data").as_array().empty());
  // The auth service refuses it too (same revocation data), and DELETE is idempotent.
  CHECK(pat(s.port(), verb::get, "/oauth/personal-access-tokens", pat_token).status == 401);
  CHECK(pat(s.port(), verb::delete_, "/oauth/personal-access-tokens/" + id, me.access).status == 204);

  // A PAT is a user token: it can list (and mint within its own scopes).
  auto second = create(s.port(), me.access, R"({"name":"ci","scopes":["*"]})");
  REQUIRE(second.status == 201);
  CHECK(second.json.at("scopes") == boost::json::array{"read-posts", "write-posts"});
  CHECK(pat(s.port(), verb::get, "/oauth/personal-access-tokens", second.str("token")).status == 200);
  // A replica started later still refuses the deleted one.
  resource_server later(s.port());
  later.wait_ready();
  check_refused_as_revoked(later.port(), pat_token);
  CHECK(api(later.port(), second.str("token")).status == 200);
}

TEST_CASE("personal access tokens: scope escalation, client-credentials tokens, validation, bearer errors") {
  admin a;
  personal_access_client(a);
  server s;
  auto web = a.first_party_client({"password", "refresh_token"});
  auto m2m = a.client({"client_credentials"});
  auto email = a.user(test_password_hash(), {"read-posts", "write-posts", "admin"});
  auto reader = login(s.port(), web, email, "read-posts");

  auto escalate = create(s.port(), reader.access, R"({"name":"x","scopes":["write-posts"]})");
  CHECK(escalate.status == 403);
  CHECK(escalate.error() == "insufficient_scope");
  CHECK(create(s.port(), reader.access, R"({"name":"x","scopes":["admin"]})").status == 403);
  CHECK(create(s.port(), reader.access, R"({"name":"x","scopes":["nope"]})").error() == "invalid_scope");
  auto star = create(s.port(), reader.access, R"({"name":"x","scopes":["*"]})");
  REQUIRE(star.status == 201);
  CHECK(star.json.at("scopes") == boost::json::array{"read-posts"});
  auto none = create(s.port(), reader.access, R"({"name":"x"})");
  REQUIRE(none.status == 201);
  CHECK(none.json.at("scopes").as_array().empty());
  auto admin_login = login(s.port(), web, email, "admin");
  CHECK(create(s.port(), admin_login.access, R"({"name":"x","scopes":["read-posts"]})").status == 201);

  // A client-credentials token has no user.
  auto cc = client_token(s.port(), m2m);
  auto refused = create(s.port(), cc, R"({"name":"x","scopes":[]})");
  CHECK(refused.status == 403);
  CHECK(pat(s.port(), verb::get, "/oauth/personal-access-tokens", cc).status == 403);

  // A user's token from an application that is not first-party cannot mint itself a PAT.
  auto third_party = a.client({"password", "refresh_token"});
  auto theirs = login(s.port(), third_party, email, "read-posts");
  auto not_ours = create(s.port(), theirs.access, R"({"name":"x","scopes":["read-posts"]})");
  CHECK(not_ours.status == 403);
  CHECK(not_ours.error() == "access_denied");
  CHECK(not_ours.header(http_::field::www_authenticate).find("error=\"insufficient_scope\"") != std::string::npos);

  // Validation.
  auto blank = create(s.port(), reader.access, R"({"name":"  "})");
  CHECK(blank.status == 422);
  CHECK(blank.json.at("errors").as_object().contains("name"));
  CHECK(create(s.port(), reader.access, R"({"name":")" + std::string(192, 'n') + "\"}").status == 422);
  CHECK(create(s.port(), reader.access, "{").status == 400);
  // A NUL in the name or a scope: 422 naming the field (never stored cut short, never a 500).
  auto nul_name = create(s.port(), reader.access, R"({"name":"cli\u0000x"})");
  CHECK(nul_name.status == 422);
  CHECK(nul_name.json.at("errors").as_object().contains("name"));
  auto nul_scope = create(s.port(), reader.access, R"({"name":"x","scopes":["read-posts\u0000admin"]})");
  CHECK(nul_scope.status == 422);
  CHECK(nul_scope.json.at("errors").as_object().contains("scopes"));
  CHECK(request(s.port(), verb::post, "/oauth/personal-access-tokens", "name=x", "application/x-www-form-urlencoded",
                "Bearer " + reader.access).status == 415);

  // Bearer errors (RFC 6750).
  auto missing = pat(s.port(), verb::get, "/oauth/personal-access-tokens", "");
  CHECK(missing.status == 401);
  CHECK(missing.header(field::www_authenticate).starts_with("Bearer"));
  CHECK(pat(s.port(), verb::get, "/oauth/personal-access-tokens", "garbage.token.here").error() == "invalid_token");
  CHECK(pat(s.port(), verb::get, "/oauth/personal-access-tokens", mint(s, -100, web.id, "someone")).status == 401);
  // A revoked calling token is refused at once by the auth service too.
  CHECK(revoke(s.port(), form_revoke(reader.access), basic(web.id, web.secret)).status == 200);
  CHECK(pat(s.port(), verb::get, "/oauth/personal-access-tokens", reader.access).status == 401);
}

TEST_CASE("purge (what authctl purge runs): expired personal access tokens go, revoked ones only once expired") {
  admin a;
  auto pac = personal_access_client(a);
  auto email = a.user(test_password_hash());
  auto uid = run(a.io, a.db.query("select id::text from users where email = $1", pg::args(email)));
  REQUIRE(uid.has_value());
  std::string user_id(uid->get(0, 0).value());
  auto insert = [&](const std::string& id, const std::string& created, const std::string& expires, bool revoked) {
    auto r = run(a.io, a.db.query("insert into personal_access_tokens (id, user_id, client_id, name, created_at, expires_at, "
                                  "revoked_at) values ($1::uuid, $2::uuid, $3::uuid, 'p', now() + $4::interval, "
                                  "now() + $5::interval, case when $6 then now() end)",
                                  pg::args(id, user_id, pac, created, expires, revoked)));
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
  };
  auto expired = random_uuid(), expired_revoked = random_uuid(), live_revoked = random_uuid(), live = random_uuid();
  insert(expired, "-2 days", "-1 day", false);
  insert(expired_revoked, "-2 days", "-1 second", true);
  insert(live_revoked, "-1 day", "1 day", true);
  insert(live, "-1 day", "1 day", false);
  auto counts = run(a.io, oauth::auth::purge(a.db, {std::chrono::seconds(31536000)}));
  REQUIRE(counts.has_value());
  bool reported = false;
  for (const auto& c : *counts)
    if (c.what == "expired_personal_access_tokens") {
      reported = true;
      CHECK(c.removed >= 2);
    }
  CHECK(reported);
  auto left = [&](const std::string& id) {
    auto r = run(a.io, a.db.query("select 1 from personal_access_tokens where id = $1::uuid", pg::args(id)));
    REQUIRE(r.has_value());
    return !r->empty();
  };
  CHECK_FALSE(left(expired));
  CHECK_FALSE(left(expired_revoked));
  CHECK(left(live_revoked));
  CHECK(left(live));
}
