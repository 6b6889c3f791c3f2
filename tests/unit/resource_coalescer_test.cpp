// The read coalescer without a database: concurrent requests share a fetch, and a request
// never takes the result of a fetch that started before it arrived.
#include "../support/run.hpp"
#include "resource-service/coalescer.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace oauth::resource;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// The "database": a version number bumped by writes; a fetch reads it when it starts.
struct fake_db {
  std::atomic<int> version{0};
  std::atomic<int> fetches{0};
  std::atomic<int> max_items{0};
};

struct snapshot {
  int version_at_start;
  std::vector<int> items;
};

asio::awaitable<snapshot> slow_fetch(std::shared_ptr<fake_db> db, std::vector<int> items) {
  db->fetches.fetch_add(1);
  int seen = db->version.load();
  int n = static_cast<int>(items.size());
  int prev = db->max_items.load();
  while (n > prev && !db->max_items.compare_exchange_weak(prev, n)) {}
  asio::steady_timer t(co_await asio::this_coro::executor, 20ms);
  co_await t.async_wait(asio::use_awaitable);
  co_return snapshot{seen, std::move(items)};
}

using test_coalescer = coalescer<int, int, snapshot>;

std::shared_ptr<test_coalescer> make(asio::any_io_executor ex, std::shared_ptr<fake_db> db) {
  return std::make_shared<test_coalescer>(
      ex, [db](const int&, std::vector<int> items) { return slow_fetch(db, std::move(items)); });
}

asio::awaitable<void> one_request(std::shared_ptr<test_coalescer> c, std::shared_ptr<fake_db> db, int i,
                                  std::atomic<int>& done, std::atomic<int>& stale, std::atomic<int>& missing) {
  int arrived_at = db->version.fetch_add(1) + 1;  // a write just before this read
  auto r = co_await c->submit(i % 2, i);
  if (r->version_at_start < arrived_at) stale.fetch_add(1);
  if (std::find(r->items.begin(), r->items.end(), i) == r->items.end()) missing.fetch_add(1);
  done.fetch_add(1);
}

} // namespace

TEST_CASE("concurrent requests share fetches, and each one's result started after it arrived") {
  asio::thread_pool pool(2);
  auto db = std::make_shared<fake_db>();
  auto c = make(pool.get_executor(), db);
  std::atomic<int> done{0};
  std::atomic<int> stale{0};
  std::atomic<int> missing{0};
  constexpr int requests = 200;
  for (int i = 0; i < requests; ++i) {
    asio::co_spawn(asio::make_strand(pool), one_request(c, db, i, done, stale, missing), asio::detached);
    if (i % 20 == 0) std::this_thread::sleep_for(5ms);
  }
  for (int i = 0; i < 500 && done.load() < requests; ++i) std::this_thread::sleep_for(10ms);
  pool.join();
  CHECK(done.load() == requests);
  CHECK(stale.load() == 0);
  CHECK(missing.load() == 0);
  CHECK(db->fetches.load() < requests / 4);  // shared, not one per request
  CHECK(db->max_items.load() > 1);
}

TEST_CASE("a lone request runs its own fetch at once") {
  asio::io_context io;
  auto db = std::make_shared<fake_db>();
  auto c = make(io.get_executor(), db);
  auto r = oauth::test::run(io, c->submit(7, 42));
  CHECK(r->items == std::vector<int>{42});
  auto r2 = oauth::test::run(io, c->submit(7, 43));
  CHECK(r2->items == std::vector<int>{43});
  CHECK(db->fetches.load() == 2);
}
