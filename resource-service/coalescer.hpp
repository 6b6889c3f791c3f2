#pragma once
// Read coalescing with a freshness guarantee. Concurrent requests for the same key share one
// database round trip, but a request only ever takes the result of a query that STARTED AFTER
// the request arrived: while a query for a key is in flight, newcomers gather in the next batch,
// which starts when the current one ends. So a client never reads older data than it would
// have without coalescing (read-your-writes holds, across replicas too), and under load each
// key has at most one query in flight, shared by every request that arrived meanwhile.
//
//   Key     partitions the requests (e.g. a list page: limit + cursor);
//   Item    what each request adds to its batch (e.g. the post id it wants);
//   Result  what a batch's fetch produces, shared read-only by the batch's requests.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace oauth::resource {

template <class Key, class Item, class Result>
class coalescer : public std::enable_shared_from_this<coalescer<Key, Item, Result>> {
public:
  using result_ptr = std::shared_ptr<const Result>;
  using fetch_fn = std::function<boost::asio::awaitable<Result>(const Key&, std::vector<Item>)>;

  // `fetch` must not throw (errors belong in Result); batches run on `ex`.
  coalescer(boost::asio::any_io_executor ex, fetch_fn fetch) : ex_(std::move(ex)), fetch_(std::move(fetch)) {}

  boost::asio::awaitable<result_ptr> submit(Key key, Item item) {
    auto self = this->shared_from_this();
    auto my_executor = co_await boost::asio::this_coro::executor;
    std::shared_ptr<batch> mine;
    std::shared_ptr<wakeup> wait;
    {
      std::lock_guard lock(mutex_);
      auto& part = partitions_[key];
      if (!part.running) {
        part.running = true;  // nothing in flight: this request's query starts now
        mine = std::make_shared<batch>();
        mine->items.push_back(std::move(item));
      } else {
        if (!part.next) part.next = std::make_shared<batch>();
        mine = part.next;
        mine->items.push_back(std::move(item));
        wait = std::make_shared<wakeup>(my_executor, 1);
        mine->waiters.push_back(wait);
      }
    }
    if (wait) {
      co_await wait->async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
      co_return mine->result;
    }
    co_await run(self, key, mine, false);
    co_return mine->result;
  }

private:
  using wakeup = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  struct batch {
    std::vector<Item> items;
    std::vector<std::shared_ptr<wakeup>> waiters;
    result_ptr result;
  };
  struct partition {
    bool running = false;
    std::shared_ptr<batch> next;
  };

  // Runs `b`, then every batch that gathered meanwhile. The request that started the first
  // batch returns as soon as its own result is in; later batches continue detached.
  static boost::asio::awaitable<void> run(std::shared_ptr<coalescer> self, Key key, std::shared_ptr<batch> b,
                                          bool detached) {
    for (;;) {
      b->result = std::make_shared<const Result>(co_await self->fetch_(key, std::move(b->items)));
      for (auto& w : b->waiters) w->try_send(boost::system::error_code{});
      std::shared_ptr<batch> next;
      {
        std::lock_guard lock(self->mutex_);
        auto it = self->partitions_.find(key);
        next = std::move(it->second.next);
        if (!next) self->partitions_.erase(it);
      }
      if (!next) co_return;
      if (!detached) {
        boost::asio::co_spawn(self->ex_, run(self, key, std::move(next), true), boost::asio::detached);
        co_return;
      }
      b = std::move(next);
    }
  }

  boost::asio::any_io_executor ex_;
  fetch_fn fetch_;
  std::mutex mutex_;
  std::map<Key, partition> partitions_;
};

} // namespace oauth::resource
