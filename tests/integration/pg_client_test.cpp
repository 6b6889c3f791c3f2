// The PostgreSQL client against the real server that scripts/services.sh runs.
// Without TEST_DATABASE_URL (or without a server) these tests fail, never skip.
#include "common/pg/connection.hpp"
#include "common/pg/migrate.hpp"
#include "common/pg/pool.hpp"
#include "tests/support/run.hpp"
#include "tests/support/test_env.hpp"

#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace pg = oauth::pg;
using asio::awaitable;
using namespace std::chrono_literals;
using oauth::test::run;

namespace {

pg::pool_options options_for(std::size_t size = 4) {
  pg::pool_options o;
  o.conninfo = oauth::test::database_url();
  o.size = size;
  return o;
}

// Runs a statement that must succeed; fails the test with the server's message otherwise.
awaitable<pg::rows> must(pg::pool& db, std::string_view sql, pg::params values = {}) {
  auto r = co_await db.query(sql, std::move(values));
  if (!r) throw std::runtime_error(std::string(sql) + ": " + r.error().code.message() + ": " + r.error().message);
  co_return std::move(*r);
}

std::string text(const pg::rows& r, int row = 0, int col = 0) { return std::string(r.get(row, col).value()); }

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

// Blocks (a test thread, not an I/O thread) until PostgreSQL shows `sql` as an active
// statement of another session, polling over a plain libpq connection of its own.
bool wait_until_running(const std::string& sql, std::chrono::milliseconds limit) {
  PGconn* conn = PQconnectdb(oauth::test::database_url().c_str());
  bool seen = false;
  auto until = std::chrono::steady_clock::now() + limit;
  const char* params[] = {sql.c_str()};
  while (!seen && PQstatus(conn) == CONNECTION_OK && std::chrono::steady_clock::now() < until) {
    PGresult* r = PQexecParams(conn,
                               "select count(*) from pg_stat_activity where state = 'active' and query = $1 "
                               "and pid <> pg_backend_pid()",
                               1, nullptr, params, nullptr, nullptr, 0);
    seen = PQresultStatus(r) == PGRES_TUPLES_OK && std::string(PQgetvalue(r, 0, 0)) != "0";
    PQclear(r);
    if (!seen) std::this_thread::sleep_for(10ms);
  }
  PQfinish(conn);
  return seen;
}

// Runs io on `threads` threads (the caller's included) until it has no work left.
// Lets posted work (a lease going back to its pool) finish before counters are read.
void settle(asio::io_context& io) {
  io.restart();
  io.poll();
}

void run_threads(asio::io_context& io, int threads) {
  io.restart();
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
}

} // namespace

TEST_CASE("the server is reachable: a missing PostgreSQL fails here, it does not skip") {
  asio::io_context io;
  pg::pool db(io.get_executor(), options_for());
  CHECK(run(io, db.ping()));
}

TEST_CASE("parameters: NULL, Unicode and an injection-looking string stay literal values") {
  asio::io_context io;
  pg::pool db(io.get_executor(), options_for());
  run(io, [](pg::pool& db) -> awaitable<void> {
    auto r = co_await must(db, "select $1::text as nothing, $2::text as word, $3::int + 1 as answer, $4::text as empty",
                           pg::args(std::nullopt, "héllo wörld ✓ 日本語 🎉", 41, ""));
    REQUIRE(r.size() == 1);
    REQUIRE(r.columns() == 4);
    CHECK(r.column_name(2) == "answer");
    CHECK(r.column_index("word") == 1);
    CHECK(r.column_index("WORD") == -1);
    CHECK_FALSE(r.get(0, 0));
    CHECK(r.is_null(0, 0));
    CHECK(r.get(0, "word") == "héllo wörld ✓ 日本語 🎉");
    CHECK(r.get(0, "answer") == "42");
    CHECK(r.get(0, "empty") == "");  // the empty string is not NULL
    CHECK_FALSE(r.is_null(0, 3));
    CHECK_THROWS_AS(r.get(1, 0), std::out_of_range);
    CHECK_THROWS_AS(r.get(0, 4), std::out_of_range);
    CHECK_THROWS_AS(r.get(0, "missing"), std::out_of_range);

    co_await must(db, "drop table if exists pg_test_literals");
    co_await must(db, "create table pg_test_literals (id serial primary key, v text)");
    const std::string evil = "x'); drop table pg_test_literals; --";
    auto ins = co_await must(db, "insert into pg_test_literals (v) values ($1), ($2)", pg::args(evil, "' or '1'='1"));
    CHECK(ins.affected_rows() == 2);
    CHECK(ins.command_tag() == "INSERT 0 2");
    auto back = co_await must(db, "select v from pg_test_literals order by id");
    REQUIRE(back.size() == 2);
    CHECK(back.get(0, 0) == evil);
    CHECK(back.get(1, 0) == "' or '1'='1");
    auto none = co_await must(db, "select v from pg_test_literals where v = $1", pg::args("' or '1'='1' --x"));
    CHECK(none.empty());
    auto upd = co_await must(db, "update pg_test_literals set v = v || '!'");
    CHECK(upd.affected_rows() == 2);
    co_await must(db, "drop table pg_test_literals");
  }(db));
}

