#pragma once
// Asynchronous Redis client: pipelined hiredis connections ("lanes"), each on its own strand,
// reconnected forever with jittered exponential backoff.
//
// command() may be awaited concurrently from coroutines on any executor and thread; the
// caller resumes on its own executor. With one lane per io_context of a service (one thread
// each), a command goes over the lane of the caller's context: the reply is read by the
// caller's own thread, never queued behind another thread's work (an RSA signature takes
// 300 µs). A caller on no lane's context, or whose lane is down, uses the first lane that is
// up. Transport failures come back as error codes (errc); a Redis error reply (WRONGTYPE...)
// is a successful result holding a reply of kind error.
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
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace oauth::redis {

class client {
public:
  client(boost::asio::any_io_executor ex, client_options opts);
  // One connection per executor (at least one); the first is the default lane. Each executor
  // must be an io_context run by exactly one thread (http::io_contexts): a command from that
  // thread is then handed to hiredis without a hop through the strand, and written at once
  // (with a while_waiting: at the end of the event loop's turn, see below).
  client(std::vector<boost::asio::any_io_executor> lanes, client_options opts);
  // Stops the client; commands still in flight complete with errc::stopped.
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Connects in the background (then reconnects after every loss) until stop().
  void start();
  // Closes the connection and stops reconnecting; the executor then runs out of this
  // client's work. Idempotent; a stopped client cannot be started again.
  void stop();

  // A connection (of any lane) is up and its handshake (AUTH, SELECT, INFO if it identifies the
  // server, PING) succeeded.
  bool connected() const;
  // Connections established since start(), over all lanes: tests and diagnostics see reconnects.
  std::uint64_t connects() const;
  std::size_t lanes() const { return lanes_.size(); }

  // One command, binary safe; args[0] is the command name. Fails with not_connected at once
  // when no connection is ready, timeout after options().command_timeout (a late reply is
  // discarded), connection_lost, stopped or invalid_argument (empty args).
  boost::asio::awaitable<boost::system::result<reply>> command(std::vector<std::string> args);
  boost::asio::awaitable<boost::system::result<reply>> command(std::vector<std::string> args,
                                                               std::chrono::milliseconds timeout);

  // As command(), and `while_waiting` runs once on the caller's thread after the command is
  // handed to the connection, before the reply is awaited: CPU work that does not depend on
  // the reply (an RSA signature, 300 µs) overlaps the round trip instead of following it.
  // On its lane's thread, the command is written, together with those every other handler of
  // the same turn of the event loop submits this way, just before the first of their
  // while_waitings runs (each in a continuation posted to the lane's io_context, not through
  // the caller's own executor: a caller there must not rely on a strand of it): Redis then
  // wakes once for the consumes of all exchanges one epoll pass brought, not once each (about
  // 35 µs of its CPU per wake-up). It runs exactly once whatever the outcome (also when the
  // command fails at once), on the caller's thread, and the caller resumes only after both it
  // has returned and the reply has come (so it may write to the caller's frame, on any
  // executor). An exception it throws is rethrown to the caller once the command has completed.
  boost::asio::awaitable<boost::system::result<reply>> command(std::vector<std::string> args,
                                                               std::function<void()> while_waiting);

  // EVALSHA; on a NOSCRIPT reply, EVAL (which also caches the script) once. `s` must
  // outlive the call (a script is normally a static; awaiting directly is enough).
  boost::asio::awaitable<boost::system::result<reply>> eval(const script& s, std::vector<std::string> keys,
                                                            std::vector<std::string> args);

  // As eval(), with `while_waiting` as for command(), and one more argument after `args` (the
  // script's last ARGV): "<run_id>-<master_replid>" of the Redis server that runs the script,
  // read by the connection's handshake (INFO; client_options::identify_server must be set, or
  // this throws std::logic_error). Every start of a Redis process draws a new
  // run_id, every promotion of a replica a new replication id, so a value tagged with it is
  // known for another server's (or another term's) when a restart reloads it from the disk, a
  // promoted replica holds a copy of it, or a server gets it back after a failover and a
  // failback (redis_authorization_code_store). Exact because a connection never outlives the
  // process it reached, and Sentinel closes clients' connections when it changes a server's
  // role. Not with a proxy that spreads one connection over several servers, nor across a
  // role change made by hand (REPLICAOF) while connections stay open.
  boost::asio::awaitable<boost::system::result<reply>> eval_with_server_id(const script& s,
                                                                           std::vector<std::string> keys,
                                                                           std::vector<std::string> args,
                                                                           std::function<void()> while_waiting = {});

  // Readiness check: PING answered with PONG.
  boost::asio::awaitable<bool> ping();

  const client_options& options() const;

  class impl;

private:
  // The lane serving a caller on executor `caller` (see the class comment).
  const std::shared_ptr<impl>& lane_for(const boost::asio::any_io_executor& caller) const;
  boost::asio::awaitable<boost::system::result<reply>> send(std::vector<std::string> args,
                                                            std::chrono::milliseconds timeout,
                                                            std::function<void()> while_waiting,
                                                            bool append_server_id);
  boost::asio::awaitable<boost::system::result<reply>> run_script(const script& s, std::vector<std::string> keys,
                                                                  std::vector<std::string> args,
                                                                  std::function<void()> while_waiting,
                                                                  bool append_server_id);

  std::vector<std::shared_ptr<impl>> lanes_;
};

} // namespace oauth::redis
