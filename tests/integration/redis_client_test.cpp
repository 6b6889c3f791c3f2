// The Redis client against the real redis-server that scripts/services.sh runs.
#include "common/redis/client.hpp"
#include "common/random.hpp"
#include "tests/integration/redis_test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using oauth::redis::client;
using oauth::redis::errc;
using oauth::redis::reply;
using oauth::test::eventually_async;
using oauth::test::eventually_on;
using oauth::test::redis::key;
using oauth::test::redis::must;
using oauth::test::redis::options;
using result_type = boost::system::result<reply>;
using strings = std::vector<std::string>;

namespace {

// Every step below sends a vector built beforehand: g++ 12 rejects a braced list inside co_await.
asio::awaitable<result_type> run_cmd(client& c, strings args) { co_return co_await c.command(std::move(args)); }

asio::awaitable<void> basic_commands(client& c) {
  const std::string k = key("binary"), counter = key("counter"), list = key("list"), missing = key("missing");
  strings del{"DEL", k, counter, list, missing};
  co_await must(c, del);

  // Binary safe: NUL, CR LF and a non-UTF-8 byte survive the round trip.
  const std::string value("a\0b\r\n\xff", 6);
  strings set{"SET", k, value};
  auto r = co_await run_cmd(c, set);
  REQUIRE(r.has_value());
  CHECK(r->is_ok());
  strings get{"GET", k};
  r = co_await run_cmd(c, get);
  REQUIRE(r.has_value());
  CHECK(r->type == reply::kind::string);
  CHECK(r->str.size() == 6);
  CHECK(r->str == value);

  strings incr{"INCR", counter};
  r = co_await run_cmd(c, incr);
  REQUIRE(r.has_value());
  CHECK(r->type == reply::kind::integer);
  CHECK(r->integer == 1);
  strings incrby{"INCRBY", counter, "41"};
  r = co_await run_cmd(c, incrby);
  REQUIRE(r.has_value());
  CHECK(r->integer == 42);

  strings get_missing{"GET", missing};
  r = co_await run_cmd(c, get_missing);
  REQUIRE(r.has_value());
  CHECK(r->is_nil());

  strings push{"RPUSH", list, "x", "", value};
  r = co_await run_cmd(c, push);
  REQUIRE(r.has_value());
  CHECK(r->integer == 3);
  strings range{"LRANGE", list, "0", "-1"};
  r = co_await run_cmd(c, range);
  REQUIRE(r.has_value());
  REQUIRE(r->is_array());
  REQUIRE(r->elements.size() == 3);
  CHECK(r->elements[0].str == "x");
  CHECK(r->elements[1].is_string());
  CHECK(r->elements[1].str.empty());
  CHECK(r->elements[2].str == value);

  strings mget{"MGET", k, missing};
  r = co_await run_cmd(c, mget);
  REQUIRE(r.has_value());
  REQUIRE(r->elements.size() == 2);
  CHECK(r->elements[0].str == value);
  CHECK(r->elements[1].is_nil());

  // A Redis error reply is a reply, not a transport failure.
  strings wrongtype{"INCR", list};
  r = co_await run_cmd(c, wrongtype);
  REQUIRE(r.has_value());
  CHECK(r->is_error());
  CHECK(r->error_code() == "WRONGTYPE");
  strings unknown{"NO_SUCH_COMMAND", "x"};
  r = co_await run_cmd(c, unknown);
  REQUIRE(r.has_value());
  CHECK(r->is_error());
  CHECK(r->error_code() == "ERR");

  // The connection is fine after error replies.
  const bool pong = co_await c.ping();
  CHECK(pong);

  r = co_await run_cmd(c, strings());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == errc::invalid_argument);
  co_await must(c, del);
}

// Shared with the workers, so that a failed test cannot leave them a dangling reference.
struct tally {
  std::atomic<int> failures{0};
  std::atomic<int> done{0};
};

// One of many concurrent workers, each on its own strand of a two-thread io_context.
asio::awaitable<void> worker(client& c, int id, int rounds, std::shared_ptr<tally> t) {
  auto ex = co_await asio::this_coro::executor;
  auto on_own_strand = [&ex] { return ex.target<asio::strand<asio::io_context::executor_type>>()->running_in_this_thread(); };
  for (int i = 0; i < rounds; ++i) {
    const std::string k = key("w" + std::to_string(id));
    const std::string v = std::to_string(id) + ":" + std::to_string(i) + std::string(1, '\0') + "tail";
    strings incr{"INCR", key("total")};
    auto r = co_await c.command(std::move(incr));
    if (!r || r->type != reply::kind::integer || !on_own_strand()) ++t->failures;
    strings set{"SET", k, v};
    r = co_await c.command(std::move(set));
    if (!r || !r->is_ok() || !on_own_strand()) ++t->failures;
    strings get{"GET", k};
    r = co_await c.command(std::move(get));
    // Pipelining must never hand one coroutine another's reply.
    if (!r || r->str != v || !on_own_strand()) ++t->failures;
  }
  strings del{"DEL", key("w" + std::to_string(id))};
  co_await c.command(std::move(del));
  ++t->done;
}