TEST_CASE("parameters: a NUL byte is never cut short: refused in text, intact through bytea") {
  asio::io_context io;
  pg::pool db(io.get_executor(), options_for());
  run(io, [](pg::pool& db) -> awaitable<void> {
    const std::string secret("abc\0secret", 10);
    // Text cannot hold U+0000: the client refuses the value instead of sending "abc".
    auto cut = co_await db.query("select $1::text", pg::args(secret));
    REQUIRE_FALSE(cut);
    CHECK(cut.error().is(pg::errc::invalid_parameter));
    auto nul_only = co_await db.query("select $1::text, $2::text", pg::args("fine", std::string(1, '\0')));
    REQUIRE_FALSE(nul_only);
    CHECK(nul_only.error().is(pg::errc::invalid_parameter));
    // The pool is still usable after the refusal.
    CHECK(text(co_await must(db, "select $1::text", pg::args("after"))) == "after");

    // bytea takes every byte; the hex output form shows the NUL and what follows it.
    co_await must(db, "drop table if exists pg_test_bytes");
    co_await must(db, "create table pg_test_bytes (id serial primary key, v bytea not null)");
    co_await must(db, "insert into pg_test_bytes (v) values ($1::bytea)", pg::args(pg::bytea_hex(secret)));
    auto back = co_await must(db, "select v, length(v) from pg_test_bytes");
    CHECK(text(back, 0, 0) == "\\x61626300736563726574");
    CHECK(text(back, 0, 1) == "10");
    co_await must(db, "drop table pg_test_bytes");
  }(db));
}

TEST_CASE("a connection can be used on its own") {
  asio::io_context io;
  run(io, []() -> awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto c = co_await pg::connection::connect(ex, oauth::test::database_url(), 3s);
    REQUIRE(c);
    auto conn = *c;
    auto r = co_await conn->query("select $1::int * 2", pg::args(21), 5s);
    REQUIRE(r);
    CHECK(text(*r) == "42");
    // Several statements in one script; the last one's rows come back.
    auto s = co_await conn->execute_script("select 1; select 2 as two", 5s);
    REQUIRE(s);
    CHECK(text(*s) == "2");
    CHECK(conn->idle_in_session());
    CHECK_FALSE(conn->broken());
  }());
}

TEST_CASE("server errors carry their SQLSTATE and the pool keeps working") {
  asio::io_context io;
  pg::pool db(io.get_executor(), options_for(2));
  run(io, [](pg::pool& db) -> awaitable<void> {
    co_await must(db, "drop table if exists pg_test_unique");
    co_await must(db, "create table pg_test_unique (email text primary key)");
    co_await must(db, "insert into pg_test_unique values ($1)", pg::args("a@example.com"));
    auto dup = co_await db.query("insert into pg_test_unique values ($1)", pg::args("a@example.com"));
    REQUIRE_FALSE(dup);
    CHECK(dup.error().code == pg::errc::query_failed);
    CHECK(dup.error().sqlstate == pg::sqlstate::unique_violation);
    CHECK(dup.error().is_unique_violation());
    CHECK_FALSE(dup.error().message.empty());

    auto syntax = co_await db.query("selec 1");
    REQUIRE_FALSE(syntax);
    CHECK(syntax.error().sqlstate == "42601");
    auto missing = co_await db.query("select * from pg_test_no_such_table");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().sqlstate == "42P01");
    auto bad_input = co_await db.query("select $1::int", pg::args("not a number"));
    REQUIRE_FALSE(bad_input);
    CHECK(bad_input.error().sqlstate == "22P02");
    // The server quotes the bad value; a parameter may be a secret, so it is cut.
    CHECK(bad_input.error().message == "invalid input syntax for type integer");
    auto dup_detail = dup.error().message;
    CHECK(dup_detail.find("a@example.com") == std::string::npos);

    auto count = co_await must(db, "select count(*) from pg_test_unique");
    CHECK(text(count) == "1");
    co_await must(db, "drop table pg_test_unique");
  }(db));
  settle(io);
  CHECK(db.in_use() == 0);
}

