// Offboarding (CONTRACT "Hostile input and revocation, everywhere"): `authctl user delete`,
// `user update` and `client revoke` reach every auth and resource replica within a second
// through one cutoff entry each, and the PostgreSQL record brings revocations back after Redis
// lost its data. The auth services, resource services and authctl run in-process against the
// real PostgreSQL and Redis of scripts/services.sh.
#include "auth-service/authctl/args.hpp"
#include "auth-service/authctl/commands.hpp"
#include "common/random.hpp"
#include "tests/integration/redis_test_support.hpp"
#include "tests/integration/revocation_support.hpp"

#include <boost/json/parse.hpp>

#include <atomic>
#include <iostream>
#include <sstream>
#include <thread>

using namespace oauth;
using namespace oauth::test::revoke;

namespace {

struct ctl_outcome {
  int exit = -1;
  boost::json::value json;
  std::string err;
};

// authctl with the auth service's own configuration (same DATABASE_URL, REDIS_URL, TTLs).
ctl_outcome run_authctl(server& s, std::vector<std::string> args, const std::string& stdin_text = {}) {
  args.push_back("--json");
  auto inv = oauth::authctl::parse_args(args);
  std::istringstream in(stdin_text);
  auto* old = std::cin.rdbuf(in.rdbuf());
  std::ostringstream out, err;
  ctl_outcome o;
  o.exit = oauth::authctl::run(inv, s.config, out, err);
  std::cin.rdbuf(old);
  o.err = err.str();
  if (o.exit == 0) o.json = boost::json::parse(out.str());
  return o;
}

reply create_pat(std::uint16_t port, const std::string& bearer) {
  return request(port, verb::post, "/oauth/personal-access-tokens", R"({"name":"cli","scopes":["read-posts"]})",
                 "application/json", "Bearer " + bearer);
}

std::string sub_of(server& s, const std::string& token) {
  auto v = jwt::verify(token, s.app->keys().current()->store.public_keys(),
                       {.issuer = issuer, .audience = "posts-api", .allowed_algorithms = {jwt::algorithm::rs256}});
  REQUIRE(v.has_value());
  return std::string(v->sub());
}

reply refresh(std::uint16_t port, const admin::made_client& c, const std::string& rt) {
  return token(port, "grant_type=refresh_token&refresh_token=" + url_encode(rt), basic(c.id, c.secret));
}

// Milliseconds from `since` until the token endpoint of `port` answers invalid_client to c
// (asked with `form`, which must change nothing while c is still accepted).
std::chrono::milliseconds time_until_invalid_client(std::uint16_t port, const admin::made_client& c,
                                                    std::chrono::steady_clock::time_point since,
                                                    const std::string& form = "grant_type=client_credentials&scope=read-posts") {
  while (token(port, form, basic(c.id, c.secret)).error() != "invalid_client") {
    if (std::chrono::steady_clock::now() - since > 6s) return 6001ms;
    std::this_thread::sleep_for(10ms);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since);
}

} // namespace

TEST_CASE("user delete: their access token, personal access token and refresh token die everywhere within 1 s") {
  admin a;
  personal_access_client(a);
  server s;
  auto web = a.first_party_client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto bystander_email = a.user(test_password_hash());
  resource_server r1(s.port()), r2(s.port());
  r1.wait_ready();
  r2.wait_ready();
  auto me = login(s.port(), web, email);
  auto bystander = login(s.port(), web, bystander_email);
  auto made = create_pat(s.port(), me.access);
  REQUIRE_MESSAGE(made.status == 201, made.raw.body());
  auto pat = made.str("token");
  REQUIRE(api(r1.port(), me.access).status == 200);
  REQUIRE(api(r2.port(), pat).status == 200);
  const auto id = sub_of(s, me.access);

  auto since = std::chrono::steady_clock::now();
  auto del = run_authctl(s, {"user", "delete", "--email", email});
  REQUIRE_MESSAGE(del.exit == 0, del.err);
  CHECK(del.json.at("id").as_string() == id);
  for (const auto& t : {me.access, pat}) {
    auto times = times_until_refused({r1.port(), r2.port()}, t, since);
    CHECK(times[0] < 1000ms);
    CHECK(times[1] < 1000ms);
    check_refused_as_revoked(r1.port(), t);
  }
  auto r = refresh(s.port(), web, me.refresh);
  CHECK(r.status == 400);
  CHECK(r.error() == "invalid_grant");
  // The auth service's own bearer checks refuse them too.
  CHECK(create_pat(s.port(), me.access).status == 401);
  // Another user is untouched.
  CHECK(api(r1.port(), bystander.access).status == 200);
  CHECK(refresh(s.port(), web, bystander.refresh).status == 200);
  // Gone: a second delete, by id, finds nobody; a new replica knows the cutoff.
  auto again = run_authctl(s, {"user", "delete", id});
  CHECK(again.exit == 1);
  CHECK(again.err.find("no user") != std::string::npos);
  resource_server later(s.port());
  later.wait_ready();
  check_refused_as_revoked(later.port(), pat);
}

