// RFC 7009 revocation end to end: the auth service and resource services in-process against
// real PostgreSQL and Redis. Every kind of token, two replicas refusing within a second, a
// replica started after the revocation, reuse detection, Redis down and restarted.
#include "tests/integration/revocation_support.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

using namespace oauth;
using namespace oauth::test::revoke;

TEST_CASE("revoke access token: two resource services refuse it within 1 s, and one started later") {
  admin a;
  server s;
  auto c = a.client({"client_credentials"});
  resource_server r1(s.port()), r2(s.port());
  r1.wait_ready();
  r2.wait_ready();
  auto at = client_token(s.port(), c);
  auto keep = client_token(s.port(), c);
  REQUIRE(api(r1.port(), at).status == 200);
  REQUIRE(api(r2.port(), at).status == 200);

  auto revoked_at = std::chrono::steady_clock::now();
  auto r = revoke(s.port(), form_revoke(at, "access_token"), basic(c.id, c.secret));
  CHECK(r.status == 200);
  CHECK(r.raw.body().empty());
  CHECK(r.header(field::cache_control) == "no-store");
  auto times = times_until_refused({r1.port(), r2.port()}, at, revoked_at);
  CHECK(times[0] < 1000ms);
  CHECK(times[1] < 1000ms);
  check_refused_as_revoked(r1.port(), at);
  check_refused_as_revoked(r2.port(), at);
  // Only that token.
  CHECK(api(r1.port(), keep).status == 200);

  resource_server later(s.port());
  later.wait_ready();
  check_refused_as_revoked(later.port(), at);
  CHECK(api(later.port(), keep).status == 200);
  // Revoking again is harmless.
  CHECK(revoke(s.port(), form_revoke(at), basic(c.id, c.secret)).status == 200);
}

TEST_CASE("revoke refresh token: the whole family and its access tokens, current or rotated token") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  resource_server rs(s.port());
  rs.wait_ready();

  auto first = login(s.port(), web, email);
  auto refreshed = token(s.port(), "grant_type=refresh_token&refresh_token=" + first.refresh, basic(web.id, web.secret));
  REQUIRE(refreshed.status == 200);
  auto at2 = refreshed.str("access_token"), rt2 = refreshed.str("refresh_token");
  REQUIRE(api(rs.port(), first.access).status == 200);
  REQUIRE(api(rs.port(), at2).status == 200);

  // The ROTATED token revokes the family too.
  CHECK(revoke(s.port(), form_revoke(first.refresh, "refresh_token"), basic(web.id, web.secret)).status == 200);
  CHECK(time_until_refused(rs.port(), first.access) < 1000ms);
  CHECK(time_until_refused(rs.port(), at2) < 1000ms);
  check_refused_as_revoked(rs.port(), at2);
  auto after = token(s.port(), "grant_type=refresh_token&refresh_token=" + rt2, basic(web.id, web.secret));
  CHECK(after.status == 400);
  CHECK(after.error() == "invalid_grant");

  // A current token of another family, revoked with a wrong hint: still found.
  auto other = login(s.port(), web, email);
  CHECK(revoke(s.port(), form_revoke(other.refresh, "access_token"), basic(web.id, web.secret)).status == 200);
  CHECK(time_until_refused(rs.port(), other.access) < 1000ms);
  CHECK(token(s.port(), "grant_type=refresh_token&refresh_token=" + other.refresh, basic(web.id, web.secret)).status == 400);
}

