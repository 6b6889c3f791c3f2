// The Redis stores of the browser flow against the real server: login sessions (idle and
// absolute expiry, the per-user index, logout everywhere) and authorization codes (single
// use, expiry, replay detection and the race with the refresh family), no plaintext secret at
// rest, malformed input refused before Redis, and Redis going away and coming back.
// Expiries are checked through PTTL and the stores' `now` parameter, not by sleeping: the
// suite runs on loaded machines.
#include "auth-service/storage/redis_authorization_code_store.hpp"
#include "auth-service/storage/redis_session_store.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/encoding.hpp"
#include "common/random.hpp"
#include "common/time.hpp"
#include "tests/integration/redis_test_support.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
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
  oauth::redis::client redis{io.get_executor(), rt::identifying_options()};
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

  // The store sees codes only as text: any base64url string of a code's length will do.
  std::string issue(std::chrono::seconds ttl = 60s) {
    std::string code = oauth::base64url_encode(oauth::random_bytes(230));
    auto r = run(io, codes.remember(code, ttl));
    REQUIRE_MESSAGE(ok(r), "remember failed: " << r.error().message());
    return code;
  }
  code_outcome consume(const std::string& code, std::int64_t expires_at = 0) {
    auto r = run(io, codes.consume(code, expires_at == 0 ? now + 60 : expires_at));
    REQUIRE_MESSAGE(ok(r), "consume failed: " << r.error().message());
    return *r;
  }
  // `expires_at`: 0 = expired a minute ago.
  code_outcome check_expired(const std::string& code, std::int64_t expires_at = 0) {
    auto r = run(io, codes.check_expired(code, expires_at == 0 ? now - 60 : expires_at));
    REQUIRE_MESSAGE(ok(r), "check_expired failed: " << r.error().message());
    return *r;
  }
  bool replayed(const std::string& code) {
    auto r = run(io, codes.replayed(code));
    REQUIRE_MESSAGE(ok(r), "replayed failed: " << r.error().message());
    return *r;
  }
  std::string code_key(const std::string& code) { return codes.code_key(refresh_token_hash(code)); }
  // Waits (for an event, 30 s at most) until no AOF rewrite runs or is scheduled.
  void wait_for_no_aof_rewrite() {
    const auto until = std::chrono::steady_clock::now() + 30s;
    for (;;) {
      const std::string info = cmd({"INFO", "persistence"}).str;
      if (info.find("aof_rewrite_in_progress:0") != std::string::npos &&
          info.find("aof_rewrite_scheduled:0") != std::string::npos)
        return;
      REQUIRE(std::chrono::steady_clock::now() < until);
      std::this_thread::sleep_for(20ms);
    }
  }
  std::string replayed_key(const std::string& code) { return codes.replayed_key(refresh_token_hash(code)); }
  // The id of the Redis server now running (client::eval_with_server_id).
  std::string server_id() { return rt::server_id(io, redis); }
  // Every file of the append-only log, as one text: this suite's Redis runs on this machine.
  // (Its size is no probe: keys of earlier tests expire meanwhile, and each expiry logs a DEL.)
  std::string aof_contents() {
    const auto dir = cmd({"CONFIG", "GET", "dir"});
    const auto sub = cmd({"CONFIG", "GET", "appenddirname"});
    REQUIRE(dir.elements.size() == 2);
    REQUIRE(sub.elements.size() == 2);
    const std::filesystem::path log_dir = std::filesystem::path(dir.elements[1].str) / sub.elements[1].str;
    REQUIRE(std::filesystem::is_directory(log_dir));
    std::string all;
    for (const auto& entry : std::filesystem::directory_iterator(log_dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      REQUIRE(in);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }
  // A key as the log writes it in a command (one of ours is a prefix of another's).
  static std::string as_logged(const std::string& key) {
    return "$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
  }
};

// A client that was never started: every command fails at once with not_connected, so a store
// answering through it without an error did not ask Redis.
struct unreachable {
  asio::io_context io;
  oauth::redis::client redis{io.get_executor(), rt::identifying_options()};
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

TEST_CASE_FIXTURE(fixture, "session: the key expires after the idle timeout, and a find slides it back") {
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

TEST_CASE_FIXTURE(fixture, "session: a find rewrites the expiry only when it strays more than the slack") {
  CHECK(oauth::auth::session_slide_slack_ms(1'800'000) == 60'000);
  CHECK(oauth::auth::session_slide_slack_ms(600'000) == 20'000);
  CHECK(oauth::auth::session_slide_slack_ms(1'000) == 33);
  const auto c = create("u1", 7200s, 1800s);
  const auto key = session_key(c.id);
  // 30 s short of the idle timeout: within the slack, the find leaves the key alone.
  cmd({"PEXPIRE", key, "1770000"});
  REQUIRE(find(c.id, now).has_value());
  auto t = pttl(key);
  CHECK(t <= 1'770'000);
  CHECK(t > 1'700'000);
  // 70 s short: the find slides it back to the full idle timeout.
  cmd({"PEXPIRE", key, "1730000"});
  REQUIRE(find(c.id, now).has_value());
  t = pttl(key);
  CHECK(t > 1'770'000);
  CHECK(t <= 1'800'000);
  // Longer than the caller's idle timeout by more than the slack: shortened.
  REQUIRE(find(c.id, now, 1000s).has_value());
  t = pttl(key);
  CHECK(t <= 1'000'000);
  CHECK(t > 940'000);
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
  // 70 s later, a find with an idle timeout of 1800 s slides only up to the absolute expiry.
  REQUIRE(find(c.id, now + 70).has_value());
  t = pttl(key);
  CHECK(t <= 30'000);
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

TEST_CASE_FIXTURE(fixture, "code: remembered fresh under its hash, consumed once, then every presentation a replay") {
  const std::string code = issue(60s);
  const auto key = code_key(code);
  // The state outlives the code's validity by the replay window.
  auto t = cmd({"TTL", key}).integer;
  CHECK(t <= 660);
  CHECK(t > 600);
  CHECK(cmd({"GET", key}).str == "f:" + server_id());
  CHECK_FALSE(replayed(code));

  // The used state is kept until the replay window after the code's own expiry.
  CHECK(consume(code, now + 30) == code_outcome::fresh);
  CHECK(cmd({"GET", key}).str == "u");
  t = cmd({"TTL", key}).integer;
  CHECK(t <= 630);
  CHECK(t > 620);
  CHECK_FALSE(replayed(code));
  CHECK(cmd({"EXISTS", replayed_key(code)}).integer == 0);

  CHECK(consume(code) == code_outcome::replayed);
  CHECK(replayed(code));
  auto rt = cmd({"TTL", replayed_key(code)}).integer;
  CHECK(rt <= 600);
  CHECK(rt > 590);
  CHECK(consume(code) == code_outcome::replayed);
  CHECK(replayed(code));  // for good: later presentations do not clear it

  // Remembering a used code again cannot make it fresh.
  CHECK_FALSE(ok(run(io, codes.remember(code, 60s))));
  CHECK(cmd({"GET", key}).str == "u");
  // Unknown: never remembered (or forgotten by a restart). Refused, handled as a replay (it may
  // have been exchanged before its state was lost), and used from then on: a code is fresh
  // only while its fresh state is there.
  const std::string unknown = oauth::random_token();
  CHECK(consume(unknown) == code_outcome::forgotten);
  CHECK(replayed(unknown));
  CHECK(cmd({"GET", code_key(unknown)}).str == "u");
  CHECK(cmd({"TTL", code_key(unknown)}).integer > 600);
  CHECK(consume(unknown) == code_outcome::replayed);
  // An expiry already past (the grant sends such codes to check_expired, never here) still
  // keeps the used state for the window.
  const std::string skewed = issue();
  CHECK(consume(skewed, now - 3600) == code_outcome::fresh);
  CHECK(cmd({"TTL", code_key(skewed)}).integer > 590);
  // A ttl below one second is one second.
  const std::string brief = issue(0s);
  CHECK(cmd({"TTL", code_key(brief)}).integer > 600);
}

TEST_CASE_FIXTURE(fixture, "code: 16 concurrent exchanges of one code: exactly one is fresh, the rest replays") {
  const std::string code = issue();
  std::vector<code_outcome> outcomes;
  int finished = 0;
  for (int i = 0; i < 16; ++i) {
    asio::co_spawn(io, codes.consume(code, now + 60), [&](std::exception_ptr e, store_result<code_outcome> r) {
      ++finished;
      REQUIRE(e == nullptr);
      REQUIRE(ok(r));
      outcomes.push_back(*r);
    });
  }
  io.restart();
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (finished < 16 && std::chrono::steady_clock::now() < until) io.run_one_for(50ms);
  REQUIRE(finished == 16);
  CHECK(std::count(outcomes.begin(), outcomes.end(), code_outcome::fresh) == 1);
  CHECK(std::count(outcomes.begin(), outcomes.end(), code_outcome::replayed) == 15);
  CHECK(replayed(code));
}

TEST_CASE_FIXTURE(fixture, "code: past its expiry a fresh code stays unused, a used one is a replay") {
  const std::string never_used = issue();
  CHECK(check_expired(never_used) == code_outcome::invalid);
  CHECK(cmd({"GET", code_key(never_used)}).str == "f:" + server_id());  // not marked used
  CHECK_FALSE(replayed(never_used));

  const std::string used = issue();
  REQUIRE(consume(used) == code_outcome::fresh);
  CHECK_FALSE(replayed(used));
  CHECK(check_expired(used) == code_outcome::replayed);
  CHECK(replayed(used));  // recorded, as a consume would

  // No state within the replay window after the expiry: lost (a restart), so maybe used, and
  // handled as a replay. Past the window: the normal end of every code, nothing recorded.
  const std::string lost = oauth::random_token();
  CHECK(check_expired(lost) == code_outcome::forgotten);
  CHECK(replayed(lost));
  const std::string ended = oauth::random_token();
  CHECK(check_expired(ended, now - 601) == code_outcome::invalid);
  CHECK_FALSE(replayed(ended));
  CHECK(cmd({"EXISTS", code_key(ended)}).integer == 0);
}

TEST_CASE_FIXTURE(fixture, "code: a replay is recorded before it is answered, so the first exchange sees it") {
  // The race the refresh family needs closed: the first exchange consumes, a replay comes and
  // is answered (it found no family yet), then the first exchange asks.
  const std::string code = issue();
  REQUIRE(consume(code) == code_outcome::fresh);
  REQUIRE_FALSE(replayed(code));
  REQUIRE(consume(code) == code_outcome::replayed);
  CHECK(replayed(code));
}

TEST_CASE_FIXTURE(fixture, "code: while_waiting runs exactly once, whatever the outcome") {
  int runs = 0;
  auto count = [&runs] { ++runs; };
  const std::string code = issue();
  REQUIRE(ok(run(io, codes.consume(code, now + 60, count))));
  CHECK(runs == 1);
  REQUIRE(ok(run(io, codes.consume(code, now + 60, count))));  // a replay
  CHECK(runs == 2);
  REQUIRE(ok(run(io, codes.consume("not a code", now + 60, count))));  // refused without Redis
  CHECK(runs == 3);
  unreachable u;
  CHECK_FALSE(ok(run(u.io, u.codes.consume(oauth::random_token(), oauth::unix_now() + 60, count))));  // not connected
  CHECK(runs == 4);
}

TEST_CASE_FIXTURE(fixture, "code: NUL bytes and garbage are invalid and touch nothing") {
  const std::string code = issue();
  std::string with_nul = code;
  with_nul[5] = '\0';
  CHECK(consume(with_nul) == code_outcome::invalid);
  CHECK(consume(code + std::string(1, '\0')) == code_outcome::invalid);
  // A prefix or a doubling of the code: base64url or not depending on its last character's
  // spare bits. Refused unseen when not; when it is, well-formed text that no state belongs to,
  // which the store cannot tell from a code it lost (the grant asks only for codes whose seal
  // it opened): handled as a replay. Never fresh either way.
  for (const auto& near : {code.substr(0, 42), code + code}) {
    const auto outcome = consume(near);
    CHECK_MESSAGE((outcome == code_outcome::invalid || outcome == code_outcome::forgotten), near.size());
  }
  CHECK(consume("' or 1=1 --") == code_outcome::invalid);
  CHECK(cmd({"GET", code_key(code)}).str == "f:" + server_id());  // none of them touched it
  CHECK(consume(code) == code_outcome::fresh);
}

TEST_CASE("code: malformed codes are invalid without asking Redis") {
  unreachable u;
  for (const auto& code : malformed_tokens()) {
    if (code.size() <= 2048 && oauth::base64url_decode(code)) continue;  // well-formed text: asks Redis
    auto r = run(u.io, u.codes.consume(code, oauth::unix_now() + 60));
    REQUIRE(ok(r));
    CHECK(*r == code_outcome::invalid);
    auto e = run(u.io, u.codes.check_expired(code, oauth::unix_now() - 60));
    REQUIRE(ok(e));
    CHECK(*e == code_outcome::invalid);
    auto rep = run(u.io, u.codes.replayed(code));
    REQUIRE(ok(rep));
    CHECK(*rep == true);  // nothing links tokens to such a code: they must not be handed out
  }
  CHECK_FALSE(ok(run(u.io, u.codes.consume(oauth::random_token(), oauth::unix_now() + 60))));
}

// --- both -------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "no key or value in Redis holds a session id, a CSRF token or a code") {
  const auto s = create("u-scan");
  const std::string code = issue();
  REQUIRE(consume(code) == code_outcome::fresh);
  REQUIRE(consume(code) == code_outcome::replayed);
  const std::vector<std::string> secrets{s.id, s.session.csrf_token, code};
  // The records are there, under the hashes.
  REQUIRE(cmd({"EXISTS", session_key(s.id)}).integer == 1);
  REQUIRE(cmd({"EXISTS", code_key(code)}).integer == 1);
  REQUIRE(cmd({"EXISTS", replayed_key(code)}).integer == 1);

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
  CHECK(scanned >= 4);  // the session, the user's index, the code and its replay
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
  CHECK_FALSE(ok(run(io, codes.remember(oauth::random_token(), 60s))));
  CHECK_FALSE(ok(run(io, codes.consume(code, now + 60))));
  CHECK_FALSE(ok(run(io, codes.check_expired(code, now - 60))));
  CHECK_FALSE(ok(run(io, codes.replayed(code))));

  oauth::test::services("start", "redis");
  REQUIRE(oauth::test::eventually_on(io, [&] { return redis.connected(); }, 15s));
  // Append-only persistence: the session stored before the restart is still there, unchanged;
  // the fresh code is not (see the last test), and the store answers again.
  auto s = find(before.id, now);
  REQUIRE(s.has_value());
  CHECK(s->user_id == "u-down");
  CHECK(consume(issue()) == code_outcome::fresh);
}

TEST_CASE_FIXTURE(fixture, "code: no code state reaches the append-only file") {
  // Neither the authorize's write nor the exchange's waits for an fsync: neither reaches the log.
  const auto setting = cmd({"CONFIG", "GET", "auto-aof-rewrite-percentage"});
  REQUIRE(setting.elements.size() == 2);
  cmd({"CONFIG", "SET", "auto-aof-rewrite-percentage", "0"});
  wait_for_no_aof_rewrite();
  const std::string code = issue();
  REQUIRE(consume(code) == code_outcome::fresh);
  const std::string unused = issue();
  auto logged = aof_contents();
  CHECK(logged.find(as_logged(code_key(code))) == std::string::npos);
  CHECK(logged.find(as_logged(code_key(unused))) == std::string::npos);
  // The probe sees a logged write: a replay's marker is one (replays are rare).
  REQUIRE(consume(code) == code_outcome::replayed);
  logged = aof_contents();
  CHECK(logged.find(as_logged(replayed_key(code))) != std::string::npos);
  CHECK(logged.find(as_logged(code_key(code))) == std::string::npos);
  cmd({"CONFIG", "SET", "auto-aof-rewrite-percentage", setting.elements[1].str});
}

TEST_CASE_FIXTURE(fixture, "code: a server that was a replica and is master again holds no fresh code") {
  // A failover and a failback within a code's life: the server is the same process again, and
  // may hold fresh states a replica's full resync copied back to it, whose use it never saw.
  // Its new term as master has a new replication id. Here the role change is made by hand,
  // then connections are closed as Sentinel does when it changes a server's role.
  const std::string code = issue();
  const std::string used_before = issue();
  REQUIRE(consume(used_before) == code_outcome::fresh);
  const std::string old_id = server_id();
  oauth::redis::client sentinel{io.get_executor(), rt::options()};
  rt::start_and_wait(io, sentinel);
  {
    struct promote_on_exit {
      asio::io_context& io;
      oauth::redis::client& c;
      ~promote_on_exit() { run(io, c.command({"REPLICAOF", "NO", "ONE"})); }
    } restore{io, sentinel};
    // A master that nobody listens on: the server stays a replica with its data.
    const auto demoted = run(io, sentinel.command({"REPLICAOF", "127.0.0.1", "1"}));
    REQUIRE((ok(demoted) && demoted->is_ok()));
  }
  const auto killed = run(io, sentinel.command({"CLIENT", "KILL", "TYPE", "normal"}));
  REQUIRE(ok(killed));
  REQUIRE(oauth::test::eventually_on(io, [&] { return redis.connects() >= 2 && redis.connected(); }, 15s));
  const std::string new_id = server_id();
  CHECK(new_id.substr(0, 40) == old_id.substr(0, 40));  // the same process
  CHECK(new_id != old_id);                              // in another term
  CHECK(cmd({"GET", code_key(code)}).str == "f:" + old_id);
  CHECK(consume(code) == code_outcome::forgotten);
  CHECK(consume(used_before) == code_outcome::replayed);
  CHECK(consume(issue()) == code_outcome::fresh);
  sentinel.stop();
}

TEST_CASE_FIXTURE(fixture, "code: after a restart no code is fresh, not even one whose fresh state was on disk") {
  rt::server_guard guard;
  // No AOF rewrite may start on its own in between: the test decides what the file holds. The
  // restart resets the setting.
  cmd({"CONFIG", "SET", "auto-aof-rewrite-percentage", "0"});
  wait_for_no_aof_rewrite();
  // Fresh states that an AOF rewrite captured in the file: one exchanged after the rewrite (its
  // "u" reached no file: the double exchange a restart must not allow), one never exchanged.
  const std::string captured_used = issue(600s);
  const std::string captured_unused = issue(600s);
  const auto rewrite = cmd({"BGREWRITEAOF"});
  REQUIRE_MESSAGE(!rewrite.is_error(), rewrite.str);
  wait_for_no_aof_rewrite();
  REQUIRE(consume(captured_used, now + 600) == code_outcome::fresh);
  // And states that only ever lived in memory.
  const std::string fresh = issue(600s);
  const std::string used = issue(600s);
  REQUIRE(consume(used, now + 600) == code_outcome::fresh);
  const std::string old_id = server_id();

  oauth::test::services("stop", "redis");
  REQUIRE(oauth::test::eventually_on(io, [&] { return !redis.connected(); }, 15s));
  oauth::test::services("start", "redis");
  REQUIRE(oauth::test::eventually_on(io, [&] { return redis.connected(); }, 15s));
  REQUIRE(server_id() != old_id);

  // The captured fresh states are back, with the old process's id: refused, and handled
  // as replays (the first may have been exchanged; it was).
  CHECK(cmd({"GET", code_key(captured_used)}).str == "f:" + old_id);
  CHECK(consume(captured_used, now + 600) == code_outcome::forgotten);
  CHECK(consume(captured_unused, now + 600) == code_outcome::forgotten);
  // The ones only in memory are gone: refused, and handled as replays too (the replay of a
  // code exchanged before the restart still revokes what it issued).
  CHECK(cmd({"EXISTS", code_key(fresh)}).integer == 0);
  CHECK(cmd({"EXISTS", code_key(used)}).integer == 0);
  CHECK(consume(fresh, now + 600) == code_outcome::forgotten);
  CHECK(consume(used, now + 600) == code_outcome::forgotten);
  CHECK(replayed(used));
  // Each of them is used from then on, and codes issued by the new process work.
  CHECK(consume(captured_used, now + 600) == code_outcome::replayed);
  CHECK(consume(issue()) == code_outcome::fresh);
}