// Check-then-act across processes: refreshes that read the user just before the deletion may
// still sign tokens after it. The cutoff (T = now + in-flight margin) covers them: whatever a
// racing refresh returned, its access token is refused and its refresh token is dead.
TEST_CASE("user delete racing refreshes: nothing a concurrent refresh returned outlives the deletion") {
  admin a;
  // The user cache of the production default: the deletion must not wait for it.
  server s({}, jwt::algorithm::rs256, 5s);
  auto web = a.first_party_client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  resource_server rs(s.port());
  rs.wait_ready();
  constexpr int sessions = 8;
  std::vector<std::string> refresh_tokens;
  for (int i = 0; i < sessions; ++i) refresh_tokens.push_back(login(s.port(), web, email).refresh);
  // Cached now: every session's user is in the refresh user cache.
  for (auto& rt : refresh_tokens) {
    auto r = refresh(s.port(), web, rt);
    REQUIRE(r.status == 200);
    rt = r.str("refresh_token");
  }

  std::atomic<bool> go{false};
  std::vector<reply> outcomes(sessions);
  std::vector<std::thread> racers;
  for (int i = 0; i < sessions; ++i)
    racers.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      outcomes[static_cast<std::size_t>(i)] = refresh(s.port(), web, refresh_tokens[static_cast<std::size_t>(i)]);
    });
  go = true;
  auto del = run_authctl(s, {"user", "delete", "--email", email});
  auto since = std::chrono::steady_clock::now();  // the deletion is done: 1 s from here
  for (auto& t : racers) t.join();
  REQUIRE_MESSAGE(del.exit == 0, del.err);

  int issued = 0;
  for (const auto& r : outcomes) {
    CAPTURE(r.raw.body());
    CHECK((r.status == 200 || r.error() == "invalid_grant"));
    if (r.status != 200) continue;
    ++issued;
    CHECK(time_until_refused(rs.port(), r.str("access_token"), since) < 1000ms);
    check_refused_as_revoked(rs.port(), r.str("access_token"));
    auto next = refresh(s.port(), web, r.str("refresh_token"));
    CHECK(next.status == 400);
    CHECK(next.error() == "invalid_grant");
  }
  MESSAGE(issued << " of " << sessions << " racing refreshes were answered before the deletion took effect");
}

TEST_CASE("user update: scopes narrow the next refresh silently, the password changes, usage errors") {
  admin a;
  server s;
  auto web = a.first_party_client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto me = login(s.port(), web, email, "read-posts write-posts");
  auto up = run_authctl(s, {"user", "update", "--email", email, "--scopes", "read-posts"});
  REQUIRE_MESSAGE(up.exit == 0, up.err);
  CHECK(up.json.at("id").as_string() == sub_of(s, me.access));
  auto r = refresh(s.port(), web, me.refresh);
  REQUIRE_MESSAGE(r.status == 200, r.raw.body());
  CHECK(r.str("scope") == "read-posts");
  // A refresh re-reads its user through a short cache (the client cache's TTL, 300 ms here):
  // with the user cached, a narrowing reaches the refreshes within that TTL.
  auto second = a.user(test_password_hash());
  auto other = login(s.port(), web, second, "read-posts write-posts");
  auto cached = refresh(s.port(), web, other.refresh);
  REQUIRE(cached.status == 200);
  REQUIRE(run_authctl(s, {"user", "update", "--email", second, "--scopes", "write-posts"}).exit == 0);
  auto latest = cached.str("refresh_token");
  CHECK(eventually([&] {
    auto next = refresh(s.port(), web, latest);
    latest = next.str("refresh_token");
    return next.status == 200 && next.str("scope") == "write-posts";
  }, 5s));
  // New password from stdin: the old one no longer works.
  auto pw = run_authctl(s, {"user", "update", sub_of(s, me.access), "--password-stdin"}, "a-new-Passw0rd-long\n");
  REQUIRE_MESSAGE(pw.exit == 0, pw.err);
  auto old_login = token(s.port(), password_form(email, test_password, "read-posts"), basic(web.id, web.secret));
  CHECK(old_login.status == 400);
  auto new_login = token(s.port(), password_form(email, "a-new-Passw0rd-long", "read-posts"), basic(web.id, web.secret));
  CHECK(new_login.status == 200);

  CHECK(run_authctl(s, {"user", "update", "--email", email}).exit == 2);                 // nothing to change
  CHECK(run_authctl(s, {"user", "delete"}).exit == 2);                                    // neither ID nor --email
  CHECK(run_authctl(s, {"user", "delete", random_uuid(), "--email", email}).exit == 2);  // both
  CHECK(run_authctl(s, {"user", "delete", "not-a-uuid"}).exit == 1);
  CHECK(run_authctl(s, {"user", "update", "--email", email, "--scopes", "root"}).exit == 2);
}

