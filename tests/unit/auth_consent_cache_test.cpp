// The consent cache over a fake consent store, with a hand-moved clock.
#include "auth-service/oauth/consent_cache.hpp"
#include "tests/support/run.hpp"

#include <boost/asio/io_context.hpp>
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