asio::awaitable<void> many_workers(client& c, asio::io_context& io, int workers, int rounds, std::shared_ptr<tally> t) {
  strings del{"DEL", key("total")};
  co_await must(c, std::move(del));
  for (int id = 0; id < workers; ++id) {
    asio::co_spawn(asio::make_strand(io), worker(c, id, rounds, t), asio::detached);
  }
  const bool all_done = co_await eventually_async([&] { return t->done.load() == workers; }, 20s);
  REQUIRE(all_done);
  strings get{"GET", key("total")};
  auto r = co_await c.command(std::move(get));
  REQUIRE(r.has_value());
  CHECK(r->str == std::to_string(workers * rounds));
  strings del_total{"DEL", key("total")};
  co_await c.command(std::move(del_total));
}

asio::awaitable<void> eval_with_fallback(client& c) {
  const oauth::redis::script s("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])");
  const std::string k = key("script");

  // An empty script cache: EVALSHA answers NOSCRIPT, the client falls back to EVAL.
  strings flush{"SCRIPT", "FLUSH"};
  co_await must(c, std::move(flush));
  strings keys{k}, first{"first"};
  auto r = co_await c.eval(s, keys, std::move(first));
  REQUIRE(r.has_value());
  CHECK(r->str == "first");

  // EVAL cached the script under the sha the client computed.
  strings exists{"SCRIPT", "EXISTS", s.sha1()};
  r = co_await c.command(std::move(exists));
  REQUIRE(r.has_value());
  REQUIRE(r->elements.size() == 1);
  CHECK(r->elements[0].integer == 1);
  strings load{"SCRIPT", "LOAD", s.source()};
  r = co_await c.command(std::move(load));
  REQUIRE(r.has_value());
  CHECK(r->str == s.sha1());

  strings second{"second"};
  r = co_await c.eval(s, keys, std::move(second));
  REQUIRE(r.has_value());
  CHECK(r->str == "second");

  // Flushed again (a restart or failover would do the same): still works.
  strings flush2{"SCRIPT", "FLUSH"};
  co_await must(c, std::move(flush2));
  strings third{"third"};
  r = co_await c.eval(s, keys, std::move(third));
  REQUIRE(r.has_value());
  CHECK(r->str == "third");

  // A script's own error is an error reply, and is not retried as NOSCRIPT.
  const oauth::redis::script failing("return redis.error_reply('BOOM refused')");
  r = co_await c.eval(failing, strings(), strings());
  REQUIRE(r.has_value());
  CHECK(r->is_error());
  CHECK(r->error_code() == "BOOM");

  strings del{"DEL", k};
  co_await c.command(std::move(del));
}

asio::awaitable<void> timeout_then_usable(client& c) {
  const auto start = std::chrono::steady_clock::now();
  strings sleep{"DEBUG", "SLEEP", "1"};
  auto r = co_await c.command(std::move(sleep), 200ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == errc::timeout);
  CHECK(elapsed >= 190ms);
  CHECK(elapsed < 700ms);

  // The next command queues behind the sleeping server and succeeds within its own timeout;
  // the late reply to DEBUG SLEEP arrives first and is dropped, not handed to this one.
  const std::string k = key("after-timeout");
  strings set{"SET", k, "v"};
  r = co_await c.command(std::move(set));
  REQUIRE(r.has_value());
  CHECK(r->is_ok());
  strings get{"GET", k};
  r = co_await c.command(std::move(get));
  REQUIRE(r.has_value());
  CHECK(r->str == "v");
  strings del{"DEL", k};
  co_await c.command(std::move(del));
}

asio::awaitable<void> unresponsive_server(client& c) {
  // Three timeouts in a row (the default threshold) with no reply in between.
  strings sleep{"DEBUG", "SLEEP", "1"};
  auto r = co_await c.command(std::move(sleep), 100ms);
  CHECK(r.error() == errc::timeout);
  for (int i = 0; i < 2; ++i) {
    strings ping{"PING"};
    r = co_await c.command(std::move(ping), 100ms);
    CHECK(r.error() == errc::timeout);
  }
  // Torn down and re-established once the server answers again.
  const bool reconnected = co_await eventually_async([&] { return c.connects() == 2 && c.connected(); }, 5s);
  CHECK(reconnected);
  const bool pong = co_await c.ping();
  CHECK(pong);
}

