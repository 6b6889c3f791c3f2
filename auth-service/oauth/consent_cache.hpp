#pragma once
// A consent_store decorator that keeps what find() read in memory for a short time, so that
// GET /oauth/authorize with a session and remembered consent (the path every returning user
// takes) costs no PostgreSQL round trip. Absent consent is cached too; failures never are.
//
// The bound it sets: remember() and forget() drop the entry at once on the replica that
// handled them; another auth replica may go on using what it read for up to the TTL (the
// client cache's, 5 s in production). So a consent withdrawn through
// DELETE /oauth/authorized-clients/{id} may still skip the consent page for that long on
// another replica, the same bound a client secret change has. What the withdrawal revokes
// (the refresh families and their access tokens) does not wait for it.
//
// Concurrent misses for one (user, client) share one lookup (single_flight.hpp), but never
// across a remember() or forget() here: those detach the running lookup, and a lookup that a
// change overtook does not fill the cache.
#include "auth-service/oauth/expiring_cache.hpp"
#include "auth-service/oauth/single_flight.hpp"
#include "auth-service/storage/consent_store.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace oauth::auth {

class consent_cache final : public consent_store {
public:
  using clock = expiring_cache<std::optional<remembered_consent>>::clock;
  using clock_fn = expiring_cache<std::optional<remembered_consent>>::clock_fn;
  // `backing` must outlive the cache.
  consent_cache(consent_store& backing, std::chrono::milliseconds ttl = std::chrono::seconds(5),
                std::size_t max_entries = 100'000, clock_fn now = &clock::now);

  boost::asio::awaitable<store_result<std::optional<remembered_consent>>> find(std::string_view user_id,
                                                                                 std::string_view client_id) override;
  boost::asio::awaitable<store_result<void>> remember(std::string_view user_id, std::string_view client_id,
                                                      const std::vector<std::string>& scopes) override;
  boost::asio::awaitable<store_result<bool>> forget(std::string_view user_id, std::string_view client_id) override;
  boost::asio::awaitable<store_result<std::vector<consented_client>>> list(std::string_view user_id) override;

private:
  static std::string key(std::string_view user_id, std::string_view client_id);
  boost::asio::awaitable<store_result<std::optional<remembered_consent>>> look_up_and_remember(std::string user_id,
                                                                                                std::string client_id);
  // After a remember() or forget() has changed the store.
  void changed(const std::string& k);

  consent_store& backing_;
  expiring_cache<std::optional<remembered_consent>> cache_;
  single_flight<store_result<std::optional<remembered_consent>>> flights_;
  std::atomic<std::uint64_t> changes_{0};  // remember()s and forget()s so far
};

} // namespace oauth::auth
