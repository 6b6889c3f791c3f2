#pragma once
// Asynchronous Redis client: one pipelined hiredis connection on its own strand, reconnected
// forever with jittered exponential backoff.
//
// command() may be awaited concurrently from coroutines on any executor and thread; the
// caller resumes on its own executor. Transport failures come back as error codes (errc);
// a Redis error reply (WRONGTYPE...) is a successful result holding a reply of kind error.
// Command arguments are never logged: they may hold secrets.
#include "common/redis/client_options.hpp"
#include "common/redis/errors.hpp"
#include "common/redis/reply.hpp"
#include "common/redis/script.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace oauth::redis {

class client {
public:
  client(boost::asio::any_io_executor ex, client_options opts);
  // Stops the client; commands still in flight complete with errc::stopped.
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Connects in the background (then reconnects after every loss) until stop().
  void start();
  // Closes the connection and stops reconnecting; the executor then runs out of this
  // client's work. Idempotent; a stopped client cannot be started again.
  void stop();

  // A connection is up and its handshake (AUTH, SELECT, PING) succeeded.
  bool connected() const;
  // Connections established since start(): tests and diagnostics see reconnects.
  std::uint64_t connects() const;

  // One command, binary safe; args[0] is the command name. Fails with not_connected at once
  // when no connection is ready, timeout after options().command_timeout (a late reply is
  // discarded), connection_lost, stopped or invalid_argument (empty args).
  boost::asio::awaitable<boost::system::result<reply>> command(std::vector<std::string> args);
  boost::asio::awaitable<boost::system::result<reply>> command(std::vector<std::string> args,
                                                               std::chrono::milliseconds timeout);

  // EVALSHA; on a NOSCRIPT reply, EVAL (which also caches the script) once. `s` must
  // outlive the call (a script is normally a static; awaiting directly is enough).
  boost::asio::awaitable<boost::system::result<reply>> eval(const script& s, std::vector<std::string> keys,
                                                            std::vector<std::string> args);

  // Readiness check: PING answered with PONG.
  boost::asio::awaitable<bool> ping();

  const client_options& options() const;

  class impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace oauth::redis