asio::awaitable<result_type> blocking_pop(client& c, std::string list, std::chrono::milliseconds timeout) {
  strings blpop{"BLPOP", std::move(list), "5"};
  co_return co_await c.command(std::move(blpop), timeout);
}

asio::awaitable<void> killed_connection(client& victim, client& killer) {
  strings id{"CLIENT", "ID"};
  auto victim_id = co_await victim.command(std::move(id));
  REQUIRE(victim_id.has_value());
  REQUIRE(victim_id->is_integer());

  std::optional<result_type> popped;
  asio::co_spawn(co_await asio::this_coro::executor, blocking_pop(victim, key("never"), 10s),
                 [&](std::exception_ptr e, result_type r) {
                   if (!e) popped = std::move(r);
                 });
  // Let the BLPOP reach the server, then kill that connection from the other client.
  strings clients{"CLIENT", "LIST", "ID", std::to_string(victim_id->integer)};
  bool blocked = false;
  const auto until = std::chrono::steady_clock::now() + 3s;
  while (!blocked && std::chrono::steady_clock::now() < until) {
    auto list = co_await killer.command(clients);
    blocked = list && list->str.find("cmd=blpop") != std::string::npos;
  }
  REQUIRE(blocked);
  strings kill{"CLIENT", "KILL", "ID", std::to_string(victim_id->integer)};
  auto killed = co_await killer.command(std::move(kill));
  REQUIRE(killed.has_value());
  CHECK(killed->integer == 1);
  const bool completed = co_await eventually_async([&] { return popped.has_value(); }, 3s);
  REQUIRE(completed);
  REQUIRE_FALSE(popped->has_value());
  CHECK(popped->error() == errc::connection_lost);
  const bool reconnected = co_await eventually_async([&] { return victim.connects() == 2 && victim.connected(); }, 5s);
  CHECK(reconnected);
  const bool pong = co_await victim.ping();
  CHECK(pong);
}

// CLIENT ID of the connection that a command awaited by a coroutine on `ex` goes over.
std::int64_t connection_id_seen_from(client& c, const asio::any_io_executor& ex) {
  auto f = asio::co_spawn(
      ex,
      [&c]() -> asio::awaitable<std::int64_t> {
        strings id{"CLIENT", "ID"};
        auto r = co_await c.command(std::move(id));
        co_return r && r->is_integer() ? r->integer : -1;
      },
      asio::use_future);
  REQUIRE(f.wait_for(5s) == std::future_status::ready);
  return f.get();
}

// io_contexts of one thread each, as http::io_contexts runs them.
struct threaded_contexts {
  explicit threaded_contexts(int n) {
    for (int i = 0; i < n; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
    for (auto& c : contexts) {
      guards.push_back(asio::make_work_guard(*c));
      threads.emplace_back([ctx = c.get()] { ctx->run(); });
    }
  }
  ~threaded_contexts() {
    guards.clear();
    for (auto& c : contexts) c->stop();
    for (auto& t : threads) t.join();
  }
  asio::any_io_executor executor(int i) { return contexts[i]->get_executor(); }

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
};

} // namespace

