// The Redis refresh-token store against the real server: rotation, reuse detection, the
// grace window, client binding, expiry, concurrency, the family's jti set, no plaintext
// tokens at rest, and Redis going away and coming back.
#include "auth-service/storage/redis_refresh_token_store.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/random.hpp"
#include "common/time.hpp"
#include "tests/integration/redis_test_support.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace rt = oauth::test::redis;
using namespace oauth::auth;
using namespace std::chrono_literals;
using oauth::test::run;

namespace {

template <class R>
bool ok(const R& r) {
  return r.has_value();
}

std::string unique_prefix() {
  static int n = 0;
  return "test:authstore:" + std::to_string(::getpid()) + ":" + std::to_string(++n) + ":rt:";
}

struct fixture {
  asio::io_context io;
  oauth::redis::client redis{io.get_executor(), rt::options()};
  redis_refresh_token_store store{redis, unique_prefix()};
  std::int64_t now = oauth::unix_now();

  fixture() { rt::start_and_wait(io, redis); }
  ~fixture() {
    redis.stop();
    io.restart();
    io.run_for(2s);
  }

  // A new family with one live token for client "c1", user "u1".
  std::string issue(std::string family = "", std::int64_t ttl = 3600, std::string client = "c1") {
    std::string token = oauth::random_token();
    refresh_grant_record rec;
    rec.family_id = family.empty() ? oauth::random_uuid() : family;
    rec.client_id = client;
    rec.user_id = "u1";
    rec.scopes = {"read-posts", "write-posts"};
    rec.expires_at = now + ttl;
    auto r = run(io, store.issue(token, rec, "jti-0", now + 7200));
    REQUIRE_MESSAGE(ok(r), "issue failed: " << r.error().message());
    return token;
  }

  rotation_request request(std::string presented, std::string client = "c1", std::chrono::seconds grace = 0s) {
    rotation_request q;
    q.presented_token = std::move(presented);
    q.successor_token = oauth::random_token();
    q.client_id = std::move(client);
    q.access_token_jti = oauth::random_uuid();
    q.access_token_exp = now + 7200;
    q.now = now;
    q.grace = grace;
    q.ttl = 3600s;
    return q;
  }

  rotation_result rotate(const rotation_request& q) {
    auto r = run(io, store.rotate(q));
    REQUIRE_MESSAGE(ok(r), "rotate failed: " << r.error().message());
    return *r;
  }

  rotation_outcome outcome(std::string token, std::string client = "c1", std::chrono::seconds grace = 0s) {
    return rotate(request(std::move(token), std::move(client), grace)).outcome;
  }

