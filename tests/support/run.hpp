#pragma once
// Runs a coroutine to completion on an io_context from a test, with a deadline,
// rethrowing whatever it threw.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <thread>

namespace oauth::test {

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work,
      std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  std::exception_ptr error;
  std::optional<T> result;
  bool done = false;
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
    done = true;
  });
  io.restart();
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!done && std::chrono::steady_clock::now() < until) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  if (!done) throw std::runtime_error("test coroutine did not finish before its deadline");
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

} // namespace oauth::test
