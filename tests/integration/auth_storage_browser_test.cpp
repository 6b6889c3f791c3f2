// The Redis stores of the browser flow against the real server: login sessions (idle and
// absolute expiry, the per-user index, logout everywhere) and authorization codes (single
// use, client binding, expiry, replay detection and the attach race), no plaintext secret at
// rest, malformed input refused before Redis, and Redis going away and coming back.
// Expiries are checked through PTTL and the stores' `now` parameter, not by sleeping: the
// suite runs on loaded machines.
#include "auth-service/storage/redis_authorization_code_store.hpp"
#include "auth-service/storage/redis_session_store.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/random.hpp"
#include "common/time.hpp"
#include "tests/integration/redis_test_support.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
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
  return "test:authstore:" + std::to_string(::getpid()) + ":" + std::to_string(++n) + ":browser:";
}

// Codes and session ids that no store of ours would hand out: each must be refused unseen.
std::vector<std::string> malformed_tokens() {
  const std::string good = oauth::random_token();
  std::string with_nul = good;
  with_nul[10] = '\0';
  std::string bad_tail = good;
  bad_tail.back() = bad_tail.back() == 'B' ? 'C' : 'B';  // 'B', 'C': non-zero trailing bits
  return {"",
          "garbage",
          good + std::string(1, '\0'),
          with_nul,
          good.substr(0, 42),
          good + "A",
          good.substr(0, 42) + "=",
          good.substr(0, 42) + "+",
          std::string(43, '!'),
          std::string(10'000, 'A'),
          bad_tail};
}

struct fixture {
  asio::io_context io;
  oauth::redis::client redis{io.get_executor(), rt::options()};
  std::string prefix = unique_prefix();
  redis_session_store sessions{redis, prefix + "session:"};
  redis_authorization_code_store codes{redis, prefix + "code:"};
  std::int64_t now = oauth::unix_now();

  fixture() { rt::start_and_wait(io, redis); }
  ~fixture() {
    redis.stop();
    io.restart();
    io.run_for(2s);
  }

  oauth::redis::reply cmd(std::vector<std::string> args) {
    auto r = run(io, redis.command(std::move(args)));
    REQUIRE(ok(r));
    return *r;
  }

  created_session create(std::string user = "u1", std::chrono::seconds ttl = 7200s,
                         std::chrono::seconds idle = 1800s) {
    auto r = run(io, sessions.create(user, now, ttl, idle));
    REQUIRE_MESSAGE(ok(r), "create failed: " << r.error().message());
    return *r;
  }
  std::optional<login_session> find(const std::string& id, std::int64_t at, std::chrono::seconds idle = 1800s) {
    auto r = run(io, sessions.find(id, at, idle));
    REQUIRE_MESSAGE(ok(r), "find failed: " << r.error().message());
    return *r;
  }
  std::string session_key(const std::string& id) { return sessions.session_key(refresh_token_hash(id)); }
  std::int64_t pttl(const std::string& key) { return cmd({"PTTL", key}).integer; }

  authorization_code_record code_record(std::string client = "c1") {
    authorization_code_record rec;
    rec.client_id = std::move(client);
    rec.redirect_uri = "https://app.example/cb?x=1&y=2";
    rec.redirect_uri_sent = true;
    rec.user_id = "u1";
    rec.scopes = {"read-posts", "write-posts"};
    rec.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    rec.auth_time = now - 5;
    rec.expires_at = 1;  // ignored by issue()
    return rec;
  }
  std::string issue(std::chrono::seconds ttl = 60s, std::string client = "c1") {
    auto r = run(io, codes.issue(code_record(std::move(client)), now, ttl));
    REQUIRE_MESSAGE(ok(r), "issue failed: " << r.error().message());
    return *r;
  }
  consume_result consume(const std::string& code, std::string client = "c1", std::int64_t at = 0) {
    auto r = run(io, codes.consume(code, client, at != 0 ? at : now));
    REQUIRE_MESSAGE(ok(r), "consume failed: " << r.error().message());
    return *r;
  }
  bool attach(const std::string& code, std::string family, std::string jti, std::int64_t exp) {
    auto r = run(io, codes.attach_tokens(code, family, jti, exp));
    REQUIRE_MESSAGE(ok(r), "attach_tokens failed: " << r.error().message());
    return *r;
  }
  std::string code_key(const std::string& code) { return codes.code_key(refresh_token_hash(code)); }
};

// A client that was never started: every command fails at once with not_connected, so a store
// answering through it without an error did not ask Redis.
struct unreachable {
  asio::io_context io;
  oauth::redis::client redis{io.get_executor(), rt::options()};
  redis_session_store sessions{redis, "test:unreachable:session:"};
  redis_authorization_code_store codes{redis, "test:unreachable:code:"};
  ~unreachable() {
    redis.stop();
    io.restart();
    io.run_for(2s);
  }
};

} // namespace