TEST_CASE("client revoke: invalid_client at every auth replica within 1 s, its tokens refused, its refresh dead") {
  admin a;
  // The production client cache TTL (5 s): the revocation must not wait for it.
  server s1({}, jwt::algorithm::rs256, 5s), s2({}, jwt::algorithm::rs256, 5s);
  auto machine = a.client({"client_credentials"});
  auto web = a.first_party_client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  resource_server rs(s1.port());
  rs.wait_ready();
  // Both replicas have the clients in their caches.
  auto at1 = client_token(s1.port(), machine);
  client_token(s2.port(), machine);
  auto user_tokens = login(s1.port(), web, email);  // rs trusts s1's keys (each server has its own)
  REQUIRE(api(rs.port(), at1).status == 200);
  REQUIRE(api(rs.port(), user_tokens.access).status == 200);
  auto other = a.client({"client_credentials"});
  auto other_at = client_token(s1.port(), other);

  auto since = std::chrono::steady_clock::now();
  auto rv = run_authctl(s1, {"client", "revoke", machine.id});
  REQUIRE_MESSAGE(rv.exit == 0, rv.err);
  CHECK(rv.json.at("id").as_string() == machine.id);
  auto t1 = std::async(std::launch::async, [&] { return time_until_invalid_client(s1.port(), machine, since); });
  auto t2 = std::async(std::launch::async, [&] { return time_until_invalid_client(s2.port(), machine, since); });
  CHECK(t1.get() < 1000ms);
  CHECK(t2.get() < 1000ms);
  CHECK(time_until_refused(rs.port(), at1, since) < 1000ms);
  check_refused_as_revoked(rs.port(), at1);
  CHECK(api(rs.port(), other_at).status == 200);

  since = std::chrono::steady_clock::now();
  auto rw = run_authctl(s2, {"client", "revoke", web.id});
  REQUIRE_MESSAGE(rw.exit == 0, rw.err);
  CHECK(time_until_refused(rs.port(), user_tokens.access, since) < 1000ms);
  // s1 hears of the revocation on its own channel, maybe after the resource service: wait for
  // it with a refresh token that does not exist (invalid_grant until then, nothing changed).
  const std::string unknown_refresh = "grant_type=refresh_token&refresh_token=" + oauth::random_token();
  CHECK(time_until_invalid_client(s1.port(), web, since, unknown_refresh) < 1000ms);
  auto r = refresh(s1.port(), web, user_tokens.refresh);
  CHECK(r.status == 401);
  CHECK(r.error() == "invalid_client");
}

TEST_CASE("Redis lost its data: a deleted PAT and a deleted user's tokens stay refused after a reload") {
  admin a;
  personal_access_client(a);
  server s;
  auto web = a.first_party_client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto leaver_email = a.user(test_password_hash());
  auto me = login(s.port(), web, email);
  auto leaver = login(s.port(), web, leaver_email);
  auto made = create_pat(s.port(), me.access);
  REQUIRE(made.status == 201);
  auto pat = made.str("token");
  auto leaver_pat = create_pat(s.port(), leaver.access);
  REQUIRE(leaver_pat.status == 201);
  resource_server rs(s.port());
  rs.wait_ready();
  REQUIRE(request(s.port(), verb::delete_, "/oauth/personal-access-tokens/" + made.str("id"), {}, "application/json",
                  "Bearer " + me.access)
              .status == 204);
  REQUIRE(run_authctl(s, {"user", "delete", "--email", leaver_email}).exit == 0);
  REQUIRE(time_until_refused(rs.port(), pat) < 1000ms);
  REQUIRE(time_until_refused(rs.port(), leaver_pat.str("token")) < 1000ms);

  // The test database only (TEST_REDIS_URL selects it), never the whole server.
  {
    boost::asio::io_context io;
    redis::client rc(io.get_executor(), redis::client_options{parse_redis_url(redis_url()).value()});
    oauth::test::redis::start_and_wait(io, rc);
    auto flushed = run(io, rc.command({"FLUSHDB"}));
    REQUIRE(flushed.has_value());
    oauth::test::redis::stop_and_drain(io, rc);
  }
  // A replica started now loads an empty Redis set, and the record.
  resource_server fresh(s.port());
  fresh.wait_ready();
  check_refused_as_revoked(fresh.port(), pat);
  check_refused_as_revoked(fresh.port(), leaver_pat.str("token"));
  check_refused_as_revoked(fresh.port(), leaver.access);
  CHECK(api(fresh.port(), me.access).status == 200);

  // So does an auth replica started now (with the same keys): its introspection and its
  // bearer routes.
  server fresh_auth({{"AUTH_KEYS_DIR", s.keys_dir.path.string()}});
  auto introspector = a.client({"client_credentials"});
  auto inspect = [&](const std::string& t) {
    return introspect(fresh_auth.port(), "token=" + url_encode(t), basic(introspector.id, introspector.secret));
  };
  for (const auto& t : {pat, leaver_pat.str("token"), leaver.access}) {
    auto r = inspect(t);
    CAPTURE(r.raw.body());
    CHECK(r.status == 200);
    CHECK(r.json.at("active") == false);
  }
  CHECK(inspect(me.access).json.at("active") == true);
  auto as_leaver = request(fresh_auth.port(), verb::get, "/oauth/personal-access-tokens", {}, "application/json",
                           "Bearer " + leaver.access);
  CHECK(as_leaver.status == 401);
  CHECK(as_leaver.error() == "invalid_token");
}

