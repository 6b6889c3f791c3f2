#include "auth-service/oauth/playground_client_cache.hpp"

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace oauth::auth {

std::optional<std::string> playground_client_cache::cached() const {
  const auto now = now_();
  std::lock_guard lock(mutex_);
  if (!id_ || expires_ <= now) return std::nullopt;
  if (cut_offs_ != nullptr && cut_offs_->client_cut_off(*id_)) return std::nullopt;
  return id_;
}

boost::asio::awaitable<store_result<std::optional<std::string>>> playground_client_cache::find_id() {
  if (auto id = cached()) co_return std::move(id);
  auto fresh = co_await backing_.find_id();
  if (!fresh) co_return fresh;  // failures are not cached
  const auto now = now_();
  {
    std::lock_guard lock(mutex_);
    id_ = *fresh;  // nullopt (absent) clears the entry: an absent client is asked for again
    expires_ = now + ttl_;
  }
  co_return fresh;
}

} // namespace oauth::auth
