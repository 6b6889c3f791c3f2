#include "common/redis/client.hpp"

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/redis/connection.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <hiredis/async.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>

namespace oauth::redis {
namespace {

using result_type = boost::system::result<reply>;

result_type failure(errc e) { return boost::system::error_code(make_error_code(e)); }

metrics::counter& timeouts_counter() {
  static auto& c = metrics::global().get_counter("redis_command_timeouts_total", "Redis commands that timed out.");
  return c;
}

// One command in flight. Shared by hiredis' callback (through privdata) and the timeout
// timer, so whichever comes second finds `done` set and a live object.
struct request {
  // Boost 1.81's any_completion_handler move assignment recurses forever: construct only.
  request(boost::asio::any_completion_handler<void(result_type)> h, boost::asio::any_io_executor ex,
          const boost::asio::strand<boost::asio::any_io_executor>& strand)
      : handler(std::move(h)), handler_ex(std::move(ex)), timer(strand) {}

  boost::asio::any_completion_handler<void(result_type)> handler;
  boost::asio::any_io_executor handler_ex;  // the caller's executor, work tracked
  boost::asio::steady_timer timer;          // on the connection strand
  bool done = false;                        // strand only
};
using request_ptr = std::shared_ptr<request>;

// Strand only. Completes at most once, on the caller's executor (never inline: the caller
// must not run inside a hiredis callback).
void finish(request& req, result_type r) {
  if (req.done) return;
  req.done = true;
  req.timer.cancel();
  auto ex = std::move(req.handler_ex);
  boost::asio::post(ex, [h = std::move(req.handler), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
}

} // namespace

class client::impl final : public detail::connection {
public:
  // `single_thread`: ex is an io_context run by exactly one thread (a lane), so code already
  // running on that thread may act for the strand without posting to it.
  impl(boost::asio::any_io_executor ex, client_options opts, bool single_thread)
      : connection(ex, std::move(opts), "client") {
    if (const auto* io = ex.target<boost::asio::io_context::executor_type>(); io != nullptr && single_thread)
      own_thread_ = *io;
  }

  boost::asio::io_context::executor_type own_executor() const { return *own_thread_; }

  // True when the caller runs on the lane's own (only) thread.
  // (Never from inside the lane's own strand handler, where hiredis may be mid-callback.)
  bool on_own_thread() const {
    return own_thread_ && own_thread_->running_in_this_thread() && !strand().running_in_this_thread();
  }

  // On the strand, or inline from the lane's own thread (on_own_thread()).
  // `append_server_id`: this connection's server_id() goes after args.
  // `write_now` false: the command stays in hiredis' output buffer until flush() (or the
  // adapter's write wait) sends it, with every command buffered after it.
  void submit(const request_ptr& req, const std::vector<std::string>& args, std::chrono::milliseconds timeout,
              bool append_server_id, bool write_now = true) {
    if (stopping()) return finish(*req, failure(errc::stopped));
    redisAsyncContext* ac = context();
    if (ac == nullptr) return finish(*req, failure(errc::not_connected));

    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size() + 1);
    lens.reserve(args.size() + 1);
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (append_server_id) {
      argv.push_back(server_id().data());
      lens.push_back(server_id().size());
    }
    auto holder = std::make_unique<request_ptr>(req);
    if (redisAsyncCommandArgv(ac, &impl::reply_cb, holder.get(), static_cast<int>(argv.size()), argv.data(),
                              lens.data()) != REDIS_OK) {
      // Only when hiredis is already disconnecting this context.
      return finish(*req, failure(errc::connection_lost));
    }
    holder.release();  // hiredis calls reply_cb exactly once: with the reply, or null when freed

    req->timer.expires_after(timeout);
    req->timer.async_wait([self = std::static_pointer_cast<impl>(self()), req](boost::system::error_code ec) {
      if (ec || req->done) return;
      finish(*req, failure(errc::timeout));
      timeouts_counter().inc();
      self->on_timeout();
    });
    // Write now rather than when the adapter's write wait comes round: on a thread that signs
    // tokens the wait completes only after every handler queued before it (300 µs each).
    // A failed write tears the context down through hiredis' own callbacks, as it would
    // from the adapter; `ac` is not touched after this.
    if (write_now) redisAsyncHandleWrite(ac);
  }

  // Sends whatever submit(..., false) left buffered. Same thread rules as submit().
  void flush() {
    redisAsyncContext* ac = context();
    if (ac != nullptr && sdslen(ac->c.obuf) > 0) redisAsyncHandleWrite(ac);
  }

private:
  static void reply_cb(redisAsyncContext* ac, void* r, void* privdata) {
    std::unique_ptr<request_ptr> holder(static_cast<request_ptr*>(privdata));
    request& req = **holder;
    auto* base = static_cast<detail::connection*>(ac->data);
    if (base == nullptr) return;  // freed by our destructor: nobody is left to resume
    auto* self = static_cast<impl*>(base);
    if (r == nullptr) return finish(req, failure(self->stopping() ? errc::stopped : errc::connection_lost));
    self->consecutive_timeouts_ = 0;
    if (!req.done) finish(req, reply::from_hiredis(*static_cast<const redisReply*>(r)));
  }

  void on_ready() override { consecutive_timeouts_ = 0; }

  void on_timeout() {
    // A reply in between resets the count: one slow command (a big SCAN) is no reason to
    // drop a healthy connection, a server that answers nothing is.
    if (++consecutive_timeouts_ < std::max(1u, options().timeouts_before_reconnect)) return;
    consecutive_timeouts_ = 0;
    if (context() == nullptr) return;
    log::warn("redis unresponsive, reconnecting",
              {{"role", "client"}, {"host", options().endpoint.host}, {"port", options().endpoint.port}});
    teardown("command timeouts");
  }

  std::optional<boost::asio::io_context::executor_type> own_thread_;  // a single-thread lane's context
  unsigned consecutive_timeouts_ = 0;                                  // strand only
};

client::client(boost::asio::any_io_executor ex, client_options opts) {
  lanes_.push_back(std::make_shared<impl>(std::move(ex), std::move(opts), false));
}

client::client(std::vector<boost::asio::any_io_executor> lanes, client_options opts) {
  if (lanes.empty()) throw std::invalid_argument("redis::client needs at least one executor");
  for (auto& ex : lanes) lanes_.push_back(std::make_shared<impl>(std::move(ex), opts, true));
}

client::~client() { stop(); }

void client::start() {
  for (auto& l : lanes_) l->start();
}
void client::stop() {
  for (auto& l : lanes_) l->stop();
}
bool client::connected() const {
  return std::any_of(lanes_.begin(), lanes_.end(), [](const auto& l) { return l->ready(); });
}
std::uint64_t client::connects() const {
  std::uint64_t n = 0;
  for (const auto& l : lanes_) n += l->connects();
  return n;
}
const client_options& client::options() const { return lanes_.front()->options(); }

const std::shared_ptr<client::impl>& client::lane_for(const boost::asio::any_io_executor& caller) const {
  if (lanes_.size() > 1) {
    const auto* ctx = &caller.context();
    for (const auto& l : lanes_)
      if (&l->strand().context() == ctx && l->ready()) return l;
    for (const auto& l : lanes_)
      if (l->ready()) return l;
  }
  return lanes_.front();
}

boost::asio::awaitable<result_type> client::command(std::vector<std::string> args) {
  auto timeout = options().command_timeout;
  co_return co_await command(std::move(args), timeout);
}

boost::asio::awaitable<result_type> client::command(std::vector<std::string> args, std::chrono::milliseconds timeout) {
  co_return co_await send(std::move(args), timeout, {}, false);
}

boost::asio::awaitable<result_type> client::command(std::vector<std::string> args,
                                                    std::function<void()> while_waiting) {
  auto timeout = options().command_timeout;
  co_return co_await send(std::move(args), timeout, std::move(while_waiting), false);
}

namespace {

// command(args, while_waiting): the caller resumes only once BOTH the reply has come and
// while_waiting has returned. Its coroutine frame (which while_waiting may write to) is then
// never resumed on another thread of a multi-threaded executor while while_waiting still runs.
struct overlap_gate {
  std::atomic<int> pending{2};
  std::optional<result_type> result;
  std::exception_ptr thrown;  // from while_waiting: rethrown to the caller
  std::optional<boost::asio::any_completion_handler<void(result_type)>> handler;
  boost::asio::any_io_executor caller;

