// Pub/sub against the real redis-server, including a server restart.
#include "common/redis/subscriber.hpp"
#include "tests/integration/redis_test_support.hpp"

#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using oauth::redis::client;
using oauth::redis::subscriber;
using oauth::test::eventually_async;
using oauth::test::eventually_on;
using oauth::test::redis::key;
using oauth::test::redis::options;
using strings = std::vector<std::string>;

namespace {

struct inbox {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> messages;
  std::atomic<int> subscribed{0};

  void add(std::string_view channel, std::string_view message) {
    std::lock_guard lock(mutex);
    messages.emplace_back(channel, message);
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
  std::pair<std::string, std::string> at(std::size_t i) {
    std::lock_guard lock(mutex);
    return messages.at(i);
  }
};

// Number of subscribers that received the message.
long long publish(asio::io_context& io, client& c, const std::string& channel, const std::string& message) {
  auto body = [](client& c, strings args) -> asio::awaitable<long long> {
    auto r = co_await c.command(std::move(args));
    co_return r && r->is_integer() ? r->integer : -1;
  };
  return oauth::test::run(io, body(c, strings{"PUBLISH", channel, message}));
}

} // namespace

TEST_CASE("redis subscriber: delivers messages and resubscribes after a server restart") {
  asio::io_context io;
  const std::string channel = key("events"), other = key("other");
  inbox box;
  subscriber sub(
      io.get_executor(), options(), strings{channel, other, channel},
      [&box](std::string_view ch, std::string_view msg) { box.add(ch, msg); }, [&box] { ++box.subscribed; });
  client pub(io.get_executor(), options());
  sub.start();
  oauth::test::redis::start_and_wait(io, pub);
  REQUIRE_MESSAGE(eventually_on(io, [&] { return box.subscribed.load() == 1; }, 5s), "no subscription confirmed");
  CHECK(sub.connected());
  CHECK(sub.subscriptions() == 1);

  const std::string first("first\0message", 13);
  CHECK(publish(io, pub, channel, first) == 1);
  CHECK(publish(io, pub, other, "second") == 1);
  REQUIRE(eventually_on(io, [&] { return box.size() == 2; }, 5s));
  CHECK(box.at(0) == std::pair<std::string, std::string>(channel, first));
  CHECK(box.at(1) == std::pair<std::string, std::string>(other, "second"));

  {
    oauth::test::redis::server_guard restart_on_exit;
    oauth::test::services("restart", "redis");
  }
  // on_subscribed runs again once the new connection is subscribed: the owner reloads there.
  REQUIRE_MESSAGE(eventually_on(io, [&] { return box.subscribed.load() == 2 && sub.connected(); }, 10s),
                  "not resubscribed after the restart");
  REQUIRE(eventually_on(io, [&] { return pub.connected(); }, 10s));
  CHECK(publish(io, pub, channel, "after restart") == 1);
  REQUIRE(eventually_on(io, [&] { return box.size() == 3; }, 5s));
  CHECK(box.at(2) == std::pair<std::string, std::string>(channel, "after restart"));
  CHECK(box.subscribed.load() == 2);

  pub.stop();
  oauth::test::redis::stop_and_drain(io, sub);
  CHECK_FALSE(sub.connected());
  // Nobody is listening any more.
  client check(io.get_executor(), options());
  oauth::test::redis::start_and_wait(io, check);
  CHECK(publish(io, check, channel, "unheard") == 0);
  oauth::test::redis::stop_and_drain(io, check);
  CHECK(box.size() == 3);
}

TEST_CASE("redis subscriber: a throwing callback does not break the subscription") {
  asio::io_context io;
  const std::string channel = key("throwing");
  std::atomic<int> seen{0};
  subscriber sub(
      io.get_executor(), options(), strings{channel},
      [&seen](std::string_view, std::string_view msg) {
        ++seen;
        if (msg == "boom") throw std::runtime_error("handler failed");
      },
      nullptr);
  client pub(io.get_executor(), options());
  sub.start();
  oauth::test::redis::start_and_wait(io, pub);
  REQUIRE(eventually_on(io, [&] { return sub.connected(); }, 5s));
  CHECK(publish(io, pub, channel, "boom") == 1);
  CHECK(publish(io, pub, channel, "fine") == 1);
  REQUIRE(eventually_on(io, [&] { return seen.load() == 2; }, 5s));
  CHECK(sub.connected());
  CHECK(sub.subscriptions() == 1);
  pub.stop();
  oauth::test::redis::stop_and_drain(io, sub);
}
