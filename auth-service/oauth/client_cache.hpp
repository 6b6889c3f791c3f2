#pragma once
// A client_store decorator that keeps client records in memory for a short time, so a
// machine-to-machine token request costs no PostgreSQL round trip.
//
// TTL (default 5 s) is the bound on how late a secret change takes effect on a running
// service. `authctl client revoke` does not wait for it: it publishes a client cutoff on the
// revocation channel (common/revocation), and a client the live set cuts off is answered as
// revoked at once, cached or not (watch()). Unknown ids are cached too (so random ids cannot hammer
// the database), for the same TTL. Store failures are never cached. At most `max_entries`
// (expiring_cache.hpp). Concurrent misses for one id share one lookup (single_flight.hpp).
#include "auth-service/oauth/expiring_cache.hpp"
#include "auth-service/oauth/single_flight.hpp"
#include "auth-service/storage/client_store.hpp"
#include "common/revocation/revocation_set.hpp"

#include <chrono>
#include <cstddef>
#include <optional>

namespace oauth::auth {

class client_cache final : public client_store {
public:
  using clock = expiring_cache<std::optional<client>>::clock;
  // `now` reads the clock (tests give their own: the TTL is then theirs to pass, not a sleep's).
  using clock_fn = expiring_cache<std::optional<client>>::clock_fn;
  client_cache(client_store& backing, std::chrono::milliseconds ttl = std::chrono::seconds(5),
               std::size_t max_entries = 10'000, clock_fn now = &clock::now);

  boost::asio::awaitable<store_result<std::optional<client>>> find(std::string_view id) override;

  // `cut_offs` (must outlive the cache): clients it holds a cutoff for are revoked.
  void watch(const revocation::revocation_set* cut_offs) { cut_offs_ = cut_offs; }

  // Drops everything (tests, or after an admin change made by this process).
  void clear() { cache_.clear(); }
  std::size_t size() const { return cache_.size(); }
  std::size_t lookups_in_flight() const { return flights_.in_flight(); }

private:
  boost::asio::awaitable<store_result<std::optional<client>>> look_up_and_remember(std::string id);

  client_store& backing_;
  const revocation::revocation_set* cut_offs_ = nullptr;
  expiring_cache<std::optional<client>> cache_;
  single_flight<store_result<std::optional<client>>> flights_;
};

} // namespace oauth::auth
