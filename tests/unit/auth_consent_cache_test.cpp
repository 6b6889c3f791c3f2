// The consent cache over a fake consent store, with a hand-moved clock.
#include "auth-service/oauth/consent_cache.hpp"
#include "tests/support/run.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <doctest/doctest.h>

#include <map>

using namespace oauth;
using namespace oauth::auth;

namespace {

consent_cache::clock::time_point now_value;
consent_cache::clock::time_point manual_clock() { return now_value; }

struct fake_consents final : consent_store {
  std::map<std::pair<std::string, std::string>, remembered_consent> rows;
  int finds = 0;
  bool down = false;
  boost::system::error_code failure() const { return boost::system::errc::make_error_code(boost::system::errc::io_error); }

  boost::asio::awaitable<store_result<std::optional<remembered_consent>>> find(std::string_view u,
                                                                                 std::string_view c) override {
    ++finds;
    if (down) co_return failure();
    auto it = rows.find({std::string(u), std::string(c)});
    if (it == rows.end()) co_return std::optional<remembered_consent>{};
    co_return std::optional<remembered_consent>{it->second};
  }
  boost::asio::awaitable<store_result<void>> remember(std::string_view u, std::string_view c,
                                                      const std::vector<std::string>& scopes) override {
    rows[{std::string(u), std::string(c)}] = remembered_consent{scopes, 1};
    co_return store_result<void>{};
  }
  boost::asio::awaitable<store_result<bool>> forget(std::string_view u, std::string_view c) override {
    co_return rows.erase({std::string(u), std::string(c)}) > 0;
  }
  boost::asio::awaitable<store_result<std::vector<consented_client>>> list(std::string_view) override {
    co_return std::vector<consented_client>{};
  }
};

} // namespace

TEST_CASE("consent cache: reads kept for the TTL, dropped at once by remember and forget here, failures never kept") {
  boost::asio::io_context io;
  fake_consents store;
  now_value = consent_cache::clock::time_point{} + std::chrono::hours(1);
  consent_cache cache(store, std::chrono::milliseconds(100), 1000, &manual_clock);

  // Absent, and the absence is cached.
  CHECK_FALSE(test::run(io, cache.find("u", "c")).value().has_value());
  CHECK_FALSE(test::run(io, cache.find("u", "c")).value().has_value());
  CHECK(store.finds == 1);
  // An approval through the cache is seen at once.
  REQUIRE(test::run(io, cache.remember("u", "c", {"read-posts"})).has_value());
  auto found = test::run(io, cache.find("u", "c")).value();
  REQUIRE(found.has_value());
  CHECK(found->scopes == std::vector<std::string>{"read-posts"});
  CHECK(store.finds == 2);
  // Withdrawn elsewhere (another replica): the cached consent until the TTL passes.
  store.rows.clear();
  now_value += std::chrono::milliseconds(99);
  CHECK(test::run(io, cache.find("u", "c")).value().has_value());
  now_value += std::chrono::milliseconds(2);
  CHECK_FALSE(test::run(io, cache.find("u", "c")).value().has_value());
  CHECK(store.finds == 3);
  // Withdrawn through this cache: gone at once.
  REQUIRE(test::run(io, cache.remember("u", "c", {"read-posts"})).has_value());
  CHECK(test::run(io, cache.find("u", "c")).value().has_value());
  CHECK(test::run(io, cache.forget("u", "c")).value());
  CHECK_FALSE(test::run(io, cache.find("u", "c")).value().has_value());
  // Keys do not run into each other.
  REQUIRE(test::run(io, cache.remember("u", "c2", {"admin"})).has_value());
  CHECK_FALSE(test::run(io, cache.find("u", "c")).value().has_value());
  CHECK(test::run(io, cache.find("u", "c2")).value()->scopes == std::vector<std::string>{"admin"});
  // A failing store is asked again every time.
  store.down = true;
  int before = store.finds;
  CHECK_FALSE(test::run(io, cache.find("v", "c")).has_value());
  CHECK_FALSE(test::run(io, cache.find("v", "c")).has_value());
  CHECK(store.finds == before + 2);
}

