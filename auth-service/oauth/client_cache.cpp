#include "auth-service/oauth/client_cache.hpp"

#include <string>

namespace oauth::auth {

client_cache::client_cache(client_store& backing, std::chrono::milliseconds ttl, std::size_t max_entries)
    : backing_(backing), ttl_(ttl), max_entries_(max_entries) {}

std::optional<std::optional<client>> client_cache::lookup(const std::string& id, clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.value;
}

void client_cache::remember(const std::string& id, std::optional<client> value, clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_ && !entries_.contains(id)) {
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires <= now; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[id] = entry{std::move(value), now + ttl_};
}

boost::asio::awaitable<store_result<std::optional<client>>> client_cache::find(std::string_view id) {
  std::string key(id);
  auto now = clock::now();
  auto found = lookup(key, now);
  if (!found) {
    auto fresh = co_await backing_.find(key);
    if (!fresh) co_return fresh;  // failures are not cached
    remember(key, *fresh, clock::now());
    found = std::move(*fresh);
  }
  // A revocation announced since the record was read wins over the record.
  if (*found && cut_offs_ != nullptr && cut_offs_->client_cut_off((*found)->id)) (*found)->revoked = true;
  co_return std::move(*found);
}

void client_cache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

std::size_t client_cache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

} // namespace oauth::auth
