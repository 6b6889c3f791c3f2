#include "common/http/stop_signals.hpp"

#include <boost/asio/buffer.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <stdexcept>
#include <unistd.h>

namespace oauth::http {
namespace {

// Both ends stay open until the process ends: the handler may write at any time, and a
// closed descriptor's number could by then belong to a socket.
int pipe_read = -1;
int pipe_write = -1;
std::atomic<int> stop_signals_seen{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

extern "C" void on_signal(int signo) {
  const int saved_errno = errno;
  if (signo != SIGHUP && stop_signals_seen.fetch_add(1, std::memory_order_relaxed) >= 1) {
    static constexpr char line[] = "{\"level\":\"warn\",\"msg\":\"second stop signal: exiting at once\"}\n";
    (void)!::write(STDERR_FILENO, line, sizeof line - 1);
    ::_exit(0);
  }
  const auto byte = static_cast<unsigned char>(signo);
  (void)!::write(pipe_write, &byte, 1);  // non-blocking: a full pipe already holds a wake-up
  errno = saved_errno;
}

void install_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("signal pipe: " + std::string(std::strerror(errno)));
    pipe_read = fds[0];
    pipe_write = fds[1];
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int signo : {SIGTERM, SIGINT, SIGHUP})
      if (::sigaction(signo, &sa, nullptr) != 0) throw std::runtime_error("sigaction: " + std::string(std::strerror(errno)));
  });
}

int duplicate_read_end() {
  install_once();
  int fd = ::fcntl(pipe_read, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("signal pipe: " + std::string(std::strerror(errno)));
  return fd;
}

} // namespace

stop_signals::stop_signals(asio::io_context& io) : pipe_(io, duplicate_read_end()) {}

void stop_signals::async_wait(std::function<void(int)> on_signal) {
  pipe_.async_read_some(asio::buffer(&signo_, 1), [this, on_signal = std::move(on_signal)](
                                                       boost::system::error_code ec, std::size_t n) {
    if (ec || n != 1) return;  // being destroyed
    on_signal(signo_);
  });
}

} // namespace oauth::http
