#include "common/redis/subscriber.hpp"

#include "common/log.hpp"
#include "common/redis/connection.hpp"

#include <boost/asio/steady_timer.hpp>
#include <hiredis/async.h>

#include <algorithm>
#include <atomic>
#include <exception>

namespace oauth::redis {
namespace {

std::string_view text(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) return {};
  return {r->str, r->len};
}

// A subscriber never runs scripts, so its handshake asks no INFO, whatever options it shares.
client_options without_identity(client_options opts) {
  opts.identify_server = false;
  return opts;
}

} // namespace

class subscriber::impl final : public detail::connection {
public:
  impl(boost::asio::any_io_executor ex, client_options opts, std::vector<std::string> channels,
       message_handler on_message, subscribed_handler on_subscribed)
      : connection(std::move(ex), without_identity(std::move(opts)), "subscriber"),
        channels_(std::move(channels)),
        on_message_(std::move(on_message)),
        on_subscribed_(std::move(on_subscribed)),
        confirm_timer_(strand()) {
    // Redis confirms each argument; duplicates would skew the count.
    std::sort(channels_.begin(), channels_.end());
    channels_.erase(std::unique(channels_.begin(), channels_.end()), channels_.end());
  }

  bool subscribed() const { return subscribed_.load(std::memory_order_acquire); }
  std::uint64_t subscriptions() const { return subscriptions_.load(std::memory_order_relaxed); }

private:
  void on_ready() override {
    if (channels_.empty()) return confirm();
    std::vector<const char*> argv{"SUBSCRIBE"};
    std::vector<std::size_t> lens{9};
    for (const auto& c : channels_) {
      argv.push_back(c.data());
      lens.push_back(c.size());
    }
    pending_ = channels_.size();
    if (redisAsyncCommandArgv(context(), &impl::message_cb, nullptr, static_cast<int>(argv.size()), argv.data(),
                              lens.data()) != REDIS_OK) {
      teardown_later("cannot send SUBSCRIBE");
      return;
    }
    confirm_timer_.expires_after(options().command_timeout);
    confirm_timer_.async_wait([self = std::static_pointer_cast<impl>(self()), gen = generation()](boost::system::error_code ec) {
      if (ec || self->generation() != gen || self->subscribed()) return;
      self->teardown("subscribe timeout");
    });
  }

  void on_lost() override {
    subscribed_.store(false, std::memory_order_release);
    confirm_timer_.cancel();
  }

  // Called for every subscribe confirmation and message; with null when the context is freed.
  static void message_cb(redisAsyncContext* ac, void* r, void*) {
    auto* base = static_cast<detail::connection*>(ac->data);
    if (base == nullptr || r == nullptr) return;
    auto* self = static_cast<impl*>(base);
    if (self->stopping()) return;
    const auto* rep = static_cast<const redisReply*>(r);
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 3) return;
    auto kind = text(rep->element[0]);
    if (kind == "message") {
      self->deliver(text(rep->element[1]), text(rep->element[2]));
    } else if (kind == "subscribe") {
      if (self->pending_ > 0 && --self->pending_ == 0) self->confirm();
    }
  }

  void confirm() {
    confirm_timer_.cancel();
    subscribed_.store(true, std::memory_order_release);
    subscriptions_.fetch_add(1, std::memory_order_relaxed);
    log::info("redis subscribed", {{"channels", channels_.size()}});
    if (!on_subscribed_) return;
    try {
      on_subscribed_();
    } catch (const std::exception& e) {
      log::error("redis on_subscribed callback threw", {{"what", e.what()}});
    } catch (...) {
      log::error("redis on_subscribed callback threw");
    }
  }

  void deliver(std::string_view channel, std::string_view message) {
    if (!on_message_) return;
    try {
      on_message_(channel, message);
    } catch (const std::exception& e) {
      log::error("redis on_message callback threw", {{"what", e.what()}});
    } catch (...) {
      log::error("redis on_message callback threw");
    }
  }

  std::vector<std::string> channels_;
  message_handler on_message_;
  subscribed_handler on_subscribed_;
  boost::asio::steady_timer confirm_timer_;
  std::size_t pending_ = 0;  // strand only
  std::atomic<bool> subscribed_{false};
  std::atomic<std::uint64_t> subscriptions_{0};
};

subscriber::subscriber(boost::asio::any_io_executor ex, client_options opts, std::vector<std::string> channels,
                       message_handler on_message, subscribed_handler on_subscribed)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(opts), std::move(channels), std::move(on_message),
                                   std::move(on_subscribed))) {}

subscriber::~subscriber() { impl_->stop(); }

void subscriber::start() { impl_->start(); }
void subscriber::stop() { impl_->stop(); }
bool subscriber::connected() const { return impl_->subscribed(); }
std::uint64_t subscriber::subscriptions() const { return impl_->subscriptions(); }

} // namespace oauth::redis
