#pragma once
// A client_store decorator that keeps client records in memory for a short time, so a
// machine-to-machine token request costs no PostgreSQL round trip.
//
// TTL (default 5 s) is the bound on how late a secret change takes effect on a running
// service. `authctl client revoke` does not wait for it: it publishes a client cutoff on the
// revocation channel (common/revocation), and a client the live set cuts off is answered as
// revoked at once, cached or not (watch()). Unknown ids are cached too (so random ids cannot hammer
// the database), for the same TTL. Store failures are never cached. The cache holds at most
// `max_entries`; when full, expired entries are dropped, and if that is not enough, all.
#include "auth-service/storage/client_store.hpp"
#include "common/revocation/revocation_set.hpp"

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace oauth::auth {

class client_cache final : public client_store {
public:
  using clock = std::chrono::steady_clock;
  client_cache(client_store& backing, std::chrono::milliseconds ttl = std::chrono::seconds(5),
               std::size_t max_entries = 10'000);

  boost::asio::awaitable<store_result<std::optional<client>>> find(std::string_view id) override;

  // `cut_offs` (must outlive the cache): clients it holds a cutoff for are revoked.
  void watch(const revocation::revocation_set* cut_offs) { cut_offs_ = cut_offs; }

  // Drops everything (tests, or after an admin change made by this process).
  void clear();
  std::size_t size() const;

private:
  struct entry {
    std::optional<client> value;
    clock::time_point expires;
  };
  std::optional<std::optional<client>> lookup(const std::string& id, clock::time_point now) const;
  void remember(const std::string& id, std::optional<client> value, clock::time_point now);

  client_store& backing_;
  const revocation::revocation_set* cut_offs_ = nullptr;
  std::chrono::milliseconds ttl_;
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

} // namespace oauth::auth