  oauth::redis::reply cmd(std::vector<std::string> args) {
    auto r = run(io, redis.command(std::move(args)));
    REQUIRE(ok(r));
    return *r;
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "rotation: the old token dies at once, the new one lives and carries the grant") {
  const std::string a = issue("fam-rot");
  auto q = request(a);
  auto r = rotate(q);
  CHECK(r.outcome == rotation_outcome::rotated);
  CHECK(r.successor_token == q.successor_token);
  CHECK(r.record.family_id == "fam-rot");
  CHECK(r.record.client_id == "c1");
  CHECK(r.record.user_id == "u1");
  CHECK(r.record.scopes == std::vector<std::string>{"read-posts", "write-posts"});
  CHECK(r.record.expires_at == now + 3600);

  auto q2 = request(q.successor_token);
  auto r2 = rotate(q2);
  CHECK(r2.outcome == rotation_outcome::rotated);
  CHECK(r2.record.expires_at == now + 3600);  // the successor's own expiry: now + ttl
  CHECK(r2.record.family_id == "fam-rot");

  // The successor record expires by TTL at its expiry.
  auto ttl = cmd({"TTL", store.token_key(refresh_token_hash(q2.successor_token))});
  CHECK(ttl.integer > 3500);
  CHECK(ttl.integer <= 3600);
  CHECK(outcome(oauth::random_token()) == rotation_outcome::invalid);
}

TEST_CASE_FIXTURE(fixture, "reuse of a rotated token revokes the whole family, the successor included") {
  const std::string a = issue();
  auto q = request(a);
  REQUIRE(rotate(q).outcome == rotation_outcome::rotated);
  auto q2 = request(q.successor_token);
  REQUIRE(rotate(q2).outcome == rotation_outcome::rotated);

  auto reuse = rotate(request(a));
  CHECK(reuse.outcome == rotation_outcome::reused);
  CHECK(reuse.successor_token.empty());
  CHECK(outcome(q2.successor_token) == rotation_outcome::invalid);  // the live one is dead too
  // Rotated tokens of the revoked family stay recognised as reuse.
  CHECK(outcome(q.successor_token) == rotation_outcome::reused);
  CHECK(outcome(a) == rotation_outcome::reused);
  CHECK(cmd({"HGET", store.family_key(reuse.record.family_id), "rev"}).str == "1");
}

TEST_CASE_FIXTURE(fixture, "grace window: the same client's repeat gets the SAME successor and the family stays") {
  const std::string a = issue();
  auto q = request(a, "c1", 5s);
  REQUIRE(rotate(q).outcome == rotation_outcome::rotated);

  for (int i = 0; i < 2; ++i) {
    auto again = request(a, "c1", 5s);
    auto r = rotate(again);
    CHECK(r.outcome == rotation_outcome::grace_replay);
    CHECK(r.successor_token == q.successor_token);
    CHECK(r.successor_token != again.successor_token);
    CHECK(r.record.user_id == "u1");
    // The fresh access token of the replay is recorded with the family.
    CHECK(cmd({"ZSCORE", store.family_jtis_key(r.record.family_id), again.access_token_jti}).is_string());
  }
  // Another client presenting it within the window: refused, nothing changes.
  CHECK(outcome(a, "c2", 5s) == rotation_outcome::wrong_client);
  // The family is intact: the successor rotates normally.
  auto next = request(q.successor_token, "c1", 5s);
  CHECK(rotate(next).outcome == rotation_outcome::rotated);
  // Once the successor has moved on, replaying the first token is reuse.
  CHECK(outcome(a, "c1", 5s) == rotation_outcome::reused);
  CHECK(outcome(next.successor_token, "c1", 5s) == rotation_outcome::invalid);
}

TEST_CASE_FIXTURE(fixture, "grace window: after it a repeat is reuse") {
  const std::string a = issue();
  auto q = request(a, "c1", 1s);
  REQUIRE(rotate(q).outcome == rotation_outcome::rotated);
  CHECK(rotate(request(a, "c1", 1s)).successor_token == q.successor_token);
  std::this_thread::sleep_for(1200ms);
  CHECK(outcome(a, "c1", 1s) == rotation_outcome::reused);
  CHECK(outcome(q.successor_token, "c1", 1s) == rotation_outcome::invalid);
}

TEST_CASE_FIXTURE(fixture, "with grace 0 a repeat is reuse at once") {
  const std::string a = issue();
  auto q = request(a);
  REQUIRE(rotate(q).outcome == rotation_outcome::rotated);
  CHECK(outcome(a) == rotation_outcome::reused);
  CHECK(outcome(q.successor_token) == rotation_outcome::invalid);
}

TEST_CASE_FIXTURE(fixture, "another client's token: wrong_client, and nothing changes") {
  const std::string a = issue();
  CHECK(outcome(a, "c2") == rotation_outcome::wrong_client);
  auto q = request(a);
  CHECK(rotate(q).outcome == rotation_outcome::rotated);
  // A rotated token shown by another client does not trigger reuse detection.
  CHECK(outcome(a, "c2") == rotation_outcome::wrong_client);
  CHECK(rotate(request(q.successor_token)).outcome == rotation_outcome::rotated);
}

TEST_CASE_FIXTURE(fixture, "expiry: an expired token is invalid, and Redis drops it by TTL") {
  const std::string a = issue("", 3600);
  auto late = request(a);
  late.now = now + 3600;
  CHECK(rotate(late).outcome == rotation_outcome::invalid);
  CHECK(outcome(a) == rotation_outcome::rotated);  // nothing changed by the refused attempt

  now = oauth::unix_now();
  const std::string b = issue("", 1);
  auto key = store.token_key(refresh_token_hash(b));
  CHECK(cmd({"EXISTS", key}).integer == 1);
  std::this_thread::sleep_for(2100ms);
  CHECK(cmd({"EXISTS", key}).integer == 0);
  now = oauth::unix_now();
  CHECK(outcome(b) == rotation_outcome::invalid);
}

TEST_CASE_FIXTURE(fixture, "20 concurrent rotations of one token with grace 0: exactly one rotates") {
  const std::string a = issue();
  std::vector<rotation_request> requests;
  for (int i = 0; i < 20; ++i) requests.push_back(request(a));
  std::vector<rotation_outcome> outcomes;
  int finished = 0;
  for (const auto& q : requests) {
    asio::co_spawn(io, store.rotate(q), [&](std::exception_ptr e, store_result<rotation_result> r) {
      ++finished;
      REQUIRE(e == nullptr);
      REQUIRE(ok(r));
      outcomes.push_back(r->outcome);
    });
  }
  io.restart();
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (finished < 20 && std::chrono::steady_clock::now() < until) io.run_one_for(50ms);
  REQUIRE(finished == 20);
  CHECK(std::count(outcomes.begin(), outcomes.end(), rotation_outcome::rotated) == 1);
  CHECK(std::count(outcomes.begin(), outcomes.end(), rotation_outcome::reused) == 19);
}

TEST_CASE_FIXTURE(fixture, "the family records the access tokens issued from it, with their expiry") {
  const std::string a = issue("fam-jti");
  auto q = request(a);
  q.access_token_exp = now + 9000;  // outlives the refresh tokens
  REQUIRE(rotate(q).outcome == rotation_outcome::rotated);
  auto jtis = cmd({"ZRANGE", store.family_jtis_key("fam-jti"), "0", "-1", "WITHSCORES"});
  REQUIRE(jtis.elements.size() == 4);
  CHECK(jtis.elements[0].str == "jti-0");
  CHECK(jtis.elements[1].str == std::to_string(now + 7200));
  CHECK(jtis.elements[2].str == q.access_token_jti);
  CHECK(jtis.elements[3].str == std::to_string(now + 9000));
  // The jti set lives as long as its newest access token; the family as its longest token.
  CHECK(cmd({"TTL", store.family_jtis_key("fam-jti")}).integer > 8900);
  auto fam_ttl = cmd({"TTL", store.family_key("fam-jti")}).integer;
  CHECK(fam_ttl > 3500);
  CHECK(fam_ttl <= 3600);
}

TEST_CASE_FIXTURE(fixture, "a rotation never shortens the family's life below its longest token") {
  // Issued without an access token (no jti set yet), living 7200 s.
  const std::string a = oauth::random_token();
  refresh_grant_record rec;
  rec.family_id = "fam-long";
  rec.client_id = "c1";
  rec.user_id = "u1";
  rec.scopes = {"read-posts"};
  rec.expires_at = now + 7200;
  REQUIRE(ok(run(io, store.issue(a, rec, "", 0))));
  auto q = request(a);  // the successor lives 3600 s, its access token 60 s
  q.access_token_exp = now + 60;
  REQUIRE(rotate(q).outcome == rotation_outcome::rotated);
  CHECK(cmd({"TTL", store.family_key("fam-long")}).integer > 7100);
  // The jti set, created by this rotation, lives as long as the family, not the successor.
  CHECK(cmd({"TTL", store.family_jtis_key("fam-long")}).integer > 7100);
  // The older, longer-lived token is rotated, so reusing it still finds the family and revokes it.
  REQUIRE(rotate(request(a)).outcome == rotation_outcome::reused);
  CHECK(cmd({"HGET", store.family_key("fam-long"), "rev"}).str == "1");
}

TEST_CASE_FIXTURE(fixture, "no key or value in Redis holds a plaintext refresh token") {
  const std::string a = issue();
  auto q = request(a, "c1", 30s);
  REQUIRE(rotate(q).outcome == rotation_outcome::rotated);
  auto replay = request(a, "c1", 30s);
  REQUIRE(rotate(replay).outcome == rotation_outcome::grace_replay);
  const std::vector<std::string> secrets{a, q.successor_token, replay.successor_token};
  // The sealed successor exists (grace) and lives no longer than the window.
  auto grace_ttl = cmd({"PTTL", store.grace_key(refresh_token_hash(a))}).integer;
  CHECK(grace_ttl > 0);
  CHECK(grace_ttl <= 30'000);

  std::string cursor = "0";
  int scanned = 0;
  do {
    auto page = cmd({"SCAN", cursor, "COUNT", "500"});
    REQUIRE(page.elements.size() == 2);
    cursor = page.elements[0].str;
    for (const auto& k : page.elements[1].elements) {
      ++scanned;
      std::vector<std::string> texts{k.str};
      const std::string type = cmd({"TYPE", k.str}).str;
      oauth::redis::reply v;
      if (type == "string") v = cmd({"GET", k.str});
      else if (type == "hash") v = cmd({"HGETALL", k.str});
      else if (type == "set") v = cmd({"SMEMBERS", k.str});
      else if (type == "zset") v = cmd({"ZRANGE", k.str, "0", "-1", "WITHSCORES"});
      else if (type == "list") v = cmd({"LRANGE", k.str, "0", "-1"});
      texts.push_back(v.str);
      for (const auto& e : v.elements) texts.push_back(e.str);
      for (const auto& t : texts)
        for (const auto& s : secrets) CHECK_MESSAGE(t.find(s) == std::string::npos, "plaintext token in key " << k.str);
    }
  } while (cursor != "0");
  CHECK(scanned >= 5);  // t:<a>, t:<successor>, g:<a>, f:<F>, f:<F>:j
}

TEST_CASE_FIXTURE(fixture, "Redis down: the store reports an error, and works again after a restart") {
  rt::server_guard guard;
  const std::string a = issue();
  oauth::test::services("stop", "redis");
  auto r = run(io, store.rotate(request(a)));
  CHECK_FALSE(ok(r));
  refresh_grant_record rec;
  rec.family_id = "f";
  rec.client_id = "c1";
  rec.user_id = "u1";
  rec.expires_at = now + 60;
  CHECK_FALSE(ok(run(io, store.issue(oauth::random_token(), rec, "j", now + 60))));

  oauth::test::services("start", "redis");
  REQUIRE(oauth::test::eventually_on(io, [&] { return redis.connected(); }, 15s));
  // Append-only persistence: the token issued before the restart is still there.
  CHECK(outcome(a) == rotation_outcome::rotated);
}