TEST_CASE("reuse detection revokes the family's access tokens at the resource service") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  resource_server rs(s.port());
  rs.wait_ready();
  auto first = login(s.port(), web, email);
  auto refreshed = token(s.port(), "grant_type=refresh_token&refresh_token=" + first.refresh, basic(web.id, web.secret));
  REQUIRE(refreshed.status == 200);
  auto at2 = refreshed.str("access_token");
  REQUIRE(api(rs.port(), at2).status == 200);
  // The rotated token again: reuse.
  auto reuse = token(s.port(), "grant_type=refresh_token&refresh_token=" + first.refresh, basic(web.id, web.secret));
  CHECK(reuse.error() == "invalid_grant");
  CHECK(time_until_refused(rs.port(), at2) < 1000ms);
  CHECK(time_until_refused(rs.port(), first.access) < 1000ms);
  check_refused_as_revoked(rs.port(), at2);
}

TEST_CASE("revoke: unknown, malformed, expired and foreign tokens, client authentication") {
  admin a;
  server s;
  auto c1 = a.client({"client_credentials"});
  auto c2 = a.client({"client_credentials"});
  auto web = a.client({"password", "refresh_token"});
  auto spa = a.client({"refresh_token", "password"}, std::nullopt, /*confidential=*/false);
  auto email = a.user(test_password_hash());
  auto p = s.port();
  resource_server rs(p);
  rs.wait_ready();

  // RFC 7009 §2.2: invalid tokens are not an error.
  CHECK(revoke(p, form_revoke("unknown-opaque-token"), basic(c1.id, c1.secret)).status == 200);
  CHECK(revoke(p, form_revoke("a.b"), basic(c1.id, c1.secret)).status == 200);
  CHECK(revoke(p, form_revoke("aaa.bbb.ccc"), basic(c1.id, c1.secret)).status == 200);
  CHECK(revoke(p, form_revoke(mint(s, -1000, c1.id, c1.id)), basic(c1.id, c1.secret)).status == 200);
  CHECK(revoke(p, form_revoke("x", "nonsense_hint"), basic(c1.id, c1.secret)).status == 200);

  // Another client's access token: refused, and NOT revoked.
  auto at = client_token(p, c1);
  auto foreign = revoke(p, form_revoke(at), basic(c2.id, c2.secret));
  CHECK(foreign.status == 400);
  CHECK(foreign.error() == "unauthorized_client");
  auto login1 = login(p, web, email);
  auto foreign_rt = revoke(p, form_revoke(login1.refresh), basic(c2.id, c2.secret));
  CHECK(foreign_rt.error() == "unauthorized_client");
  // Revocations reach the resource service in order: once a sentinel revoked AFTER the
  // foreign attempts is refused, a wrongful revocation by them would have arrived too.
  auto sentinel = client_token(p, c2);
  REQUIRE(api(rs.port(), sentinel).status == 200);
  REQUIRE(revoke(p, form_revoke(sentinel), basic(c2.id, c2.secret)).status == 200);
  REQUIRE(time_until_refused(rs.port(), sentinel) < 3000ms);
  CHECK(api(rs.port(), at).status == 200);
  CHECK(api(rs.port(), login1.access).status == 200);
  CHECK(token(p, "grant_type=refresh_token&refresh_token=" + login1.refresh, basic(web.id, web.secret)).status == 200);

  // Client authentication as at the token endpoint.
  auto no_auth = revoke(p, form_revoke(at), "");
  CHECK(no_auth.status == 401);
  CHECK(no_auth.error() == "invalid_client");
  CHECK(revoke(p, form_revoke(at), basic(c1.id, "wrong")).status == 401);
  CHECK(revoke(p, "", basic(c1.id, c1.secret)).error() == "invalid_request");
  CHECK(revoke(p, "token=a&token=b", basic(c1.id, c1.secret)).error() == "invalid_request");
  // client_secret_post works too.
  CHECK(revoke(p, form_revoke(at) + "&client_id=" + c1.id + "&client_secret=" + url_encode(c1.secret), "").status == 200);
  CHECK(time_until_refused(rs.port(), at) < 1000ms);

  // A public client revokes its own refresh token by client_id.
  auto spa_login = token(p, password_form(email, test_password, "read-posts") + "&client_id=" + spa.id, "");
  REQUIRE(spa_login.status == 200);
  CHECK(revoke(p, form_revoke(spa_login.str("refresh_token")) + "&client_id=" + spa.id, "").status == 200);
  CHECK(time_until_refused(rs.port(), spa_login.str("access_token")) < 1000ms);
}

