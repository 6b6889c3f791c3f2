#pragma once
// Runs a coroutine to completion on an io_context from a test, with a deadline, rethrowing
// whatever it threw; and `eventually`: wait for a condition (an event), never for a fixed time.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>

namespace oauth::test {

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work,
      std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  std::exception_ptr error;
  std::optional<T> result;
  // Atomic: other threads may run `io` too, and the completion then runs on one of them.
  std::atomic<bool> done{false};
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
    done.store(true, std::memory_order_release);
  });
  io.restart();
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!done.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < until) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  if (!done.load(std::memory_order_acquire)) throw std::runtime_error("test coroutine did not finish before its deadline");
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline void run(boost::asio::io_context& io, boost::asio::awaitable<void> work,
                std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  auto wrapper = [](boost::asio::awaitable<void> w) -> boost::asio::awaitable<int> {
    co_await std::move(w);
    co_return 0;
  };
  run<int>(io, wrapper(std::move(work)), deadline);
}

// Polls pred (from the test's thread) until it holds (true) or the deadline passes (false;
// pred is asked once more at the deadline).
template <class F>
bool eventually(F pred, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

// The same from inside a coroutine, whose io_context must keep running while it waits (pred
// depends on work done there).
inline boost::asio::awaitable<bool> eventually_async(std::function<bool()> pred,
                                                     std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) co_return true;
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  co_return pred();
}

// eventually_async run on `io` from the test's thread.
inline bool eventually_on(boost::asio::io_context& io, std::function<bool()> pred,
                          std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  return run(io, eventually_async(std::move(pred), deadline), deadline + std::chrono::seconds(5));
}

} // namespace oauth::test