TEST_CASE("transactions: commit is visible, rollback is not, a dropped one leaves the pool clean") {
  asio::io_context io;
  // One connection: a leaked open transaction would be seen by the next statement.
  pg::pool db(io.get_executor(), options_for(1));
  run(io, [](pg::pool& db) -> awaitable<void> {
    co_await must(db, "drop table if exists pg_test_tx");
    co_await must(db, "create table pg_test_tx (v text unique)");

    {
      auto tx = co_await db.begin();
      REQUIRE(tx);
      REQUIRE(co_await tx->query("insert into pg_test_tx values ($1)", pg::args("committed")));
      auto c = co_await tx->commit();
      CHECK(c);
      CHECK_FALSE(tx->active());
      auto after = co_await tx->query("select 1");
      REQUIRE_FALSE(after);
      CHECK(after.error().code == pg::errc::closed);
    }
    {
      auto tx = co_await db.begin();
      REQUIRE(tx);
      REQUIRE(co_await tx->query("insert into pg_test_tx values ($1)", pg::args("rolled back")));
      CHECK(co_await tx->rollback());
    }
    {
      auto tx = co_await db.begin();
      REQUIRE(tx);
      REQUIRE(co_await tx->query("insert into pg_test_tx values ($1)", pg::args("dropped")));
      // Goes out of scope without commit or rollback.
    }
    auto seen = co_await must(db, "select v from pg_test_tx order by v");
    REQUIRE(seen.size() == 1);
    CHECK(seen.get(0, 0) == "committed");
    // No transaction block is open on the pooled connection.
    auto l = co_await db.acquire();
    REQUIRE(l);
    // In a leaked block that inserted a row, a transaction id would already be assigned.
    auto fresh = co_await l->query("select pg_current_xact_id_if_assigned() is null");
    REQUIRE(fresh);
    CHECK(text(*fresh) == "t");
    CHECK(l->get()->idle_in_session());
    l->release();

    {
      // A failed statement aborts the block: commit reports the rollback.
      auto tx = co_await db.begin();
      REQUIRE(tx);
      auto dup = co_await tx->query("insert into pg_test_tx values ($1)", pg::args("committed"));
      CHECK(dup.error().is_unique_violation());
      auto c = co_await tx->commit();
      REQUIRE_FALSE(c);
      CHECK(c.error().sqlstate == "25P02");
    }
    auto count = co_await must(db, "select count(*) from pg_test_tx");
    CHECK(text(count) == "1");
    co_await must(db, "drop table pg_test_tx");
  }(db));
  settle(io);
  CHECK(db.total() <= 1);
  CHECK(db.in_use() == 0);
}

TEST_CASE("a statement past query_timeout fails with errc::timeout and the pool still works") {
  asio::io_context io;
  auto o = options_for(1);
  o.query_timeout = 200ms;
  pg::pool db(io.get_executor(), o);
  run(io, [](pg::pool& db) -> awaitable<void> {
    co_await must(db, "select 1");  // connected: the timing below is the statement's only
    auto start = std::chrono::steady_clock::now();
    auto r = co_await db.query("select pg_sleep(2)");
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pg::errc::timeout);
    CHECK(took >= 150ms);
    CHECK(took < 1500ms);
    for (int i = 0; i < 3; ++i) {
      auto ok = co_await must(db, "select $1::int", pg::args(i));
      CHECK(text(ok) == std::to_string(i));
    }
    // Also inside a transaction: the timed-out connection is discarded, not reused.
    auto tx = co_await db.begin();
    REQUIRE(tx);
    auto slow = co_await tx->query("select pg_sleep(2)");
    CHECK(slow.error().code == pg::errc::timeout);
    auto gone = co_await tx->commit();
    CHECK_FALSE(gone);
    CHECK(co_await db.ping());
  }(db));
  settle(io);
  CHECK(db.total() == 1);
}