TEST_CASE("an auth service started while Redis is down fails closed until its revocation list loads") {
  admin a;
  personal_access_client(a);
  server s;
  auto web = a.first_party_client({"password", "refresh_token"});
  auto introspector = a.client({"client_credentials"});
  auto me = login(s.port(), web, a.user(test_password_hash()));
  auto made = create_pat(s.port(), me.access);
  REQUIRE(made.status == 201);
  REQUIRE(request(s.port(), verb::delete_, "/oauth/personal-access-tokens/" + made.str("id"), {}, "application/json",
                  "Bearer " + me.access)
              .status == 204);
  auto revoked_pat = made.str("token");
  auto inspect = [&](std::uint16_t port, const std::string& t) {
    return introspect(port, "token=" + url_encode(t), basic(introspector.id, introspector.secret));
  };
  {
    oauth::test::restart_on_exit restore{"redis"};
    services("stop", "redis");
    server late({{"AUTH_KEYS_DIR", s.keys_dir.path.string()}}, jwt::algorithm::rs256, 300ms, /*wait=*/false);
    CHECK_FALSE(late.app->revocations_loaded());
    // Neither "active" (the token may be revoked) nor "inactive" (it may be good): 503.
    for (const auto& t : {me.access, revoked_pat}) {
      auto r = inspect(late.port(), t);
      CAPTURE(r.raw.body());
      CHECK(r.status == 503);
      CHECK(r.error() == "temporarily_unavailable");
      CHECK_FALSE(r.header(field::retry_after).empty());
    }
    auto listed = request(late.port(), verb::get, "/oauth/personal-access-tokens", {}, "application/json",
                          "Bearer " + me.access);
    CHECK(listed.status == 503);
    CHECK(listed.error() == "temporarily_unavailable");
    CHECK(request(late.port(), verb::get, "/readyz").status == 503);
    services("start", "redis");
    CHECK(eventually([&] { return request(late.port(), verb::get, "/readyz").status == 200; }, 20s));
    CHECK(late.app->revocations_loaded());
    CHECK(inspect(late.port(), me.access).json.at("active") == true);
    CHECK(inspect(late.port(), revoked_pat).json.at("active") == false);
    CHECK(request(late.port(), verb::get, "/oauth/personal-access-tokens", {}, "application/json",
                  "Bearer " + me.access)
              .status == 200);
  }
}

TEST_CASE("a personal access token deleted while Redis is down is refused once the list reloads") {
  admin a;
  personal_access_client(a);
  server s;
  auto web = a.first_party_client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto me = login(s.port(), web, email);
  auto made = create_pat(s.port(), me.access);
  REQUIRE(made.status == 201);
  auto pat = made.str("token");
  resource_server rs(s.port());
  rs.wait_ready();
  REQUIRE(api(rs.port(), pat).status == 200);
  {
    oauth::test::restart_on_exit restore{"redis"};
    services("stop", "redis");
    // Recorded in PostgreSQL, not announced: the caller is told to retry.
    auto del = request(s.port(), verb::delete_, "/oauth/personal-access-tokens/" + made.str("id"), {},
                       "application/json", "Bearer " + me.access);
    CHECK(del.status == 503);
    services("start", "redis");
  }
  // Nobody retried: the reload after the reconnection merges the record.
  CHECK(eventually([&] { return request(rs.port(), verb::get, "/readyz").status == 200; }, 20s));
  check_refused_as_revoked(rs.port(), pat);
  CHECK(api(rs.port(), me.access).status == 200);
}
