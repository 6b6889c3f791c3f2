#include "auth-service/oauth/consent_cache.hpp"

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace oauth::auth {

consent_cache::consent_cache(consent_store& backing, std::chrono::milliseconds ttl, std::size_t max_entries,
                             clock_fn now)
    : backing_(backing), cache_(ttl, max_entries, now) {}

std::string consent_cache::key(std::string_view user_id, std::string_view client_id) {
  std::string k(user_id);
  k += ' ';  // never part of an id
  k += client_id;
  return k;
}

boost::asio::awaitable<store_result<std::optional<remembered_consent>>> consent_cache::find(
    std::string_view user_id, std::string_view client_id) {
  auto k = key(user_id, client_id);
  if (auto cached = cache_.lookup(k)) co_return std::move(*cached);
  decltype(flights_)::lookup_fn lookup = [this, u = std::string(user_id), c = std::string(client_id)] {
    return look_up_and_remember(u, c);
  };
  co_return co_await flights_.run(k, std::move(lookup));
}

boost::asio::awaitable<store_result<std::optional<remembered_consent>>>
consent_cache::look_up_and_remember(std::string user_id, std::string client_id) {
  const auto before = changes_.load();
  auto fresh = co_await backing_.find(user_id, client_id);
  // Not kept when a change here may have overtaken the read (the read may predate it).
  if (fresh && changes_.load() == before) cache_.remember(key(user_id, client_id), *fresh);
  co_return fresh;
}

void consent_cache::changed(const std::string& k) {
  ++changes_;
  flights_.forget(k);
  cache_.forget(k);
}

boost::asio::awaitable<store_result<void>> consent_cache::remember(std::string_view user_id,
                                                                   std::string_view client_id,
                                                                   const std::vector<std::string>& scopes) {
  auto done = co_await backing_.remember(user_id, client_id, scopes);
  changed(key(user_id, client_id));
  co_return done;
}

boost::asio::awaitable<store_result<bool>> consent_cache::forget(std::string_view user_id,
                                                                 std::string_view client_id) {
  auto done = co_await backing_.forget(user_id, client_id);
  changed(key(user_id, client_id));
  co_return done;
}

boost::asio::awaitable<store_result<std::vector<consented_client>>> consent_cache::list(std::string_view user_id) {
  co_return co_await backing_.list(user_id);
}

} // namespace oauth::auth