// --- login sessions ---------------------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "session: create, find, destroy") {
  const auto c = create("user-1");
  CHECK(c.id.size() == 43);
  CHECK(c.session.csrf_token.size() == 43);
  CHECK(c.session.csrf_token != c.id);
  CHECK(c.session.user_id == "user-1");
  CHECK(c.session.created_at == now);
  CHECK(c.session.auth_time == now);
  CHECK(create("user-1").id != c.id);  // a fresh id at every login

  auto s = find(c.id, now + 10);
  REQUIRE(s.has_value());
  CHECK(s->user_id == "user-1");
  CHECK(s->csrf_token == c.session.csrf_token);
  CHECK(s->created_at == now);
  CHECK(s->auth_time == now);
  auto h = cmd({"HGETALL", session_key(c.id)});
  CHECK(h.elements.size() == 8);  // uid, cat, at, abs

  CHECK_FALSE(find(oauth::random_token(), now).has_value());  // unknown
  REQUIRE(ok(run(io, sessions.destroy(c.id))));
  CHECK_FALSE(find(c.id, now + 10).has_value());
  CHECK(cmd({"EXISTS", session_key(c.id)}).integer == 0);
  CHECK(cmd({"SISMEMBER", sessions.user_index_key("user-1"), refresh_token_hash(c.id)}).integer == 0);
  // Ending what is not there (again, or never was) is not an error.
  CHECK(ok(run(io, sessions.destroy(c.id))));
  CHECK(ok(run(io, sessions.destroy(oauth::random_token()))));
}

