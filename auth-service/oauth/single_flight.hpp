#pragma once
// One lookup in flight per key. When a cached record expires under load, every request for it
// misses at once; without this, each would run its own database query, and the pool would open
// new connections in the middle of the load to serve them (a connection made while the cores
// are busy signing took up to seconds here: BENCHMARKS.md, "The browser flows"). With it, the
// first request runs the lookup and the others wait for its value.
//
// The value is the lookup's, failures included (a waiter gets the same error: the store was
// unavailable a moment ago); the caller decides what to cache. An exception from the lookup
// reaches the leader and every waiter. Callers may be on any executor and thread.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth {

template <class Value>
class single_flight {
public:
  using lookup_fn = std::function<boost::asio::awaitable<Value>()>;

  // Runs `lookup()` for `key`, or, when a lookup for `key` is already running, waits for its
  // value instead. Pass `lookup` as a named variable, moved: g++ 12 destroys a temporary
  // closure handed to a coroutine twice.
  boost::asio::awaitable<Value> run(std::string key, lookup_fn lookup) {
    auto executor = co_await boost::asio::this_coro::executor;
    std::shared_ptr<flight> f;
    std::shared_ptr<wakeup> wait;
    {
      std::lock_guard lock(mutex_);
      auto& slot = flights_[key];
      if (slot) {
        f = slot;
        wait = std::make_shared<wakeup>(executor, 1);
        f->waiters.push_back(wait);
      } else {
        slot = f = std::make_shared<flight>();
      }
    }
    if (wait) {
      co_await wait->async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    } else {
      // co_spawn hands an exception over as a value (no co_await inside a try block: g++ 12).
      auto [failure, value] =
          co_await boost::asio::co_spawn(executor, lookup(), boost::asio::as_tuple(boost::asio::use_awaitable));
      if (failure) f->failure = failure;
      else f->value.emplace(std::move(value));
      land(key, f);
    }
    if (f->failure) std::rethrow_exception(f->failure);
    co_return *f->value;
  }

  // Detaches the lookup running for `key`, if any: it still answers those already waiting for
  // it, but later requests start their own. For a write that the running lookup may have read
  // before: nobody arriving after the write takes that lookup's value.
  void forget(std::string_view key) {
    std::lock_guard lock(mutex_);
    if (auto it = flights_.find(key); it != flights_.end()) flights_.erase(it);
  }

  // Lookups running now (tests).
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return flights_.size();
  }

private:
  using wakeup = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  struct flight {
    std::optional<Value> value;
    std::exception_ptr failure;
    std::vector<std::shared_ptr<wakeup>> waiters;
  };

  // The flight is over: later requests start their own (or hit the cache the lookup filled).
  void land(const std::string& key, const std::shared_ptr<flight>& f) {
    std::vector<std::shared_ptr<wakeup>> waiters;
    {
      std::lock_guard lock(mutex_);
      // Only this flight's slot: after forget(), the key may hold a newer flight.
      if (auto it = flights_.find(key); it != flights_.end() && it->second == f) flights_.erase(it);
      waiters = std::move(f->waiters);
    }
    for (auto& w : waiters) w->try_send(boost::system::error_code{});
  }

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<flight>, std::less<>> flights_;
};

} // namespace oauth::auth
