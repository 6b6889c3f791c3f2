#pragma once
// A user_store decorator that keeps the records find_by_id reads in memory for a short time,
// so a refresh (which re-reads its user: deleted? scopes narrowed?) costs no PostgreSQL round
// trip. The records it returns have no password hash (not kept in memory); every other call
// goes to the backing store, so logins always read the current hash.
//
// TTL (the client cache's, default 5 s) is the bound on how late `authctl user update
// --scopes` narrows a refresh on a running service. `authctl user delete` does not wait for
// it: it publishes a subject cutoff on the revocation channel, and a user the live set cuts
// off is answered as absent at once, cached or not (watch()). Unknown ids are cached too;
// store failures never are.
#include "auth-service/oauth/expiring_cache.hpp"
#include "auth-service/oauth/single_flight.hpp"
#include "auth-service/storage/user_store.hpp"
#include "common/revocation/revocation_set.hpp"

#include <chrono>
#include <cstddef>
#include <optional>

namespace oauth::auth {

class user_cache final : public user_store {
public:
  using clock = expiring_cache<std::optional<user>>::clock;
  using clock_fn = expiring_cache<std::optional<user>>::clock_fn;
  // `backing` must outlive the cache.
  user_cache(user_store& backing, std::chrono::milliseconds ttl = std::chrono::seconds(5),
             std::size_t max_entries = 100'000, clock_fn now = &clock::now);

  boost::asio::awaitable<store_result<std::optional<user>>> find_by_id(std::string_view id) override;
  boost::asio::awaitable<store_result<std::optional<user>>> find_by_email(std::string_view email) override {
    return backing_.find_by_email(email);
  }
  boost::asio::awaitable<store_result<login_subject>> find_for_login(std::string_view username) override {
    return backing_.find_for_login(username);
  }
  boost::asio::awaitable<store_result<void>> update_password_hash(std::string_view user_id,
                                                                  std::string new_hash) override {
    return backing_.update_password_hash(user_id, std::move(new_hash));
  }

  // `cut_offs` (must outlive the cache): users it holds a subject cutoff for are deleted.
  void watch(const revocation::revocation_set* cut_offs) { cut_offs_ = cut_offs; }
  std::size_t size() const { return cache_.size(); }

private:
  boost::asio::awaitable<store_result<std::optional<user>>> look_up_and_remember(std::string id);

  user_store& backing_;
  const revocation::revocation_set* cut_offs_ = nullptr;
  expiring_cache<std::optional<user>> cache_;
  single_flight<store_result<std::optional<user>>> flights_;
};

} // namespace oauth::auth
