// The token server over HTTP against real PostgreSQL and Redis: every grant and every error
// code of the contract, rotation, reuse, grace, concurrency, throttling, Redis outage, key
// rotation, bcrypt import, and the published documents.
#include "tests/integration/auth_token_support.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <latch>
#include <mutex>
#include <set>

using namespace oauth;
using namespace oauth::test::auth_server;
using verb = boost::beast::http::verb;
using field = boost::beast::http::field;

namespace {

} // namespace

TEST_CASE("client credentials: token over HTTP, claims verified against the published JWKS") {
  admin a;
  server s;
  auto c = a.client({"client_credentials"});
  auto r = token(s.port(), "grant_type=client_credentials&scope=read-posts", basic(c.id, c.secret));
  REQUIRE(r.status == 200);
  check_no_store(r);
  CHECK(r.str("token_type") == "Bearer");
  CHECK(r.json.at("expires_in").as_int64() == 7200);
  CHECK(r.str("scope") == "read-posts");
  CHECK_FALSE(r.json.as_object().contains("refresh_token"));
  auto v = verify(s.port(), r.str("access_token"));
  CHECK(v.sub() == c.id);
  CHECK(v.client_id() == c.id);
  CHECK(v.header.at("typ").as_string() == "at+jwt");
  // client_secret_post works too, and JSON bodies.
  auto post = token(s.port(), "grant_type=client_credentials&client_id=" + c.id + "&client_secret=" + url_encode(c.secret));
  CHECK(post.status == 200);
  auto json = request(s.port(), verb::post, "/oauth/token",
                      R"({"grant_type":"client_credentials","client_id":")" + c.id + R"(","client_secret":")" + c.secret + R"("})",
                      "application/json");
  CHECK(json.status == 200);
}

TEST_CASE("every error code of the contract over HTTP") {
  admin a;
  server s;
  auto m2m = a.client({"client_credentials"}, std::vector<std::string>{"read-posts"});
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto p = s.port();

  check_error(token(p, "scope=read-posts", basic(m2m.id, m2m.secret)), 400, "invalid_request");
  check_error(token(p, "grant_type=client_credentials&grant_type=client_credentials", basic(m2m.id, m2m.secret)), 400,
              "invalid_request");
  check_error(token(p, "grant_type=client_credentials&client_id=" + m2m.id + "&client_secret=x", basic(m2m.id, m2m.secret)),
              400, "invalid_request");

  auto bad = token(p, "grant_type=client_credentials", basic(m2m.id, "wrong"));
  check_error(bad, 401, "invalid_client");
  CHECK(bad.header(field::www_authenticate) == R"(Basic realm="oauth")");
  check_error(token(p, "grant_type=client_credentials"), 401, "invalid_client");
  check_error(token(p, "grant_type=client_credentials", basic("00000000-0000-0000-0000-000000000000", "x")), 401,
              "invalid_client");
  check_error(token(p, "grant_type=client_credentials", basic("not-a-uuid", "x")), 401, "invalid_client");

  check_error(token(p, password_form(email, "wrong"), basic(web.id, web.secret)), 400, "invalid_grant");
  check_error(token(p, "grant_type=refresh_token&refresh_token=nope", basic(web.id, web.secret)), 400, "invalid_grant");
  check_error(token(p, password_form(email, "correct horse battery"), basic(m2m.id, m2m.secret)), 400,
              "unauthorized_client");
  check_error(token(p, "grant_type=client_credentials", basic(web.id, web.secret)), 400, "unauthorized_client");
  check_error(token(p, "grant_type=implicit&code=x", basic(m2m.id, m2m.secret)), 400, "unsupported_grant_type");
  check_error(token(p, "grant_type=authorization_code&code=x", basic(m2m.id, m2m.secret)), 400, "unauthorized_client");
  check_error(token(p, "grant_type=client_credentials&scope=write-posts", basic(m2m.id, m2m.secret)), 400, "invalid_scope");
  check_error(token(p, "grant_type=client_credentials&scope=nope", basic(m2m.id, m2m.secret)), 400, "invalid_scope");
  check_error(token(p, "grant_type=client_credentials&scope=*", basic(m2m.id, m2m.secret)), 400, "invalid_scope");
  check_error(token(p, password_form(email, "correct horse battery", "admin"), basic(web.id, web.secret)), 400,
              "invalid_scope");
}

