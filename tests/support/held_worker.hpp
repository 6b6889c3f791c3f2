#pragma once
// Occupies one thread of an executor (a worker pool) until release() or destruction, so a
// test can fill the pool's queue behind it deterministically, without sleeps.
#include <boost/asio/post.hpp>

#include <future>
#include <memory>

namespace oauth::test {

class held_worker {
public:
  // Returns once a worker runs the hold.
  template <class Executor>
  explicit held_worker(const Executor& ex) {
    auto started = std::make_shared<std::promise<void>>();
    auto running = started->get_future();
    boost::asio::post(ex, [started, gate = gate_.get_future().share()] {
      started->set_value();
      gate.wait();
    });
    running.wait();
  }
  ~held_worker() { release(); }
  held_worker(const held_worker&) = delete;
  held_worker& operator=(const held_worker&) = delete;

  void release() {
    if (released_) return;
    released_ = true;
    gate_.set_value();
  }

private:
  std::promise<void> gate_;
  bool released_ = false;
};

} // namespace oauth::test