TEST_CASE("revoke while Redis is down: 503, the resource service keeps its set, reports it and catches up") {
  admin a;
  server s;
  auto c = a.client({"client_credentials"});
  resource_server rs(s.port());
  rs.wait_ready();
  auto before = client_token(s.port(), c);
  auto during = client_token(s.port(), c);
  auto after = client_token(s.port(), c);
  REQUIRE(revoke(s.port(), form_revoke(before), basic(c.id, c.secret)).status == 200);
  REQUIRE(time_until_refused(rs.port(), before) < 1000ms);

  {
    oauth::test::restart_on_exit restore{"redis"};
    services("stop", "redis");
    // Auth side: revocation cannot be recorded → 503, retry later.
    auto r = revoke(s.port(), form_revoke(during), basic(c.id, c.secret));
    CHECK(r.status == 503);
    CHECK(r.error() == "temporarily_unavailable");
    CHECK_FALSE(r.header(field::retry_after).empty());
    // Resource side: keeps verifying with the set it has, reports the outage.
    CHECK(eventually([&] { return request(rs.port(), verb::get, "/readyz").status == 503; }));
    auto ready = request(rs.port(), verb::get, "/readyz");
    CHECK(ready.json.at("checks").at("redis").as_string() == "down");
    CHECK_FALSE(rs.app->revocations().synced());
    // The gauge is refreshed every second.
    CHECK(eventually([&] {
      return request(rs.port(), verb::get, "/metrics").raw.body().find("revocation_list_synced 0") != std::string::npos;
    }, 3s));
    check_refused_as_revoked(rs.port(), before);
    CHECK(api(rs.port(), during).status == 200);
    services("start", "redis");
  }
  // Reconnected: ready again, synced, and new revocations arrive.
  CHECK(eventually([&] { return request(rs.port(), verb::get, "/readyz").status == 200; }, 20s));
  CHECK(rs.app->revocations().synced());
  CHECK(eventually([&] {
    return request(rs.port(), verb::get, "/metrics").raw.body().find("revocation_list_synced 1") != std::string::npos;
  }, 3s));
  s.wait_for_redis();
  check_refused_as_revoked(rs.port(), before);  // kept across the restart
  REQUIRE(eventually([&] { return revoke(s.port(), form_revoke(during), basic(c.id, c.secret)).status == 200; }));
  CHECK(time_until_refused(rs.port(), during) < 1000ms);
  CHECK(revoke(s.port(), form_revoke(after), basic(c.id, c.secret)).status == 200);
  CHECK(time_until_refused(rs.port(), after) < 1000ms);
  // A replica started now still learns the older revocations from Redis.
  resource_server late(s.port());
  late.wait_ready();
  check_refused_as_revoked(late.port(), during);
  check_refused_as_revoked(late.port(), after);
}

TEST_CASE("a resource service started while Redis is down fails closed until its revocation list loads") {
  admin a;
  server s;
  auto c = a.client({"client_credentials"});
  resource_server witness(s.port());
  witness.wait_ready();
  auto good = client_token(s.port(), c);
  auto revoked = client_token(s.port(), c);
  REQUIRE(revoke(s.port(), form_revoke(revoked), basic(c.id, c.secret)).status == 200);
  REQUIRE(time_until_refused(witness.port(), revoked) < 1000ms);
  {
    oauth::test::restart_on_exit restore{"redis"};
    services("stop", "redis");
    resource_server rs(s.port());
    REQUIRE(eventually([&] { return rs.app->keys().loaded(); }, 10s));
    CHECK_FALSE(rs.app->revocations().loaded_once());
    // Never a possibly revoked token's data: 503 for both, the revoked one as the good one.
    for (const auto& t : {good, revoked}) {
      auto r = api(rs.port(), t);
      CAPTURE(r.raw.body());
      CHECK(r.status == 503);
      CHECK(r.error() == "temporarily_unavailable");
      CHECK_FALSE(r.header(field::retry_after).empty());
    }
    CHECK(request(rs.port(), verb::get, "/readyz").status == 503);
    services("start", "redis");
    // Back: the list loads, the service is ready, and answers as one that never missed a thing.
    CHECK(eventually([&] { return request(rs.port(), verb::get, "/readyz").status == 200; }, 20s));
    CHECK(rs.app->revocations().loaded_once());
    CHECK(api(rs.port(), good).status == 200);
    check_refused_as_revoked(rs.port(), revoked);
  }
}