TEST_CASE("redis client: with a lane per io_context, a command goes over its caller's lane") {
  threaded_contexts ctx(3);  // lanes on 0 and 1; 2 has none
  auto opts = options();
  // A fixed 1.5 s before a lost lane reconnects: long enough to watch the fallback.
  opts.reconnect_min = opts.reconnect_max = 1500ms;
  client c({ctx.executor(0), ctx.executor(1)}, opts);
  CHECK(c.lanes() == 2);
  c.start();
  auto until = std::chrono::steady_clock::now() + 5s;
  while (c.connects() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  REQUIRE(c.connects() == 2);

  const auto lane0 = connection_id_seen_from(c, ctx.executor(0));
  const auto lane1 = connection_id_seen_from(c, ctx.executor(1));
  REQUIRE(lane0 > 0);
  REQUIRE(lane1 > 0);
  CHECK(lane0 != lane1);
  CHECK(connection_id_seen_from(c, ctx.executor(0)) == lane0);
  CHECK(connection_id_seen_from(c, ctx.executor(1)) == lane1);
  CHECK(connection_id_seen_from(c, ctx.executor(2)) == lane0);  // no lane of its own: the first

  // Lane 1 lost: its callers go over lane 0 until it is back, then over its new connection.
  auto killed = asio::co_spawn(
      ctx.executor(0),
      [&c, lane1]() -> asio::awaitable<result_type> {
        strings kill{"CLIENT", "KILL", "ID", std::to_string(lane1)};
        co_return co_await c.command(std::move(kill));
      },
      asio::use_future);
  REQUIRE(killed.wait_for(5s) == std::future_status::ready);
  auto k = killed.get();
  REQUIRE(k.has_value());
  CHECK(k->integer == 1);
  std::int64_t seen = lane1;
  until = std::chrono::steady_clock::now() + 1s;
  while (seen != lane0 && std::chrono::steady_clock::now() < until) {
    seen = connection_id_seen_from(c, ctx.executor(1));
    std::this_thread::sleep_for(5ms);
  }
  CHECK(seen == lane0);
  CHECK(c.connected());
  until = std::chrono::steady_clock::now() + 5s;
  while ((seen == lane0 || seen == lane1 || seen <= 0) && std::chrono::steady_clock::now() < until) {
    seen = connection_id_seen_from(c, ctx.executor(1));
    std::this_thread::sleep_for(20ms);
  }
  CHECK(seen > lane1);  // a new connection: CLIENT IDs only grow
  CHECK(c.connects() == 3);
  CHECK(connection_id_seen_from(c, ctx.executor(0)) == lane0);
  c.stop();
}

TEST_CASE("redis client: while_waiting runs once on the caller's thread, with the command already on its way") {
  threaded_contexts ctx(3);  // lanes on 0 and 1; 2 has none (its commands hop to a lane's strand)
  client c({ctx.executor(0), ctx.executor(1)}, options());
  c.start();
  auto until = std::chrono::steady_clock::now() + 5s;
  while (c.connects() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  REQUIRE(c.connects() == 2);
  asio::io_context observer_io(1);
  auto observer_guard = asio::make_work_guard(observer_io);
  std::thread observer_thread([&] { observer_io.run(); });
  client observer(observer_io.get_executor(), options());
  observer.start();

  for (int from : {0, 2}) {
    CAPTURE(from);
    const std::string k = key("overlap-" + std::to_string(from));
    int runs = 0;
    bool seen_by_other_client = false;
    std::thread::id waiting_thread;
    auto done = asio::co_spawn(
        ctx.executor(from),
        [&]() -> asio::awaitable<result_type> {
          strings set{"SET", k, "written"};
          co_return co_await c.command(std::move(set), [&] {
            ++runs;
            waiting_thread = std::this_thread::get_id();
            // Block this thread until another connection sees the write: had the command waited
            // for this thread's event loop (the adapter's write), it would never arrive.
            const auto deadline = std::chrono::steady_clock::now() + 5s;
            while (!seen_by_other_client && std::chrono::steady_clock::now() < deadline) {
              auto got = asio::co_spawn(observer_io, run_cmd(observer, strings{"GET", k}), asio::use_future);
              auto r = got.get();
              seen_by_other_client = r.has_value() && r->str == "written";
              if (!seen_by_other_client) std::this_thread::sleep_for(5ms);
            }
          });
        },
        asio::use_future);
    REQUIRE(done.wait_for(10s) == std::future_status::ready);
    auto r = done.get();
    REQUIRE(r.has_value());
    CHECK(r->is_ok());
    CHECK(runs == 1);
    CHECK(seen_by_other_client);
    CHECK(waiting_thread == ctx.threads[static_cast<std::size_t>(from)].get_id());
  }

  // Not connected: it still runs, once, and the command fails.
  client idle(ctx.executor(0), options());
  int runs = 0;
  auto failed = asio::co_spawn(
      ctx.executor(0),
      [&]() -> asio::awaitable<result_type> {
        strings ping{"PING"};
        co_return co_await idle.command(std::move(ping), [&] { ++runs; });
      },
      asio::use_future);
  REQUIRE(failed.wait_for(5s) == std::future_status::ready);
  CHECK_FALSE(failed.get().has_value());
  CHECK(runs == 1);
  idle.stop();
  c.stop();
  observer.stop();
  observer_guard.reset();
  observer_io.stop();
  observer_thread.join();
}

TEST_CASE("redis client: the commands with while_waiting of one turn of a lane's thread are all sent before the first while_waiting") {
  // Each exchange signs (300 µs) while its consume is on its way; one write for the consumes of
  // all requests a turn of the event loop handles, rather than one each, saves Redis a wake-up
  // per command. Observable: the first while_waiting blocks its thread, so any command not yet
  // sent when it starts could not reach Redis until it returns.
  threaded_contexts ctx(1);
  client c(std::vector<asio::any_io_executor>{ctx.executor(0)}, options());  // a lane, not a bare executor
  c.start();
  auto until = std::chrono::steady_clock::now() + 5s;
  while (!c.connected() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  REQUIRE(c.connected());
  asio::io_context observer_io(1);
  auto observer_guard = asio::make_work_guard(observer_io);
  std::thread observer_thread([&] { observer_io.run(); });
  client observer(observer_io.get_executor(), options());
  observer.start();
  until = std::chrono::steady_clock::now() + 5s;
  while (!observer.connected() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  REQUIRE(observer.connected());

  constexpr int n = 5;
  strings keys;
  for (int i = 0; i < n; ++i) keys.push_back(key("turn-" + std::to_string(i)));
  strings del{"DEL"};
  del.insert(del.end(), keys.begin(), keys.end());
  REQUIRE(asio::co_spawn(observer_io, run_cmd(observer, del), asio::use_future).get().has_value());

  std::vector<int> order;  // which while_waiting ran, in order (lane thread only)
  long long seen_by_first = -1;
  std::vector<std::future<result_type>> done;
  std::promise<void> spawned;
  asio::post(ctx.executor(0), [&] {
    // One handler spawns every caller: they all run before any continuation posted by the first.
    for (int i = 0; i < n; ++i)
      done.push_back(asio::co_spawn(
          ctx.executor(0),
          [&, i]() -> asio::awaitable<result_type> {
            strings set{"SET", keys[static_cast<std::size_t>(i)], "sent"};
            co_return co_await c.command(std::move(set), [&, i] {
              order.push_back(i);
              if (order.size() != 1) return;
              strings exists{"EXISTS"};
              exists.insert(exists.end(), keys.begin(), keys.end());
              // Below the command timeout (2 s), so that a failure shows as this count alone.
              const auto deadline = std::chrono::steady_clock::now() + 1s;
              while (seen_by_first < n && std::chrono::steady_clock::now() < deadline) {
                auto r = asio::co_spawn(observer_io, run_cmd(observer, exists), asio::use_future).get();
                seen_by_first = r.has_value() ? r->integer : -1;
                if (seen_by_first < n) std::this_thread::sleep_for(5ms);
              }
            });
          },
          asio::use_future));
    spawned.set_value();
  });
  spawned.get_future().wait();
  for (auto& f : done) {
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    auto r = f.get();
    REQUIRE(r.has_value());
    CHECK(r->is_ok());
  }
  CHECK(seen_by_first == n);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});  // each ran once, in submission order
  c.stop();
  observer.stop();
  observer_guard.reset();
  observer_io.stop();
  observer_thread.join();
}

TEST_CASE("redis client: on a multi-threaded executor the caller resumes only after while_waiting returned") {
  asio::io_context io(2);
  auto guard = asio::make_work_guard(io);
  client c(io.get_executor(), options());
  c.start();
  std::thread t1([&] { io.run(); });
  std::thread t2([&] { io.run(); });
  auto until = std::chrono::steady_clock::now() + 5s;
  while (!c.connected() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  REQUIRE(c.connected());

  std::atomic<bool> finished{false};
  std::atomic<bool> finished_at_resume{false};
  auto done = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<result_type> {
        strings ping{"PING"};
        auto r = co_await c.command(std::move(ping), [&] {
          // The reply is back long before this returns; the other thread must not resume the
          // caller meanwhile.
          std::this_thread::sleep_for(100ms);
          finished = true;
        });
        finished_at_resume = finished.load();
        co_return r;
      },
      asio::use_future);
  REQUIRE(done.wait_for(10s) == std::future_status::ready);
  auto r = done.get();
  REQUIRE(r.has_value());
  CHECK(r->str == "PONG");
  CHECK(finished_at_resume);

  // An exception of while_waiting reaches the caller, once the command has completed.
  auto thrown = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<result_type> {
        strings ping{"PING"};
        co_return co_await c.command(std::move(ping), [] { throw std::runtime_error("while waiting"); });
      },
      asio::use_future);
  REQUIRE(thrown.wait_for(10s) == std::future_status::ready);
  CHECK_THROWS_AS(thrown.get(), std::runtime_error);
  CHECK(c.connected());  // the connection is unharmed

  c.stop();
  guard.reset();
  t1.join();
  t2.join();
}

TEST_CASE("redis client: strings, integers, nil, arrays and error replies") {
  asio::io_context io;
  client c(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, c);
  oauth::test::run(io, basic_commands(c));
  oauth::test::redis::stop_and_drain(io, c);
}

TEST_CASE("redis client: SELECT applies the database from the URL") {
  asio::io_context io;
  auto opts = options();
  REQUIRE_MESSAGE(opts.endpoint.db != 0, "TEST_REDIS_URL should name a test database other than 0");
  client in_test_db(io.get_executor(), opts);
  opts.endpoint.db = 0;
  client in_db0(io.get_executor(), opts);
  oauth::test::redis::start_and_wait(io, in_test_db);
  oauth::test::redis::start_and_wait(io, in_db0);
  const std::string k = key("db");
  auto r = oauth::test::run(io, run_cmd(in_test_db, strings{"SET", k, "here"}));
  REQUIRE(r.has_value());
  r = oauth::test::run(io, run_cmd(in_db0, strings{"GET", k}));
  REQUIRE(r.has_value());
  CHECK(r->is_nil());
  r = oauth::test::run(io, run_cmd(in_test_db, strings{"GET", k}));
  REQUIRE(r.has_value());
  CHECK(r->str == "here");
  oauth::test::run(io, run_cmd(in_test_db, strings{"DEL", k}));
  in_db0.stop();
  oauth::test::redis::stop_and_drain(io, in_test_db);
}

TEST_CASE("redis client: many concurrent coroutines on a two-thread io_context") {
  asio::io_context io(2);
  client c(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, c);

  // The test thread drives io through run(); a second thread runs it too.
  auto guard = asio::make_work_guard(io);
  std::thread second([&io] { io.run(); });
  auto t = std::make_shared<tally>();
  constexpr int workers = 64, rounds = 20;
  CHECK_NOTHROW(oauth::test::run(io, many_workers(c, io, workers, rounds, t)));
  CHECK(t->failures.load() == 0);

  c.stop();
  guard.reset();
  // The second thread returns once stop() has left no work behind.
  auto joined = std::async(std::launch::async, [&second] { second.join(); });
  if (joined.wait_for(10s) != std::future_status::ready) {
    io.stop();
    joined.wait();
    FAIL("io_context still had work 10 s after stop()");
  }
}

namespace {

// The script's ARGV as the server saw it, and how often while_waiting ran.
struct echoed {
  strings argv;
  int waited = 0;
};
asio::awaitable<echoed> echo_argv_with_server_id(client& c, strings args) {
  static const oauth::redis::script echo("return ARGV");
  echoed out;
  std::function<void()> count = [&out] { ++out.waited; };
  strings keys;
  auto r = co_await c.eval_with_server_id(echo, std::move(keys), std::move(args), std::move(count));
  REQUIRE(r.has_value());
  REQUIRE(r->is_array());
  for (const auto& e : r->elements) out.argv.push_back(e.str);
  co_return out;
}

} // namespace

TEST_CASE("redis client: eval_with_server_id appends the server's run_id and replication id, new after a restart") {
  asio::io_context io;
  client c(io.get_executor(), oauth::test::redis::identifying_options());
  oauth::test::redis::start_and_wait(io, c);
  const std::string before = oauth::test::redis::server_id(io, c);
  CHECK(before.size() == 81);
  // An empty script cache first: the EVAL fallback appends it too, and while_waiting runs once.
  oauth::test::run(io, run_cmd(c, strings{"SCRIPT", "FLUSH"}));
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto e = oauth::test::run(io, echo_argv_with_server_id(c, strings{"a", std::string("b\0c", 3)}));
    CHECK(e.argv == strings{"a", std::string("b\0c", 3), before});
    CHECK(e.waited == 1);
  }
  {
    oauth::test::redis::server_guard restart_on_exit;
    oauth::test::services("restart", "redis");
  }
  REQUIRE(eventually_on(io, [&] { return c.connects() == 2 && c.connected(); }, 10s));
  const std::string after = oauth::test::redis::server_id(io, c);
  CHECK(after.substr(0, 40) != before.substr(0, 40));
  auto e = oauth::test::run(io, echo_argv_with_server_id(c, strings{}));
  CHECK(e.argv == strings{after});
  oauth::test::redis::stop_and_drain(io, c);
}