TEST_CASE("password grant: tokens, * expansion, e-mail case-insensitive") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash(), {"read-posts", "write-posts"});
  auto r = token(s.port(), password_form(email, "correct horse battery", "*"), basic(web.id, web.secret));
  REQUIRE(r.status == 200);
  check_no_store(r);
  CHECK(r.str("scope") == "read-posts write-posts");
  CHECK(r.str("refresh_token").size() == 43);
  auto v = verify(s.port(), r.str("access_token"));
  CHECK(v.client_id() == web.id);
  CHECK(v.scope() == "read-posts write-posts");
  CHECK(v.sub().size() == 36);
  std::string upper = email;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  CHECK(token(s.port(), password_form(upper, "correct horse battery"), basic(web.id, web.secret)).status == 200);
  // A public client may use the password grant with its client_id only.
  auto spa = a.client({"password"}, std::nullopt, false);
  auto pub = token(s.port(), password_form(email, "correct horse battery") + "&client_id=" + spa.id);
  CHECK(pub.status == 200);
  CHECK(pub.str("refresh_token").size() == 43);
}

TEST_CASE("refresh: rotation, reuse revokes the family, cross-client refused, scope narrows") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto other = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto login = token(s.port(), password_form(email, "correct horse battery", "read-posts write-posts"), basic(web.id, web.secret));
  REQUIRE(login.status == 200);
  auto r1 = login.str("refresh_token");

  // Another client cannot use it, and trying changes nothing.
  check_error(token(s.port(), "grant_type=refresh_token&refresh_token=" + r1, basic(other.id, other.secret)), 400,
              "invalid_grant");

  auto second = token(s.port(), "grant_type=refresh_token&refresh_token=" + r1 + "&scope=read-posts", basic(web.id, web.secret));
  REQUIRE(second.status == 200);
  check_no_store(second);
  auto r2 = second.str("refresh_token");
  CHECK(r2 != r1);
  CHECK(second.str("scope") == "read-posts");
  CHECK(verify(s.port(), second.str("access_token")).scope() == "read-posts");

  // The refresh token kept its original scopes: the next refresh without scope gets both back.
  auto third = token(s.port(), "grant_type=refresh_token&refresh_token=" + r2, basic(web.id, web.secret));
  REQUIRE(third.status == 200);
  CHECK(third.str("scope") == "read-posts write-posts");
  auto r3 = third.str("refresh_token");
  check_error(token(s.port(), "grant_type=refresh_token&refresh_token=" + r3 + "&scope=admin", basic(web.id, web.secret)),
              400, "invalid_scope");

  // Reuse of r1 (already rotated): invalid_grant, and the whole family dies (r3's successor too).
  auto login2 = token(s.port(), password_form(email, "correct horse battery"), basic(web.id, web.secret));
  auto f1 = login2.str("refresh_token");
  auto f2 = token(s.port(), "grant_type=refresh_token&refresh_token=" + f1, basic(web.id, web.secret)).str("refresh_token");
  REQUIRE_FALSE(f2.empty());
  check_error(token(s.port(), "grant_type=refresh_token&refresh_token=" + f1, basic(web.id, web.secret)), 400, "invalid_grant");
  check_error(token(s.port(), "grant_type=refresh_token&refresh_token=" + f2, basic(web.id, web.secret)), 400, "invalid_grant");
}

TEST_CASE("refresh: 20 concurrent refreshes of one token → exactly one 200 (grace 0)") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto rt = token(s.port(), password_form(email, "correct horse battery"), basic(web.id, web.secret)).str("refresh_token");
  REQUIRE_FALSE(rt.empty());
  std::atomic<int> ok{0}, invalid_grant{0}, other{0};
  std::latch start(20);
  std::vector<std::thread> clients;
  for (int i = 0; i < 20; ++i)
    clients.emplace_back([&] {
      start.arrive_and_wait();
      auto r = token(s.port(), "grant_type=refresh_token&refresh_token=" + rt, basic(web.id, web.secret));
      if (r.status == 200) ++ok;
      else if (r.status == 400 && r.error() == "invalid_grant") ++invalid_grant;
      else ++other;
    });
  for (auto& t : clients) t.join();
  CHECK(ok == 1);
  CHECK(invalid_grant == 19);
  CHECK(other == 0);
}