  // Called once by each side; the second resumes the caller. From the reply's side, which
  // already runs on the caller's executor (finish() posted it there), directly: a second post
  // would queue the resumption behind every signature waiting on that thread. From
  // while_waiting's side (inside the initiation, or the lane's posted continuation), always posted.
  static void arrive(const std::shared_ptr<overlap_gate>& g, bool on_caller_executor) {
    if (g->pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    auto resume = [g] {
      auto h = std::move(*g->handler);
      g->handler.reset();
      std::move(h)(std::move(*g->result));
    };
    if (on_caller_executor) resume();
    else boost::asio::post(g->caller, std::move(resume));
  }

  // The while_waiting side: runs it (keeping what it throws for the caller), then arrives.
  static void run(const std::shared_ptr<overlap_gate>& g, const std::function<void()>& while_waiting) {
    try {
      while_waiting();
    } catch (...) {
      g->thrown = std::current_exception();
    }
    arrive(g, false);
  }
};

} // namespace

boost::asio::awaitable<result_type> client::send(std::vector<std::string> args, std::chrono::milliseconds timeout,
                                                 std::function<void()> while_waiting, bool append_server_id) {
  // Runs while_waiting on every path that does not hand the command over.
  auto failed_at_once = [&](errc e) {
    if (while_waiting) while_waiting();
    return failure(e);
  };
  // Hold the implementation: the client object may go away while we wait.
  std::shared_ptr<impl> state = lane_for(co_await boost::asio::this_coro::executor);
  if (args.empty()) co_return failed_at_once(errc::invalid_argument);
  if (!state->ready()) co_return failed_at_once(errc::not_connected);
  auto gate = while_waiting ? std::make_shared<overlap_gate>() : nullptr;

  auto initiation = [](auto handler, std::shared_ptr<impl> state, std::vector<std::string> args,
                       std::chrono::milliseconds timeout, std::function<void()> while_waiting,
                       std::shared_ptr<overlap_gate> gate, bool append_server_id) {
    // Completion goes to the caller's executor, which must not run out of work meanwhile.
    boost::asio::any_io_executor caller = boost::asio::prefer(
        boost::asio::any_io_executor(boost::asio::get_associated_executor(handler, state->strand())),
        boost::asio::execution::outstanding_work.tracked);
    std::shared_ptr<request> req;
    if (gate) {
      gate->handler.emplace(std::move(handler));
      gate->caller = caller;
      auto on_reply = [gate](result_type r) {
        gate->result.emplace(std::move(r));
        overlap_gate::arrive(gate, true);
      };
      req = std::make_shared<request>(boost::asio::any_completion_handler<void(result_type)>(std::move(on_reply)),
                                      std::move(caller), state->strand());
    } else {
      req = std::make_shared<request>(std::move(handler), std::move(caller), state->strand());
    }
    if (state->on_own_thread() && gate) {
      // Coalesce (see command(args, while_waiting)): the first of the continuations the
      // handlers of this turn of the event loop post writes every command they submitted.
      state->submit(req, args, timeout, append_server_id, false);
      boost::asio::post(state->own_executor(), [state, while_waiting = std::move(while_waiting), gate] {
        state->flush();
        overlap_gate::run(gate, while_waiting);
      });
      return;
    }
    if (state->on_own_thread()) {
      // The lane's only thread: nothing of the strand can be running, so no hop through it.
      state->submit(req, args, timeout, append_server_id);
    } else {
      auto strand = state->strand();
      boost::asio::post(strand, [state = std::move(state), req = std::move(req), args = std::move(args), timeout,
                                 append_server_id] { state->submit(req, args, timeout, append_server_id); });
    }
    if (gate) overlap_gate::run(gate, while_waiting);
  };
  auto r = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(result_type)>(
      initiation, boost::asio::use_awaitable, std::move(state), std::move(args), timeout, std::move(while_waiting),
      gate, append_server_id);
  if (gate && gate->thrown) std::rethrow_exception(gate->thrown);
  co_return r;
}

boost::asio::awaitable<result_type> client::eval(const script& s, std::vector<std::string> keys,
                                                 std::vector<std::string> args) {
  co_return co_await run_script(s, std::move(keys), std::move(args), {}, false);
}

boost::asio::awaitable<result_type> client::eval_with_server_id(const script& s, std::vector<std::string> keys,
                                                                std::vector<std::string> args,
                                                                std::function<void()> while_waiting) {
  if (!options().identify_server) throw std::logic_error("eval_with_server_id needs client_options::identify_server");
  co_return co_await run_script(s, std::move(keys), std::move(args), std::move(while_waiting), true);
}

boost::asio::awaitable<result_type> client::run_script(const script& s, std::vector<std::string> keys,
                                                       std::vector<std::string> args,
                                                       std::function<void()> while_waiting, bool append_server_id) {
  std::vector<std::string> cmd;
  cmd.reserve(3 + keys.size() + args.size());
  cmd.emplace_back("EVALSHA");
  cmd.push_back(s.sha1());
  cmd.push_back(std::to_string(keys.size()));
  std::move(keys.begin(), keys.end(), std::back_inserter(cmd));
  std::move(args.begin(), args.end(), std::back_inserter(cmd));
  auto retry = cmd;
  const auto timeout = options().command_timeout;
  auto r = co_await send(std::move(cmd), timeout, std::move(while_waiting), append_server_id);
  if (!r || r->error_code() != "NOSCRIPT") co_return r;
  // The script cache is empty (restart, SCRIPT FLUSH, failover): EVAL sends the source and
  // caches it for the next EVALSHA. (while_waiting has run already.)
  retry[0] = "EVAL";
  retry[1] = s.source();
  co_return co_await send(std::move(retry), timeout, {}, append_server_id);
}

boost::asio::awaitable<bool> client::ping() {
  std::vector<std::string> cmd{"PING"};
  auto r = co_await command(std::move(cmd));
  co_return r && r->type == reply::kind::status && r->str == "PONG";
}

} // namespace oauth::redis
