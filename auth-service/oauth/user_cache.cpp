#include "auth-service/oauth/user_cache.hpp"

#include <string>

namespace oauth::auth {

user_cache::user_cache(user_store& backing, std::chrono::milliseconds ttl, std::size_t max_entries, clock_fn now)
    : backing_(backing), cache_(ttl, max_entries, now) {}

boost::asio::awaitable<store_result<std::optional<user>>> user_cache::find_by_id(std::string_view id) {
  std::string key(id);
  auto found = cache_.lookup(key);
  if (!found) {
    // Concurrent misses for one id share one lookup (single_flight.hpp).
    decltype(flights_)::lookup_fn lookup = [this, key] { return look_up_and_remember(key); };
    auto fresh = co_await flights_.run(key, std::move(lookup));
    if (!fresh) co_return fresh;
    found = std::move(*fresh);
  }
  // A deletion announced since the record was read wins over the record.
  if (*found && cut_offs_ != nullptr && cut_offs_->subject_cut_off((*found)->id)) co_return std::optional<user>{};
  co_return std::move(*found);
}

boost::asio::awaitable<store_result<std::optional<user>>> user_cache::look_up_and_remember(std::string id) {
  auto fresh = co_await backing_.find_by_id(id);
  if (!fresh) co_return fresh;                  // failures are not cached
  if (*fresh) (**fresh).password_hash.clear();  // not kept in memory: logins read it fresh
  cache_.remember(id, *fresh);
  co_return fresh;
}

} // namespace oauth::auth