TEST_CASE("refresh: REFRESH_REUSE_GRACE replays the same successor, then reuse after the window") {
  admin a;
  // 2 s: the replay below is one request, so a busy machine still has over a second of slack.
  server s(std::map<std::string, std::string>{{"REFRESH_REUSE_GRACE", "2"}});
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto r1 = token(s.port(), password_form(email, "correct horse battery"), basic(web.id, web.secret)).str("refresh_token");
  auto first = token(s.port(), "grant_type=refresh_token&refresh_token=" + r1, basic(web.id, web.secret));
  REQUIRE(first.status == 200);
  auto replay = token(s.port(), "grant_type=refresh_token&refresh_token=" + r1, basic(web.id, web.secret));
  REQUIRE(replay.status == 200);
  CHECK(replay.str("refresh_token") == first.str("refresh_token"));
  CHECK(replay.str("access_token") != first.str("access_token"));
  std::this_thread::sleep_for(2500ms);
  check_error(token(s.port(), "grant_type=refresh_token&refresh_token=" + r1, basic(web.id, web.secret)), 400, "invalid_grant");
  check_error(token(s.port(), "grant_type=refresh_token&refresh_token=" + first.str("refresh_token"), basic(web.id, web.secret)),
              400, "invalid_grant");
}

TEST_CASE("refresh: REFRESH_REUSE_GRACE, many tabs at once: each gets the same successor and the family lives") {
  admin a;
  server s(std::map<std::string, std::string>{{"REFRESH_REUSE_GRACE", "30"}});
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto rt = token(s.port(), password_form(email, "correct horse battery"), basic(web.id, web.secret)).str("refresh_token");
  REQUIRE_FALSE(rt.empty());
  constexpr int tabs = 12;
  std::mutex m;
  std::vector<reply> replies;
  std::latch start(tabs);
  std::vector<std::thread> clients;
  for (int i = 0; i < tabs; ++i)
    clients.emplace_back([&] {
      start.arrive_and_wait();
      auto r = token(s.port(), "grant_type=refresh_token&refresh_token=" + rt, basic(web.id, web.secret));
      std::lock_guard lock(m);
      replies.push_back(std::move(r));
    });
  for (auto& t : clients) t.join();
  REQUIRE(replies.size() == tabs);
  std::set<std::string> successors, access_tokens;
  for (auto& r : replies) {
    CAPTURE(r.raw.body());
    CHECK(r.status == 200);
    successors.insert(r.str("refresh_token"));
    access_tokens.insert(r.str("access_token"));
  }
  CHECK(successors.size() == 1);           // one rotation, replayed to every tab
  CHECK(access_tokens.size() == tabs);     // each tab its own access token
  // The family is intact: the successor rotates normally.
  auto next = token(s.port(), "grant_type=refresh_token&refresh_token=" + *successors.begin(), basic(web.id, web.secret));
  CHECK(next.status == 200);
}

TEST_CASE("throttling: 429 with Retry-After after 5 failures, even with the right password") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  for (int i = 0; i < 5; ++i)
    check_error(token(s.port(), password_form(email, "wrong"), basic(web.id, web.secret)), 400, "invalid_grant");
  auto throttled = token(s.port(), password_form(email, "correct horse battery"), basic(web.id, web.secret));
  check_error(throttled, 429, "too_many_requests");
  auto retry = std::stoi(throttled.header(field::retry_after));
  CHECK(retry >= 1);
  CHECK(retry <= 60);
  // Another user from the same address is not affected.
  auto email2 = a.user(test_password_hash());
  CHECK(token(s.port(), password_form(email2, "correct horse battery"), basic(web.id, web.secret)).status == 200);
}

TEST_CASE("bcrypt import: a Laravel $2y$ hash logs in and is rehashed to Argon2id") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user("$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi");
  auto r = token(s.port(), password_form(email, "password"), basic(web.id, web.secret));
  CHECK(r.status == 200);
  auto stored = a.password_hash_of(email);
  CHECK(stored.starts_with("$argon2id$"));
  CHECK(token(s.port(), password_form(email, "password"), basic(web.id, web.secret)).status == 200);
}

TEST_CASE("revoked client: refused within the client cache TTL") {
  admin a;
  server s;
  auto c = a.client({"client_credentials"});
  CHECK(token(s.port(), "grant_type=client_credentials", basic(c.id, c.secret)).status == 200);
  REQUIRE(a.revoke(c.id));
  std::this_thread::sleep_for(400ms);  // tuning.client_cache_ttl = 300 ms
  check_error(token(s.port(), "grant_type=client_credentials", basic(c.id, c.secret)), 401, "invalid_client");
}

