#pragma once
// A playground_client_store decorator: the playground page asks on every load which client
// its "Authorization code + PKCE" panel acts as, and the answer changes only when an operator
// runs `authctl install` or revokes that client.
//
// A found id is reused for `ttl` (default 30 s). An absent client is not cached, so the page
// shows the client as soon as `authctl install` has made it; store failures are not cached.
// With watch(), a cached id whose client a revocation cutoff names is looked up again at once
// (`authctl client revoke` publishes one), instead of lingering for the rest of the TTL.
#include "auth-service/storage/playground_client_store.hpp"
#include "common/revocation/revocation_set.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace oauth::auth {

class playground_client_cache final : public playground_client_store {
public:
  using clock = std::chrono::steady_clock;
  // `now` reads the clock (tests give their own).
  using clock_fn = clock::time_point (*)();
  explicit playground_client_cache(playground_client_store& backing, std::chrono::milliseconds ttl = std::chrono::seconds(30),
                                   clock_fn now = &clock::now)
      : backing_(backing), ttl_(ttl), now_(now) {}

  boost::asio::awaitable<store_result<std::optional<std::string>>> find_id() override;

  // `cut_offs` (must outlive the cache): a cached id it holds a cutoff for is not reused.
  void watch(const revocation::revocation_set* cut_offs) { cut_offs_ = cut_offs; }

private:
  std::optional<std::string> cached() const;

  playground_client_store& backing_;
  std::chrono::milliseconds ttl_;
  clock_fn now_;
  const revocation::revocation_set* cut_offs_ = nullptr;
  mutable std::mutex mutex_;
  std::optional<std::string> id_;
  clock::time_point expires_{};
};

} // namespace oauth::auth
