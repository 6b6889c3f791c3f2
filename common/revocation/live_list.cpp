#include "common/revocation/live_list.hpp"

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/redis/client.hpp"
#include "common/redis/subscriber.hpp"
#include "common/time.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>

namespace oauth::revocation {
namespace asio = boost::asio;

namespace {

struct gauges {
  metrics::gauge& synced = metrics::global().get_gauge(
      "revocation_list_synced", "1 while the revocation list is subscribed and fully loaded from Redis, else 0.");
  metrics::gauge& size = metrics::global().get_gauge("revocation_list_size", "Revoked access-token jtis held in memory.");
  metrics::counter& loads =
      metrics::global().get_counter("revocation_list_loads_total", "Full loads of the revocation list from Redis.");
  metrics::counter& messages = metrics::global().get_counter("revocation_list_messages_total",
                                                             "Revocation announcements received.");
  metrics::counter& rejected = metrics::global().get_counter(
      "revocation_list_rejected_total", "Malformed revocation entries skipped (messages or loads).");
};

gauges& stats() {
  static gauges g;
  return g;
}

} // namespace

struct live_list::state {
  state(asio::any_io_executor ex, live_list_options o, std::shared_ptr<revocation_set> s)
      : executor(asio::make_strand(ex)), options(std::move(o)), set(std::move(s)), loader(ex, options.redis),
        prune_timer(executor) {}

  asio::any_io_executor executor;
  live_list_options options;
  std::shared_ptr<revocation_set> set;
  redis::client loader;
  std::unique_ptr<redis::subscriber> sub;
  asio::steady_timer prune_timer;
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> subscribed_gen{0};
  std::atomic<std::uint64_t> loaded_gen{0};
  std::atomic<std::uint64_t> loads{0};

  bool synced() const {
    return sub && sub->connected() && subscribed_gen.load() != 0 && loaded_gen.load() == subscribed_gen.load();
  }
  void publish_gauges() {
    stats().synced.set(synced() ? 1 : 0);
    stats().size.set(static_cast<std::int64_t>(set->size()));
  }
};

namespace {

// Coroutines take their state as a parameter (never a lambda capture): nothing dangles.
asio::awaitable<void> load_all(std::shared_ptr<live_list::state> st, std::uint64_t gen) {
  asio::steady_timer pause(st->executor);
  while (!st->stopped.load() && st->subscribed_gen.load() == gen) {
    auto r = co_await st->loader.command(load_command(st->options.protocol, unix_now()));
    if (r && r->is_array()) {
      std::vector<std::string> flat;
      flat.reserve(r->elements.size());
      for (auto& e : r->elements) flat.push_back(std::move(e.str));
      auto parsed = parse_pairs(flat);
      if (parsed.rejected > 0) stats().rejected.inc(parsed.rejected);
      st->set->merge(parsed.entries);
      if (st->options.record && !st->stopped.load()) {
        auto recorded = co_await st->options.record(unix_now());
        if (!recorded) {
          log::error("revocation list: the durable record could not be read; retrying");
          pause.expires_after(st->options.load_retry);
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
          continue;
        }
        st->set->merge(*recorded);
      }
      // Only the latest subscription's load counts (an older one racing it proves nothing).
      if (st->subscribed_gen.load() == gen) st->loaded_gen.store(gen);
      st->loads.fetch_add(1);
      stats().loads.inc();
      st->publish_gauges();
      log::info("revocation list loaded", {{"entries", parsed.entries.size()}, {"size", st->set->size()}});
      co_return;
    }
    if (r && r->is_error())
      log::error("revocation list: load refused", {{"reply_error", std::string(r->error_code())}});
    pause.expires_after(st->options.load_retry);
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

// Every second: refresh the gauges (a lost connection changes nothing else that would); every
// prune_interval: prune.
asio::awaitable<void> maintenance_loop(std::shared_ptr<live_list::state> st) {
  auto next_prune = std::chrono::steady_clock::now() + st->options.prune_interval;
  while (!st->stopped.load()) {
    st->prune_timer.expires_after(std::min<std::chrono::milliseconds>(st->options.prune_interval, std::chrono::seconds(1)));
    auto [ec] = co_await st->prune_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || st->stopped.load()) co_return;
    if (std::chrono::steady_clock::now() >= next_prune) {
      next_prune = std::chrono::steady_clock::now() + st->options.prune_interval;
      auto removed = st->set->prune(unix_now(), st->options.keep_after_seconds);
      if (removed > 0) log::info("revocation list pruned", {{"removed", removed}, {"size", st->set->size()}});
    }
    st->publish_gauges();
  }
}

void spawn(std::shared_ptr<live_list::state> st, asio::awaitable<void> work) {
  asio::co_spawn(st->executor, std::move(work), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("revocation list task failed", {{"what", ex.what()}});
    } catch (...) {
      log::error("revocation list task failed");
    }
  });
}

} // namespace

live_list::live_list(asio::any_io_executor ex, live_list_options options)
    : set_(std::make_shared<revocation_set>()), state_(std::make_shared<state>(ex, std::move(options), set_)) {
  std::weak_ptr<state> weak = state_;
  state_->sub = std::make_unique<redis::subscriber>(
      ex, state_->options.redis, std::vector<std::string>{state_->options.protocol.channel},
      [weak](std::string_view, std::string_view message) {
        auto st = weak.lock();
        if (!st || st->stopped.load()) return;
        auto parsed = parse_message(message);
        stats().messages.inc();
        if (parsed.rejected > 0) stats().rejected.inc(parsed.rejected);
        st->set->merge(parsed.entries);
        st->publish_gauges();
      },
      [weak] {
        auto st = weak.lock();
        if (!st || st->stopped.load()) return;
        auto gen = st->subscribed_gen.fetch_add(1) + 1;
        st->publish_gauges();
        spawn(st, load_all(st, gen));
      });
}

live_list::~live_list() { stop(); }

void live_list::start() {
  state_->loader.start();
  state_->sub->start();
  spawn(state_, maintenance_loop(state_));
}

void live_list::stop() {
  if (state_->stopped.exchange(true)) return;
  state_->sub->stop();
  state_->loader.stop();
  asio::post(state_->prune_timer.get_executor(), [st = state_] { st->prune_timer.cancel(); });
  stats().synced.set(0);
}

bool live_list::synced() const { return state_->synced(); }
std::uint64_t live_list::loads() const { return state_->loads.load(); }

} // namespace oauth::revocation
