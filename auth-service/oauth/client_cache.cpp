#include "auth-service/oauth/client_cache.hpp"

#include <string>

namespace oauth::auth {

client_cache::client_cache(client_store& backing, std::chrono::milliseconds ttl, std::size_t max_entries,
                           clock_fn now)
    : backing_(backing), cache_(ttl, max_entries, now) {}

boost::asio::awaitable<store_result<std::optional<client>>> client_cache::find(std::string_view id) {
  std::string key(id);
  auto found = cache_.lookup(key);
  if (!found) {
    decltype(flights_)::lookup_fn lookup = [this, key] { return look_up_and_remember(key); };
    auto fresh = co_await flights_.run(key, std::move(lookup));
    if (!fresh) co_return fresh;
    found = std::move(*fresh);
  }
  // A revocation announced since the record was read wins over the record.
  if (*found && cut_offs_ != nullptr && cut_offs_->client_cut_off((*found)->id)) (*found)->revoked = true;
  co_return std::move(*found);
}

boost::asio::awaitable<store_result<std::optional<client>>> client_cache::look_up_and_remember(std::string id) {
  auto fresh = co_await backing_.find(id);
  if (fresh) cache_.remember(id, *fresh);  // failures are not cached
  co_return fresh;
}

} // namespace oauth::auth