TEST_CASE("redis client: EVALSHA falls back to EVAL after SCRIPT FLUSH") {
  asio::io_context io;
  client c(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, c);
  oauth::test::run(io, eval_with_fallback(c));
  oauth::test::redis::stop_and_drain(io, c);
}

TEST_CASE("redis client: a command past its timeout fails with timeout and the client stays usable") {
  asio::io_context io;
  client c(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, c);
  oauth::test::run(io, timeout_then_usable(c));
  CHECK(c.connects() == 1);  // one timeout is no reason to reconnect
  oauth::test::redis::stop_and_drain(io, c);
}

TEST_CASE("redis client: an unresponsive server is reconnected after repeated timeouts") {
  asio::io_context io;
  client c(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, c);
  oauth::test::run(io, unresponsive_server(c));
  oauth::test::redis::stop_and_drain(io, c);
}

TEST_CASE("redis client: a command in flight on a killed connection fails with connection_lost") {
  asio::io_context io;
  client victim(io.get_executor(), options());
  client killer(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, victim);
  oauth::test::redis::start_and_wait(io, killer);
  oauth::test::run(io, killed_connection(victim, killer));
  killer.stop();
  oauth::test::redis::stop_and_drain(io, victim);
}

TEST_CASE("redis client: not_connected while the server is down, reconnects when it is back") {
  asio::io_context io;
  auto opts = options();
  opts.reconnect_max = 500ms;  // keep the test short; the backoff itself is unit-tested
  // A command timeout far above what "at once" may take on a busy machine: a command that
  // waited for it instead of failing at once takes 10 s.
  opts.command_timeout = 10s;
  client c(io.get_executor(), opts);
  oauth::test::redis::start_and_wait(io, c);
  {
    oauth::test::redis::server_guard restart_on_exit;
    oauth::test::services("stop", "redis");
    REQUIRE(eventually_on(io, [&] { return !c.connected(); }, 5s));

    const auto start = std::chrono::steady_clock::now();
    auto r = oauth::test::run(io, run_cmd(c, strings{"GET", key("x")}));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::not_connected);
    CHECK(std::chrono::steady_clock::now() - start < 5s);  // at once, not after the 10 s timeout
    CHECK_FALSE(oauth::test::run(io, c.ping()));

    // Let a few reconnect attempts fail against the closed port.
    CHECK_FALSE(eventually_on(io, [&] { return c.connected(); }, 300ms));
    oauth::test::services("start", "redis");
  }
  REQUIRE(eventually_on(io, [&] { return c.connected(); }, 10s));
  CHECK(c.connects() == 2);
  CHECK(oauth::test::run(io, c.ping()));
  oauth::test::redis::stop_and_drain(io, c);
}

