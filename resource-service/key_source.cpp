#include "resource-service/key_source.hpp"

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/shared_snapshot.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace oauth::resource {
namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

metrics::counter& fetch_counter(bool ok) {
  static auto& good = metrics::global().get_counter("jwks_fetch_total", "JWKS fetches, by result.", "result=\"ok\"");
  static auto& bad = metrics::global().get_counter("jwks_fetch_total", "JWKS fetches, by result.", "result=\"error\"");
  return ok ? good : bad;
}

metrics::gauge& keys_gauge() {
  static auto& g = metrics::global().get_gauge("jwks_keys", "Verification keys currently trusted.");
  return g;
}

std::string kid_list(const jwt::key_set& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += ' ';
    out += k.kid();
  }
  return out;
}

struct fetch_outcome {
  bool ok = false;
  std::optional<std::chrono::seconds> max_age;
};

} // namespace

struct key_source::state : std::enable_shared_from_this<state> {
  state(asio::any_io_executor ex, key_source_options o)
      : strand(asio::make_strand(ex)), options(std::move(o)), limiter(options.unknown_kid_interval), timer(strand) {}

  asio::strand<asio::any_io_executor> strand;
  key_source_options options;
  shared_snapshot<const trusted_keys> keys;
  refetch_limiter limiter;
  asio::steady_timer timer;  // the refresh loop's sleep, on the strand
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> fetches{0};

  // Single flight for unknown-kid refetches: the first request fetches, later ones wait.
  using wakeup = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  std::mutex mutex;
  bool in_flight = false;
  std::vector<std::shared_ptr<wakeup>> waiters;

  void install(jwt::key_set set, std::string_view source) {
    auto previous = keys.load();
    std::string kids = kid_list(set);
    auto fresh = make_trusted_keys(std::move(set), options.verifier, std::string(source));
    keys_gauge().set(static_cast<std::int64_t>(fresh->keys.size()));
    keys.store(std::move(fresh));
    if (!previous || kid_list(previous->keys) != kids)
      log::info("verification keys loaded", {{"source", source}, {"kids", kids}});
  }

  asio::awaitable<fetch_outcome> fetch(asio::any_io_executor ex) {
    fetches.fetch_add(1);
    auto res = co_await http::get(ex, options.jwks_url, options.fetch);
    if (!res) {
      fetch_counter(false).inc();
      log::warn("JWKS fetch failed", {{"error", res.error().message()}});
      co_return fetch_outcome{};
    }
    if (res->result() != http::status::ok) {
      fetch_counter(false).inc();
      log::warn("JWKS fetch failed", {{"status", res->result_int()}});
      co_return fetch_outcome{};
    }
    auto set = jwt::key_set::from_jwks(res->body());
    if (!set || set->empty()) {
      fetch_counter(false).inc();
      log::warn("JWKS refused", {{"error", set ? std::string("no usable key") : set.error().message()}});
      co_return fetch_outcome{};
    }
    fetch_counter(true).inc();
    install(std::move(*set), "jwks");
    auto cc = res->find(http::field::cache_control);
    std::optional<std::chrono::seconds> max_age;
    if (cc != res->end()) max_age = parse_max_age(std::string_view(cc->value().data(), cc->value().size()));
    co_return fetch_outcome{true, max_age};
  }

  static asio::awaitable<void> loop(std::shared_ptr<state> self) {
    unsigned attempt = 0;
    while (!self->stopped) {
      auto outcome = co_await self->fetch(self->strand);
      std::chrono::milliseconds delay;
      if (outcome.ok) {
        attempt = 0;
        delay = refresh_interval(outcome.max_age, self->options.refresh);
      } else {
        delay = retry_delay(attempt++, self->options.retry_min, self->options.retry_max);
      }
      if (self->stopped) break;
      self->timer.expires_after(delay);
      co_await self->timer.async_wait(use_tuple);
    }
  }
};

key_source::key_source(asio::any_io_executor ex, key_source_options options)
    : state_(std::make_shared<state>(std::move(ex), std::move(options))) {}

key_source::~key_source() { stop(); }

void key_source::start() {
  if (state_->options.public_key_pem) {
    auto k = jwt::key::from_pem(*state_->options.public_key_pem);
    if (!k) throw std::runtime_error("AUTH_PUBLIC_KEY_FILE: " + k.error().message());
    jwt::key_set set;
    set.add(k->public_key());
    state_->install(std::move(set), "file");
    return;
  }
  asio::co_spawn(state_->strand, state::loop(state_), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("JWKS refresh loop failed", {{"error", ex.what()}});
    }
  });
}

void key_source::stop() {
  if (state_->stopped.exchange(true)) return;
  asio::post(state_->strand, [s = state_] { s->timer.cancel(); });
}

std::shared_ptr<const trusted_keys> key_source::current() const noexcept { return state_->keys.load(); }

std::uint64_t key_source::fetch_count() const noexcept { return state_->fetches.load(); }

asio::awaitable<std::shared_ptr<const trusted_keys>> key_source::refetch_for_unknown_kid() {
  auto s = state_;
  if (s->options.public_key_pem || s->stopped) co_return nullptr;
  auto ex = co_await asio::this_coro::executor;
  std::shared_ptr<state::wakeup> wait;
  {
    std::lock_guard lock(s->mutex);
    if (s->in_flight) {
      // The fetch under way is bounded by its own deadline, so this wait is too.
      wait = std::make_shared<state::wakeup>(ex, 1);
      s->waiters.push_back(wait);
    } else {
      if (!s->limiter.try_acquire()) co_return nullptr;
      s->in_flight = true;
    }
  }
  if (wait) {
    co_await wait->async_receive(use_tuple);
    co_return s->keys.load();
  }
  std::exception_ptr failure;
  try {
    co_await s->fetch(ex);
  } catch (...) {
    failure = std::current_exception();
  }
  std::vector<std::shared_ptr<state::wakeup>> woken;
  {
    std::lock_guard lock(s->mutex);
    s->in_flight = false;
    woken.swap(s->waiters);
  }
  for (auto& w : woken) w->try_send(boost::system::error_code{});
  if (failure) std::rethrow_exception(failure);
  co_return s->keys.load();
}

} // namespace oauth::resource