TEST_CASE_FIXTURE(fixture, "session: the key expires after the idle timeout, and every find slides it") {
  const auto c = create("u1", 7200s, 1800s);
  const auto key = session_key(c.id);
  auto t = pttl(key);
  CHECK(t <= 1'800'000);
  CHECK(t > 1'740'000);
  // As if the session had been idle for all but 5 s of its timeout:
  cmd({"PEXPIRE", key, "5000"});
  REQUIRE(find(c.id, now + 1795).has_value());
  t = pttl(key);
  CHECK(t <= 1'800'000);
  CHECK(t > 1'740'000);
  // The idle timeout is the caller's at every find.
  REQUIRE(find(c.id, now + 1800, 600s).has_value());
  t = pttl(key);
  CHECK(t <= 600'000);
  CHECK(t > 540'000);
}

TEST_CASE_FIXTURE(fixture, "session: an idle session is gone from Redis, and then not found") {
  const auto c = create("u1", 7200s, 1s);
  const auto key = session_key(c.id);
  CHECK(pttl(key) <= 1000);
  // Waits for the expiry (an event), never for a fixed time; a find would slide it, so EXISTS.
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (cmd({"EXISTS", key}).integer == 1 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(50ms);
  REQUIRE(cmd({"EXISTS", key}).integer == 0);
  CHECK_FALSE(find(c.id, oauth::unix_now()).has_value());
  // The next login prunes the ended session from the user's index.
  const auto next = create("u1");
  auto members = cmd({"SMEMBERS", sessions.user_index_key("u1")});
  REQUIRE(members.elements.size() == 1);
  CHECK(members.elements[0].str == refresh_token_hash(next.id));
}

TEST_CASE_FIXTURE(fixture, "session: the absolute expiry wins over sliding") {
  const auto c = create("u1", 100s, 1800s);
  const auto key = session_key(c.id);
  auto t = pttl(key);
  CHECK(t <= 100'000);  // min(idle, ttl)
  CHECK(t > 40'000);
  // 60 s later, a find with an idle timeout of 1800 s slides only up to the absolute expiry.
  REQUIRE(find(c.id, now + 60).has_value());
  t = pttl(key);
  CHECK(t <= 40'000);
  CHECK(t > 0);
  // At the absolute expiry: not found however recently used, and deleted.
  CHECK_FALSE(find(c.id, now + 100).has_value());
  CHECK(cmd({"EXISTS", key}).integer == 0);
  CHECK(cmd({"SISMEMBER", sessions.user_index_key("u1"), refresh_token_hash(c.id)}).integer == 0);
  // A ttl shorter than the idle timeout also caps the key's first expiry; below 1 s is 1 s.
  CHECK(pttl(session_key(create("u1", 0s, 0s).id)) <= 1000);
}

TEST_CASE_FIXTURE(fixture, "session: destroy_all_for_user ends every session of that user only") {
  std::vector<created_session> mine{create("alice", 7200s), create("alice", 3600s), create("alice", 600s)};
  const auto other = create("bob");
  const auto index = sessions.user_index_key("alice");
  CHECK(cmd({"SCARD", index}).integer == 3);
  // The index outlives its longest session.
  CHECK(pttl(index) > 7'100'000);
  CHECK(pttl(index) <= 7'200'000);

  auto n = run(io, sessions.destroy_all_for_user("alice"));
  REQUIRE(ok(n));
  CHECK(*n == 3);
  for (const auto& c : mine) {
    CHECK_FALSE(find(c.id, now).has_value());
    CHECK(cmd({"EXISTS", session_key(c.id)}).integer == 0);
  }
  CHECK(cmd({"EXISTS", index}).integer == 0);
  CHECK(find(other.id, now).has_value());

  n = run(io, sessions.destroy_all_for_user("alice"));
  REQUIRE(ok(n));
  CHECK(*n == 0);
  // A login after it is a new, live session.
  const auto again = create("alice");
  CHECK(find(again.id, now).has_value());
  CHECK(cmd({"SCARD", index}).integer == 1);
}

TEST_CASE("session: a malformed id is not found, and Redis is not asked") {
  unreachable u;
  for (const auto& id : malformed_tokens()) {
    auto r = run(u.io, u.sessions.find(id, oauth::unix_now(), 1800s));
    REQUIRE(ok(r));
    CHECK_FALSE(r->has_value());
    CHECK(ok(run(u.io, u.sessions.destroy(id))));
  }
  // A well-formed one does reach Redis (here: the unstarted client's error).
  CHECK_FALSE(ok(run(u.io, u.sessions.find(oauth::random_token(), oauth::unix_now(), 1800s))));
}

// --- authorization codes ---------------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "code: issued, consumed once with its record, then a replay") {
  const std::string code = issue(60s);
  CHECK(code.size() == 43);
  const auto key = code_key(code);
  // The record outlives the code's validity by the replay window.
  auto t = cmd({"TTL", key}).integer;
  CHECK(t <= 660);
  CHECK(t > 600);
  CHECK(cmd({"HGET", key, "st"}).str == "fresh");

  auto r = consume(code);
  CHECK(r.outcome == code_outcome::fresh);
  CHECK(r.record.client_id == "c1");
  CHECK(r.record.redirect_uri == "https://app.example/cb?x=1&y=2");
  CHECK(r.record.redirect_uri_sent);
  CHECK(r.record.user_id == "u1");
  CHECK(r.record.scopes == std::vector<std::string>{"read-posts", "write-posts"});
  CHECK(r.record.code_challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  CHECK(r.record.auth_time == now - 5);
  CHECK(r.record.expires_at == now + 60);
  CHECK(r.family_id.empty());
  CHECK(cmd({"HGET", key, "st"}).str == "used");
  CHECK(cmd({"HEXISTS", key, "rep"}).integer == 0);

  auto again = consume(code);
  CHECK(again.outcome == code_outcome::replayed);
  CHECK(again.record.user_id == "u1");
  CHECK(again.record.client_id == "c1");
  CHECK(cmd({"HGET", key, "rep"}).str == "1");
  CHECK(consume(code).outcome == code_outcome::replayed);

  // No redirect URI sent, no challenge.
  auto rec = code_record();
  rec.redirect_uri_sent = false;
  rec.code_challenge.clear();
  rec.scopes.clear();
  auto plain = run(io, codes.issue(rec, now, 60s));
  REQUIRE(ok(plain));
  auto p = consume(*plain);
  REQUIRE(p.outcome == code_outcome::fresh);
  CHECK_FALSE(p.record.redirect_uri_sent);
  CHECK(p.record.code_challenge.empty());
  CHECK(p.record.scopes.empty());
  CHECK(consume(oauth::random_token()).outcome == code_outcome::invalid);  // unknown
}

TEST_CASE_FIXTURE(fixture, "code: 16 concurrent exchanges of one code: exactly one is fresh, the rest replays") {
  const std::string code = issue();
  std::vector<code_outcome> outcomes;
  int finished = 0;
  for (int i = 0; i < 16; ++i) {
    asio::co_spawn(io, codes.consume(code, "c1", now), [&](std::exception_ptr e, store_result<consume_result> r) {
      ++finished;
      REQUIRE(e == nullptr);
      REQUIRE(ok(r));
      outcomes.push_back(r->outcome);
    });
  }
  io.restart();
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (finished < 16 && std::chrono::steady_clock::now() < until) io.run_one_for(50ms);
  REQUIRE(finished == 16);
  CHECK(std::count(outcomes.begin(), outcomes.end(), code_outcome::fresh) == 1);
  CHECK(std::count(outcomes.begin(), outcomes.end(), code_outcome::replayed) == 15);
}

TEST_CASE_FIXTURE(fixture, "code: another client can neither use nor burn a code") {
  const std::string code = issue();
  const auto key = code_key(code);
  auto r = consume(code, "c2");
  CHECK(r.outcome == code_outcome::wrong_client);
  CHECK(r.record.user_id.empty());  // nothing of the grant leaks to the other client
  CHECK(cmd({"HGET", key, "st"}).str == "fresh");
  CHECK(consume(code, "c1").outcome == code_outcome::fresh);
  // Nor, once used, trigger the replay that revokes the right client's tokens.
  CHECK(attach(code, "fam-1", "jti-1", now + 3600) == false);
  CHECK(consume(code, "c2").outcome == code_outcome::wrong_client);
  CHECK(cmd({"HEXISTS", key, "rep"}).integer == 0);
  CHECK(attach(code, "fam-1", "jti-1", now + 3600) == false);
}

TEST_CASE_FIXTURE(fixture, "code: an expired code is invalid; once used, it stays a replay after expiry") {
  const std::string code = issue(60s);
  CHECK(consume(code, "c1", now + 60).outcome == code_outcome::invalid);
  CHECK(consume(code, "c1", now + 3600).outcome == code_outcome::invalid);
  CHECK(cmd({"HGET", code_key(code), "st"}).str == "fresh");  // the refusal changed nothing
  CHECK(consume(code, "c1", now + 59).outcome == code_outcome::fresh);

  // Presented again after its expiry, within the replay window: still a replay.
  REQUIRE(attach(code, "fam-late", "jti-late", now + 3600) == false);
  auto r = consume(code, "c1", now + 300);
  CHECK(r.outcome == code_outcome::replayed);
  CHECK(r.family_id == "fam-late");
  // A ttl below one second is one second.
  const std::string brief = issue(0s);
  CHECK(consume(brief, "c1", now + 1).outcome == code_outcome::invalid);
  CHECK(consume(brief, "c1", now).outcome == code_outcome::fresh);
}

TEST_CASE_FIXTURE(fixture, "code: a replay after attach_tokens returns what the first exchange issued") {
  const std::string code = issue();
  REQUIRE(consume(code).outcome == code_outcome::fresh);
  CHECK(attach(code, "fam-9", "jti-9", now + 7200) == false);
  auto r = consume(code);
  CHECK(r.outcome == code_outcome::replayed);
  CHECK(r.family_id == "fam-9");
  CHECK(r.access_token_jti == "jti-9");
  CHECK(r.access_token_exp == now + 7200);
  CHECK(r.record.user_id == "u1");

  // A client without refresh tokens: no family, the access token only.
  const std::string other = issue();
  REQUIRE(consume(other).outcome == code_outcome::fresh);
  CHECK(attach(other, "", "jti-only", now + 60) == false);
  r = consume(other);
  CHECK(r.outcome == code_outcome::replayed);
  CHECK(r.family_id.empty());
  CHECK(r.access_token_jti == "jti-only");
}

TEST_CASE_FIXTURE(fixture, "code: what the consume planned is what a replay finds, with no attach_tokens at all") {
  const std::string code = issue();
  auto first = run(io, codes.consume(code, "c1", now, planned_tokens{"", "jti-planned", now + 7200}));
  REQUIRE(ok(first));
  REQUIRE(first->outcome == code_outcome::fresh);
  auto r = consume(code);
  CHECK(r.outcome == code_outcome::replayed);
  CHECK(r.family_id.empty());
  CHECK(r.access_token_jti == "jti-planned");
  CHECK(r.access_token_exp == now + 7200);
  // A replay does not overwrite the plan, and an unplanned consume leaves nothing attached.
  auto replay = run(io, codes.consume(code, "c1", now, planned_tokens{"fam-x", "jti-x", now + 1}));
  REQUIRE(ok(replay));
  CHECK(replay->access_token_jti == "jti-planned");
  const std::string plain = issue();
  REQUIRE(consume(plain).outcome == code_outcome::fresh);
  CHECK(consume(plain).access_token_jti.empty());
}

TEST_CASE_FIXTURE(fixture, "code: a replay before attach_tokens is reported by attach_tokens") {
  const std::string code = issue();
  REQUIRE(consume(code).outcome == code_outcome::fresh);
  auto r = consume(code);  // the replay wins the race against the first exchange's attach
  CHECK(r.outcome == code_outcome::replayed);
  CHECK(r.family_id.empty());
  CHECK(r.access_token_jti.empty());
  CHECK(r.access_token_exp == 0);
  CHECK(attach(code, "fam-2", "jti-2", now + 7200) == true);
  // Later replays see what was attached (the caller revokes it anyway).
  CHECK(consume(code).family_id == "fam-2");
  // A code whose record is gone cannot link tokens to it: reported the same way.
  const std::string gone = issue();
  REQUIRE(consume(gone).outcome == code_outcome::fresh);
  cmd({"DEL", code_key(gone)});
  CHECK(attach(gone, "fam-3", "jti-3", now + 7200) == true);
}

TEST_CASE_FIXTURE(fixture, "code: NUL bytes and garbage are invalid") {
  const std::string code = issue();
  std::string with_nul = code;
  with_nul[5] = '\0';
  CHECK(consume(with_nul).outcome == code_outcome::invalid);
  CHECK(consume(code + std::string(1, '\0')).outcome == code_outcome::invalid);
  CHECK(consume(code.substr(0, 42)).outcome == code_outcome::invalid);
  CHECK(consume(code + code).outcome == code_outcome::invalid);
  CHECK(consume("' or 1=1 --").outcome == code_outcome::invalid);
  CHECK(cmd({"HGET", code_key(code), "st"}).str == "fresh");  // none of them touched it
  CHECK(consume(code).outcome == code_outcome::fresh);
}

TEST_CASE("code: malformed codes are invalid without asking Redis") {
  unreachable u;
  for (const auto& code : malformed_tokens()) {
    auto r = run(u.io, u.codes.consume(code, "c1", oauth::unix_now()));
    REQUIRE(ok(r));
    CHECK(r->outcome == code_outcome::invalid);
    auto a = run(u.io, u.codes.attach_tokens(code, "f", "j", 1));
    REQUIRE(ok(a));
    CHECK(*a == true);
  }
  CHECK_FALSE(ok(run(u.io, u.codes.consume(oauth::random_token(), "c1", oauth::unix_now()))));
}

// --- both -------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "no key or value in Redis holds a session id, a CSRF token or a code") {
  const auto s = create("u-scan");
  const std::string code = issue();
  REQUIRE(consume(code).outcome == code_outcome::fresh);
  REQUIRE(attach(code, "fam-scan", "jti-scan", now + 60) == false);
  REQUIRE(consume(code).outcome == code_outcome::replayed);
  const std::vector<std::string> secrets{s.id, s.session.csrf_token, code};
  // The records are there, under the hashes.
  REQUIRE(cmd({"EXISTS", session_key(s.id)}).integer == 1);
  REQUIRE(cmd({"EXISTS", code_key(code)}).integer == 1);

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
        for (const auto& secret : secrets)
          CHECK_MESSAGE(t.find(secret) == std::string::npos, "plaintext secret in key " << k.str);
    }
  } while (cursor != "0");
  CHECK(scanned >= 3);  // the session, the user's index, the code
}

TEST_CASE_FIXTURE(fixture, "Redis down: both stores report an error, and work again after a restart") {
  rt::server_guard guard;
  const auto before = create("u-down");
  const std::string code = issue(600s);
  oauth::test::services("stop", "redis");

  CHECK_FALSE(ok(run(io, sessions.create("u-down", now, 7200s, 1800s))));
  CHECK_FALSE(ok(run(io, sessions.find(before.id, now, 1800s))));
  CHECK_FALSE(ok(run(io, sessions.destroy(before.id))));
  CHECK_FALSE(ok(run(io, sessions.destroy_all_for_user("u-down"))));
  CHECK_FALSE(ok(run(io, codes.issue(code_record(), now, 60s))));
  CHECK_FALSE(ok(run(io, codes.consume(code, "c1", now))));
  CHECK_FALSE(ok(run(io, codes.attach_tokens(code, "f", "j", now))));

  oauth::test::services("start", "redis");
  REQUIRE(oauth::test::eventually_on(io, [&] { return redis.connected(); }, 15s));
  // Append-only persistence: what was stored before the restart is still there, unchanged.
  auto s = find(before.id, now);
  REQUIRE(s.has_value());
  CHECK(s->user_id == "u-down");
  CHECK(consume(code).outcome == code_outcome::fresh);
}