TEST_CASE("redis client: reconnects after the server restarts") {
  asio::io_context io;
  client c(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, c);
  {
    oauth::test::redis::server_guard restart_on_exit;
    oauth::test::services("restart", "redis");
  }
  REQUIRE(eventually_on(io, [&] { return c.connects() == 2 && c.connected(); }, 10s));
  const std::string k = key("restart");
  auto r = oauth::test::run(io, run_cmd(c, strings{"SET", k, "1"}));
  REQUIRE(r.has_value());
  CHECK(r->is_ok());
  oauth::test::run(io, run_cmd(c, strings{"DEL", k}));
  oauth::test::redis::stop_and_drain(io, c);
}

TEST_CASE("redis client: a wrong password is never reported as connected") {
  asio::io_context io;
  auto opts = options();
  opts.endpoint.password = "not-the-password";
  client c(io.get_executor(), opts);
  c.start();
  // Each attempt connects, fails AUTH and is torn down; none may look ready.
  CHECK_FALSE(eventually_on(io, [&] { return c.connected(); }, 400ms));
  CHECK(c.connects() == 0);
  auto r = oauth::test::run(io, run_cmd(c, strings{"PING"}));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == errc::not_connected);
  oauth::test::redis::stop_and_drain(io, c);
}

TEST_CASE("redis client: an ACL user signs in by name, and needs INFO only when the client identifies the server") {
  asio::io_context io;
  client admin(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, admin);
  const std::string name = key("acl-user");
  const std::string password = oauth::random_token();
  // Everything but INFO, as a deployment's restricted user might be.
  auto made = oauth::test::run(io, must(admin, {"ACL", "SETUSER", name, "reset", "on", ">" + password, "~*", "&*",
                                                "+@all", "-info"}));
  REQUIRE(made.is_ok());
  struct delete_on_exit {
    asio::io_context& io;
    client& admin;
    std::string name;
    ~delete_on_exit() { oauth::test::run(io, admin.command({"ACL", "DELUSER", name})); }
  } cleanup{io, admin, name};

  auto as_user = options();
  as_user.endpoint.username = name;
  as_user.endpoint.password = password;
  {
    asio::io_context own;
    client c(own.get_executor(), as_user);
    oauth::test::redis::start_and_wait(own, c);
    CHECK(oauth::test::run(own, must(c, {"ACL", "WHOAMI"})).str == name);
    oauth::test::redis::stop_and_drain(own, c);
  }
  // Never connected: each attempt's handshake is refused, as with a wrong password.
  auto never_connects = [](const oauth::redis::client_options& o) {
    asio::io_context own;
    client c(own.get_executor(), o);
    c.start();
    CHECK_FALSE(eventually_on(own, [&] { return c.connected(); }, 400ms));
    CHECK(c.connects() == 0);
    oauth::test::redis::stop_and_drain(own, c);
  };
  auto identifying = as_user;  // the handshake's INFO is refused
  identifying.identify_server = true;
  never_connects(identifying);
  auto nameless = as_user;  // the password alone is the default user's, which has another (none here)
  nameless.endpoint.username.clear();
  never_connects(nameless);
  oauth::test::redis::stop_and_drain(io, admin);
}