TEST_CASE("pool exhaustion: a third acquire on a pool of two times out, and works once one is released") {
  asio::io_context io;
  auto o = options_for(2);
  o.acquire_timeout = 200ms;
  pg::pool db(io.get_executor(), o);
  run(io, [](pg::pool& db) -> awaitable<void> {
    auto a = co_await db.acquire();
    auto b = co_await db.acquire();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(db.in_use() == 2);
    CHECK(db.total() == 2);
    CHECK(db.idle() == 0);

    auto start = std::chrono::steady_clock::now();
    auto c = co_await db.acquire();
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(c);
    CHECK(c.error().code == pg::errc::pool_timeout);
    CHECK(took >= 150ms);
    CHECK(took < 1500ms);
    auto q = co_await db.query("select 1");
    CHECK(q.error().code == pg::errc::pool_timeout);

    a->release();
    auto d = co_await db.acquire();
    REQUIRE(d);
    auto one = co_await d->query("select 1");
    REQUIRE(one);
    CHECK(text(*one) == "1");

    // A waiter gets the connection released while it waits: not a new one (the pool is full),
    // and not after its acquire_timeout (200 ms here: it would be a pool_timeout error).
    // The release happens once the waiter is queued, which is an event, not a guess of time.
    auto ex = co_await asio::this_coro::executor;
    bool released = false;
    asio::co_spawn(
        ex,
        [](pg::lease held, bool& released) -> awaitable<void> {
          co_await sleep_for(0ms);  // runs after the acquire below has queued its waiter
          released = true;
          held.release();
        }(std::move(*b), released),
        asio::detached);
    auto e = co_await db.acquire();
    REQUIRE_MESSAGE(e, e.error().message);
    CHECK(released);
    CHECK(db.in_use() == 2);
    CHECK(db.total() == 2);
  }(db));
  settle(io);
  CHECK(db.total() == 2);
}

TEST_CASE("concurrent queries and transactions from a 2-thread io_context") {
  asio::io_context io;
  pg::pool db(io.get_executor(), options_for(4));
  run(io, [](pg::pool& db) -> awaitable<void> {
    co_await must(db, "drop table if exists pg_test_concurrent");
    co_await must(db, "create table pg_test_concurrent (worker int, n int)");
  }(db));

  constexpr int workers = 40;
  constexpr int rounds = 5;
  std::atomic<int> good{0};
  std::atomic<int> failures{0};
  std::mutex messages_mutex;
  std::vector<std::string> messages;
  for (int w = 0; w < workers; ++w) {
    asio::co_spawn(
        io,
        [](pg::pool& db, int w, std::atomic<int>& good) -> awaitable<void> {
          for (int i = 0; i < rounds; ++i) {
            auto r = co_await db.query("select $1::int * 1000 + $2::int", pg::args(w, i));
            if (!r) throw std::runtime_error("query: " + r.error().message);
            if (text(*r) != std::to_string(w * 1000 + i)) throw std::runtime_error("wrong answer " + text(*r));
            auto tx = co_await db.begin();
            if (!tx) throw std::runtime_error("begin: " + tx.error().message);
            auto ins = co_await tx->query("insert into pg_test_concurrent values ($1, $2)", pg::args(w, i));
            if (!ins) throw std::runtime_error("insert: " + ins.error().message);
            auto c = (i % 2 == 0) ? co_await tx->commit() : co_await tx->rollback();
            if (!c) throw std::runtime_error("finish: " + c.error().message);
            ++good;
          }
        }(db, w, good),
        [&](std::exception_ptr e) {
          if (!e) return;
          ++failures;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            std::lock_guard lock(messages_mutex);
            messages.push_back(ex.what());
          }
        });
  }
  run_threads(io, 2);
  for (const auto& m : messages) MESSAGE(m);
  CHECK(failures == 0);
  CHECK(good == workers * rounds);
  CHECK(db.total() <= 4);
  CHECK(db.in_use() == 0);

  run(io, [](pg::pool& db) -> awaitable<void> {
    auto n = co_await must(db, "select count(*), count(distinct worker) from pg_test_concurrent");
    CHECK(text(n, 0, 0) == std::to_string(workers * ((rounds + 1) / 2)));  // the committed rounds
    CHECK(text(n, 0, 1) == std::to_string(workers));
    co_await must(db, "drop table pg_test_concurrent");
  }(db));
}