TEST_CASE("Redis down → 503 temporarily_unavailable, then recovery without restart") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto rt = token(s.port(), password_form(email, "correct horse battery"), basic(web.id, web.secret)).str("refresh_token");
  REQUIRE_FALSE(rt.empty());
  {
    oauth::test::restart_on_exit restore{"redis"};
    oauth::test::services("stop", "redis");
    auto pw = token(s.port(), password_form(email, "correct horse battery"), basic(web.id, web.secret));
    check_error(pw, 503, "temporarily_unavailable");
    CHECK_FALSE(pw.header(field::retry_after).empty());
    check_error(token(s.port(), "grant_type=refresh_token&refresh_token=" + rt, basic(web.id, web.secret)), 503,
                "temporarily_unavailable");
    auto ready = request(s.port(), verb::get, "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.json.at("checks").at("redis").as_string() == "down");
    CHECK(ready.json.at("checks").at("postgres").as_string() == "ok");
    oauth::test::services("start", "redis");
  }
  CHECK(oauth::test::eventually([&] {
    return token(s.port(), "grant_type=refresh_token&refresh_token=" + rt, basic(web.id, web.secret)).status == 200;
  }));
  // Ready again once the revocation list has resubscribed and reloaded as well.
  CHECK(oauth::test::eventually([&] { return request(s.port(), verb::get, "/readyz").status == 200; }));
}

TEST_CASE("key rotation: two keys live - old tokens verify, new tokens use the new kid after reload") {
  admin a;
  server s;
  auto c = a.client({"client_credentials"});
  auto old_token = token(s.port(), "grant_type=client_credentials", basic(c.id, c.secret)).str("access_token");
  auto old_kid = verify(s.port(), old_token).kid;
  auto fresh = jwt::key_store::create(s.keys_dir.path, jwt::algorithm::rs256);
  REQUIRE(fresh.has_value());
  s.app->reload_keys();  // what SIGHUP does
  for (int i = 0; i < 100 && s.app->keys().signing_key().kid() != fresh->kid(); ++i) std::this_thread::sleep_for(20ms);
  auto new_token = token(s.port(), "grant_type=client_credentials", basic(c.id, c.secret)).str("access_token");
  auto v_new = verify(s.port(), new_token);
  CHECK(v_new.kid == fresh->kid());
  CHECK(v_new.kid != old_kid);
  CHECK(verify(s.port(), old_token).kid == old_kid);
  CHECK(published_keys(s.port()).size() == 2);
}

TEST_CASE("ES256 service: tokens signed with ES256") {
  admin a;
  server s({}, jwt::algorithm::es256);
  auto c = a.client({"client_credentials"});
  auto r = token(s.port(), "grant_type=client_credentials", basic(c.id, c.secret));
  REQUIRE(r.status == 200);
  auto v = verify(s.port(), r.str("access_token"), {jwt::algorithm::es256});
  CHECK(v.alg == jwt::algorithm::es256);
}

TEST_CASE("metadata, JWKS and scopes documents") {
  server s;
  auto jwks = request(s.port(), verb::get, "/.well-known/jwks.json");
  REQUIRE(jwks.status == 200);
  CHECK(jwks.header(field::cache_control) == "public, max-age=60");
  auto keys = jwks.json.at("keys").as_array();
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].at("kty").as_string() == "RSA");
  CHECK(keys[0].at("alg").as_string() == "RS256");
  CHECK(keys[0].at("use").as_string() == "sig");
  CHECK_FALSE(keys[0].as_object().contains("d"));
  CHECK(keys[0].at("kid").as_string() == s.app->keys().signing_key().kid());

  auto meta = request(s.port(), verb::get, "/.well-known/oauth-authorization-server");
  REQUIRE(meta.status == 200);
  CHECK(meta.str("issuer") == issuer);
  CHECK(meta.str("token_endpoint") == issuer + "/oauth/token");
  CHECK(meta.str("jwks_uri") == issuer + "/.well-known/jwks.json");
  CHECK(boost::json::serialize(meta.json.at("grant_types_supported")) ==
        R"(["client_credentials","password","refresh_token","authorization_code"])");
  // "none": public clients (client_id only) at the token endpoint.
  CHECK(boost::json::serialize(meta.json.at("token_endpoint_auth_methods_supported")) ==
        R"(["client_secret_basic","client_secret_post","none"])");
  CHECK(boost::json::serialize(meta.json.at("scopes_supported")) == R"(["read-posts","write-posts","admin"])");

  auto scopes = request(s.port(), verb::get, "/oauth/scopes");
  REQUIRE(scopes.status == 200);
  CHECK(boost::json::serialize(scopes.json) ==
        R"([{"id":"read-posts","description":"Read posts data"},{"id":"write-posts","description":"Create or update posts"},)"
        R"({"id":"admin","description":"Full administrative access"}])");

  CHECK(request(s.port(), verb::get, "/readyz").status == 200);
  CHECK(request(s.port(), verb::get, "/oauth/token").status == 405);
}