namespace {
// Reads its row when asked, then answers only once the test opens the gate: a lookup that
// started before a change and ends after it.
struct gated_consents final : consent_store {
  boost::asio::steady_timer gate;
  std::optional<remembered_consent> row;
  int finds = 0;
  explicit gated_consents(boost::asio::io_context& io) : gate(io, boost::asio::steady_timer::time_point::max()) {}
  boost::asio::awaitable<store_result<std::optional<remembered_consent>>> find(std::string_view,
                                                                                 std::string_view) override {
    ++finds;
    auto read = row;
    co_await gate.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return read;
  }
  boost::asio::awaitable<store_result<void>> remember(std::string_view, std::string_view,
                                                      const std::vector<std::string>& scopes) override {
    row = remembered_consent{scopes, 1};
    co_return store_result<void>{};
  }
  boost::asio::awaitable<store_result<bool>> forget(std::string_view, std::string_view) override {
    const bool had = row.has_value();
    row.reset();
    co_return had;
  }
  boost::asio::awaitable<store_result<std::vector<consented_client>>> list(std::string_view) override {
    co_return std::vector<consented_client>{};
  }
};
} // namespace

TEST_CASE("consent cache: concurrent misses share one lookup, but none crosses a forget") {
  boost::asio::io_context io;
  gated_consents store(io);
  store.row = remembered_consent{{"read-posts"}, 1};
  now_value = consent_cache::clock::time_point{} + std::chrono::hours(1);
  consent_cache cache(store, std::chrono::milliseconds(100), 1000, &manual_clock);
  std::vector<std::optional<remembered_consent>> got;
  auto find = [&] {
    boost::asio::co_spawn(io, cache.find("u1", "c1"),
                          [&](std::exception_ptr e, store_result<std::optional<remembered_consent>> r) {
                            REQUIRE_FALSE(e);
                            got.push_back(r.value());
                          });
  };
  for (int i = 0; i < 5; ++i) find();
  io.poll();
  CHECK(store.finds == 1);
  store.gate.cancel();
  io.run();
  io.restart();
  REQUIRE(got.size() == 5);
  for (const auto& g : got) CHECK(g.has_value());

  // A lookup reads the consent, the user withdraws it here, then a request comes: it must not
  // join the lookup that read before the withdrawal.
  got.clear();
  now_value += std::chrono::milliseconds(200);  // the cached entry has expired
  store.gate.expires_at(boost::asio::steady_timer::time_point::max());
  find();  // arrived before the withdrawal
  io.poll();
  CHECK(store.finds == 2);
  CHECK(test::run(io, cache.forget("u1", "c1")).value());
  io.restart();
  find();  // arrived after it: a lookup of its own
  io.poll();
  CHECK(store.finds == 3);
  store.gate.cancel();
  io.run();
  io.restart();
  REQUIRE(got.size() == 2);
  CHECK(got[0].has_value());        // what it read before the withdrawal
  CHECK_FALSE(got[1].has_value());  // withdrawn

  // And a lookup the withdrawal overtook does not fill the cache with what it read.
  got.clear();
  CHECK(test::run(io, cache.remember("u1", "c1", {"read-posts"})).has_value());
  io.restart();
  store.gate.expires_at(boost::asio::steady_timer::time_point::max());
  find();
  io.poll();
  CHECK(store.finds == 4);
  CHECK(test::run(io, cache.forget("u1", "c1")).value());
  io.restart();
  store.gate.cancel();
  io.run();
  io.restart();
  REQUIRE(got.size() == 1);
  CHECK(got[0].has_value());
  store.gate.expires_at(boost::asio::steady_timer::time_point::min());
  CHECK_FALSE(test::run(io, cache.find("u1", "c1")).value().has_value());
  CHECK(store.finds == 5);
}