TEST_CASE("connecting to a closed port fails fast with connect_failed") {
  asio::io_context io;
  pg::pool_options o;
  o.conninfo = "postgresql://oauth@127.0.0.1:1/oauth_test";
  o.size = 2;
  pg::pool db(io.get_executor(), o);
  run(io, [](pg::pool& db) -> awaitable<void> {
    auto start = std::chrono::steady_clock::now();
    auto r = co_await db.query("select 1");
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pg::errc::connect_failed);
    CHECK(took < 1s);
    CHECK_FALSE(co_await db.ping());
    auto l = co_await db.acquire();
    CHECK(l.error().code == pg::errc::connect_failed);
  }(db));
  settle(io);
  CHECK(db.total() == 0);
  CHECK(db.in_use() == 0);
}

TEST_CASE("a connect to a server that never answers gives up after connect_timeout") {
  // A listening socket that never accepts: the TCP handshake completes in the
  // backlog, then PostgreSQL's startup answer never comes.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  pg::pool_options o;
  o.conninfo = "postgresql://oauth@127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/oauth_test?sslmode=disable";
  o.connect_timeout = 300ms;
  pg::pool db(io.get_executor(), o);
  run(io, [](pg::pool& db) -> awaitable<void> {
    auto start = std::chrono::steady_clock::now();
    auto r = co_await db.query("select 1");
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pg::errc::connect_failed);
    CHECK(took >= 250ms);
    CHECK(took < 2s);
  }(db));
}

TEST_CASE("after a PostgreSQL restart the same pool reconnects by itself") {
  asio::io_context io;
  // The statement must end by the restart, never by the query timeout: a restart on a loaded
  // box can take longer than the default (the stress loop saw errc::timeout here), so the
  // timeout is well past the statement's own 60 s
  // (which only the restart ends).
  auto options = options_for(3);
  options.query_timeout = 120s;
  pg::pool db(io.get_executor(), options);
  run(io, [](pg::pool& db) -> awaitable<void> {
    // Three open, idle connections.
    auto a = co_await db.acquire();
    auto b = co_await db.acquire();
    auto c = co_await db.acquire();
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
  }(db));
  settle(io);
  CHECK(db.total() == 3);
  CHECK(db.idle() == 3);

  // Restart while one statement is in flight on one of them: the restart waits until the
  // server itself shows the statement running (pg_stat_activity), not for a guessed delay.
  std::atomic<bool> restarted{false};
  std::string restart_error;
  std::thread restarter([&] {
    if (!wait_until_running("select pg_sleep(60)", 20s)) {
      restart_error = "the statement never showed up in pg_stat_activity";
      return;
    }
    try {
      oauth::test::services("restart", "pg");
      restarted = true;
    } catch (const std::exception& e) {
      restart_error = e.what();
    }
  });
  auto cut = run(io, [](pg::pool& db) -> awaitable<pg::result<pg::rows>> {
    co_return co_await db.query("select pg_sleep(60)");
  }(db));
  restarter.join();
  REQUIRE_MESSAGE(restarted, restart_error);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().code == pg::errc::connection_lost);

  run(io, [](pg::pool& db) -> awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      auto r = co_await db.query("select $1::int", pg::args(i));
      REQUIRE_MESSAGE(r, "after restart: ", r.error().message);
      CHECK(text(*r) == std::to_string(i));
    }
    // Every slot works again.
    auto a = co_await db.acquire();
    auto b = co_await db.acquire();
    auto c = co_await db.acquire();
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
    CHECK(co_await a->query("select 1"));
    CHECK(co_await b->query("select 1"));
    CHECK(co_await c->query("select 1"));
  }(db));
  settle(io);
  CHECK(db.total() == 3);
  CHECK(db.in_use() == 0);
}

namespace {

constexpr std::array good_migrations{
    oauth::embedded_file{"V002__seed.sql",
                         "insert into pg_test_mig_items values (1, 'one');\n"
                         "insert into pg_test_mig_items values (2, 'two');\n"},
    oauth::embedded_file{"V001__create_items.sql", "create table pg_test_mig_items (id int primary key, name text);"},
    oauth::embedded_file{"V003__add_column.sql", "alter table pg_test_mig_items add column note text;"},
};

awaitable<void> reset_component(pg::pool& db, std::string component, std::string table) {
  co_await must(db, "create table if not exists schema_migrations (component text not null, version int not null, "
                    "name text not null, applied_at timestamptz not null default now(), primary key (component, version))");
  co_await must(db, "delete from schema_migrations where component = $1", pg::args(component));
  co_await must(db, "drop table if exists " + table);
}

} // namespace