TEST_CASE("redis client: stop() fails commands in flight and lets the io_context finish") {
  asio::io_context io;
  auto c = std::make_unique<client>(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, *c);

  std::optional<result_type> first, second;
  asio::co_spawn(io, blocking_pop(*c, key("stop1"), 10s), [&](std::exception_ptr e, result_type r) {
    if (!e) first = std::move(r);
  });
  asio::co_spawn(io, blocking_pop(*c, key("stop2"), 10s), [&](std::exception_ptr e, result_type r) {
    if (!e) second = std::move(r);
  });
  io.restart();
  io.run_for(50ms);  // both commands are now queued on the connection
  REQUIRE_FALSE(first.has_value());

  c->stop();
  io.restart();
  io.run_for(5s);
  CHECK(io.stopped());
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(first->error() == errc::stopped);
  CHECK(second->error() == errc::stopped);
  CHECK_FALSE(c->connected());

  // A stopped client refuses work at once and cannot be restarted.
  c->start();
  auto r = oauth::test::run(io, run_cmd(*c, strings{"PING"}));
  CHECK(r.error() == errc::not_connected);
}

TEST_CASE("redis client: destroying the client with a command in flight is safe") {
  asio::io_context io;
  auto c = std::make_unique<client>(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, *c);
  std::optional<result_type> popped;
  asio::co_spawn(io, blocking_pop(*c, key("destroy"), 10s), [&](std::exception_ptr e, result_type r) {
    if (!e) popped = std::move(r);
  });
  io.restart();
  io.run_for(50ms);
  c.reset();  // the coroutine holds no reference to the client object, only to its state
  io.restart();
  io.run_for(5s);
  CHECK(io.stopped());
  REQUIRE(popped.has_value());
  CHECK(popped->error() == errc::stopped);
}