TEST_CASE("revocations made while a resource service was disconnected are loaded when it resubscribes") {
  admin a;
  server s;
  auto c = a.client({"client_credentials"});
  resource_server rs(s.port());
  rs.wait_ready();
  auto at = client_token(s.port(), c);
  REQUIRE(api(rs.port(), at).status == 200);
  // Simulate a replica that missed the announcement: write the ZSET entry without publishing,
  // then force every subscriber to reconnect (CLIENT KILL TYPE pubsub).
  auto v = jwt::verify(at, s.app->keys().current()->store.public_keys(),
                       {.issuer = issuer, .audience = "posts-api", .allowed_algorithms = {jwt::algorithm::rs256}});
  REQUIRE(v.has_value());
  boost::asio::io_context io;
  redis::client rc(io.get_executor(), redis::client_options{parse_redis_url(redis_url()).value()});
  rc.start();
  auto cmd = [](redis::client& c, std::vector<std::string> args) -> boost::asio::awaitable<bool> {
    for (int i = 0; i < 100 && !c.connected(); ++i) {
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 20ms);
      co_await t.async_wait(boost::asio::use_awaitable);
    }
    auto r = co_await c.command(std::move(args));
    co_return r.has_value() && !r->is_error();
  };
  auto loads = rs.app->revocations().loads();
  REQUIRE(run(io, cmd(rc, {"ZADD", "oauth:revoked", std::to_string(v->exp()), std::string(v->jti())})));
  std::this_thread::sleep_for(200ms);
  CHECK(api(rs.port(), at).status == 200);  // not announced: not known yet
  REQUIRE(run(io, cmd(rc, {"CLIENT", "KILL", "TYPE", "pubsub"})));
  CHECK(eventually([&] { return rs.app->revocations().loads() > loads && rs.app->revocations().synced(); }));
  check_refused_as_revoked(rs.port(), at);
  rc.stop();
}

TEST_CASE("refresh: a scope wider than the original is refused before the rotation (grace 0)") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  auto t = login(s.port(), web, email, "read-posts");
  auto wider = token(s.port(), "grant_type=refresh_token&scope=write-posts&refresh_token=" + t.refresh,
                     basic(web.id, web.secret));
  CHECK(wider.status == 400);
  CHECK(wider.error() == "invalid_scope");
  // The token was not spent: the session goes on.
  auto ok = token(s.port(), "grant_type=refresh_token&refresh_token=" + t.refresh, basic(web.id, web.secret));
  CHECK(ok.status == 200);
  CHECK(ok.str("scope") == "read-posts");
  // A rotated token with a wider scope is still treated as reuse (not short-circuited).
  auto replay = token(s.port(), "grant_type=refresh_token&scope=write-posts&refresh_token=" + t.refresh,
                      basic(web.id, web.secret));
  CHECK(replay.error() == "invalid_grant");
  auto successor = token(s.port(), "grant_type=refresh_token&refresh_token=" + ok.str("refresh_token"),
                         basic(web.id, web.secret));
  CHECK(successor.error() == "invalid_grant");  // family revoked by the reuse
}