TEST_CASE("migrations from several pools at once: each file applied once, the second run applies none") {
  asio::io_context io;
  {
    pg::pool setup(io.get_executor(), options_for(1));
    run(io, reset_component(setup, "pg_test_items", "pg_test_mig_items"));
  }

  constexpr int replicas = 4;
  std::vector<std::unique_ptr<pg::pool>> pools;
  for (int i = 0; i < replicas; ++i) pools.push_back(std::make_unique<pg::pool>(io.get_executor(), options_for(2)));
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::mutex messages_mutex;
  std::vector<std::string> messages;
  for (auto& p : pools) {
    asio::co_spawn(
        io,
        [](pg::pool& db, std::atomic<int>& applied) -> awaitable<std::string> {
          auto r = co_await pg::migrate(db, "pg_test_items", good_migrations);
          if (!r) co_return r.error().message;
          applied += *r;
          co_return std::string();
        }(*p, applied),
        [&](std::exception_ptr e, std::string failure) {
          if (e || !failure.empty()) {
            ++failures;
            std::lock_guard lock(messages_mutex);
            messages.push_back(e ? "exception" : failure);
          }
        });
  }
  run_threads(io, 2);
  for (const auto& m : messages) MESSAGE(m);
  CHECK(failures == 0);
  CHECK(applied == 3);

  pg::pool& db = *pools[0];
  run(io, [](pg::pool& db) -> awaitable<void> {
    auto recorded = co_await must(db, "select version, name from schema_migrations where component = $1 order by version",
                                  pg::args("pg_test_items"));
    REQUIRE(recorded.size() == 3);
    CHECK(recorded.get(0, 1) == "V001__create_items.sql");
    CHECK(recorded.get(2, 0) == "3");
    auto items = co_await must(db, "select count(*) from pg_test_mig_items");
    CHECK(text(items) == "2");
    auto note = co_await must(db, "select note from pg_test_mig_items where id = 1");
    CHECK(note.is_null(0, 0));

    auto again = co_await pg::migrate(db, "pg_test_items", good_migrations);
    REQUIRE(again);
    CHECK(*again == 0);
    co_await must(db, "drop table pg_test_mig_items");
    co_await must(db, "delete from schema_migrations where component = $1", pg::args("pg_test_items"));
  }(db));
}

TEST_CASE("a failing migration is rolled back and named, a bad file name throws at the call") {
  asio::io_context io;
  pg::pool db(io.get_executor(), options_for(2));
  run(io, reset_component(db, "pg_test_broken", "pg_test_mig_half"));
  run(io, [](pg::pool& db) -> awaitable<void> {
    co_await must(db, "drop table if exists pg_test_mig_first");
    static constexpr std::array files{
        oauth::embedded_file{"V001__first.sql", "create table pg_test_mig_first (id int);"},
        oauth::embedded_file{"V002__broken.sql",
                             "create table pg_test_mig_half (id int);\n"
                             "insert into pg_test_mig_no_such_table values (1);\n"},
        oauth::embedded_file{"V003__never.sql", "create table pg_test_mig_never (id int);"},
    };
    auto r = co_await pg::migrate(db, "pg_test_broken", files);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pg::errc::migration_failed);
    CHECK(r.error().sqlstate == "42P01");
    CHECK(r.error().message.find("V002__broken.sql") != std::string::npos);

    auto recorded = co_await must(db, "select version from schema_migrations where component = $1 order by version",
                                  pg::args("pg_test_broken"));
    REQUIRE(recorded.size() == 1);
    CHECK(recorded.get(0, 0) == "1");
    // V002's first statement was rolled back with it; V003 never ran.
    auto tables = co_await must(
        db, "select count(*) from pg_tables where tablename in ('pg_test_mig_half', 'pg_test_mig_never')");
    CHECK(text(tables) == "0");
    CHECK(co_await db.ping());

    static constexpr std::array badly_named{oauth::embedded_file{"001_first.sql", "select 1"}};
    CHECK_THROWS_AS((void)pg::migrate(db, "pg_test_broken", badly_named), std::invalid_argument);
    CHECK_THROWS_AS((void)pg::migrate(db, "", files), std::invalid_argument);

    co_await must(db, "drop table pg_test_mig_first");
    co_await must(db, "delete from schema_migrations where component = $1", pg::args("pg_test_broken"));
  }(db));
}