TEST_CASE("redis client: destroying a client whose io_context never runs again closes its connection") {
  auto io = std::make_unique<asio::io_context>();
  auto c = std::make_unique<client>(io->get_executor(), options());
  oauth::test::redis::start_and_wait(*io, *c);
  auto id = oauth::test::run(*io, run_cmd(*c, strings{"CLIENT", "ID"}));
  REQUIRE(id.has_value());
  REQUIRE(id->is_integer());
  c.reset();   // stop() is posted but never runs
  io.reset();  // the posted work is destroyed with the io_context, and the connection freed with it

  // The server sees the socket closed: freed, not leaked (ASan builds also check the memory).
  asio::io_context io2;
  client observer(io2.get_executor(), options());
  oauth::test::redis::start_and_wait(io2, observer);
  const strings list{"CLIENT", "LIST", "ID", std::to_string(id->integer)};
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    auto r = oauth::test::run(io2, run_cmd(observer, list));
    REQUIRE(r.has_value());
    gone = r->str.empty();
    if (!gone) oauth::test::eventually_on(io2, [] { return false; }, 10ms);  // a short pause, io2 running
  }
  CHECK(gone);
  oauth::test::redis::stop_and_drain(io2, observer);
}

TEST_CASE("redis client: a host name is resolved asynchronously") {
  asio::io_context io;
  auto opts = options();
  REQUIRE(opts.endpoint.host == "127.0.0.1");
  // localhost may resolve to ::1 first, where the test server does not listen: the client
  // must move on to the next address.
  opts.endpoint.host = "localhost";
  opts.reconnect_max = 200ms;
  client c(io.get_executor(), opts);
  oauth::test::redis::start_and_wait(io, c);
  CHECK(oauth::test::run(io, c.ping()));
  oauth::test::redis::stop_and_drain(io, c);

  opts.endpoint.host = "no-such-host.invalid";
  client lost(io.get_executor(), opts);
  lost.start();
  CHECK_FALSE(oauth::test::eventually_on(io, [&] { return lost.connected(); }, 300ms));
  oauth::test::redis::stop_and_drain(io, lost);
}
