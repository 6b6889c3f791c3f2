#pragma once
// SIGTERM, SIGINT and SIGHUP for a service, with signal dispositions that stay ours until the
// process ends. asio::signal_set restores SIG_DFL when it is destroyed, so a stop signal that
// arrived while the service was tearing down killed it with status 143. Here the handlers are
// installed once and never removed: the first stop signal (and every SIGHUP) is delivered to
// an io_context through a pipe; a second stop signal ends the process at once with status 0
// (CONTRACT.md, "Hostile input and revocation"), from the signal handler itself, whatever
// the process is doing at that moment (draining, or destroying its objects).
#include "common/http/types.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>

namespace oauth::http {

class stop_signals {
public:
  // Installs the handlers (the first time in the process) and reads their pipe on `io`.
  explicit stop_signals(asio::io_context& io);
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

  // Calls `on_signal(signo)` on `io` for the next SIGHUP or the first SIGTERM/SIGINT.
  void async_wait(std::function<void(int)> on_signal);

private:
  asio::posix::stream_descriptor pipe_;
  unsigned char signo_ = 0;
};

} // namespace oauth::http
