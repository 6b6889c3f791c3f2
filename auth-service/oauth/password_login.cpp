#include "auth-service/oauth/password_login.hpp"

#include "common/log.hpp"

#include <algorithm>

namespace oauth::auth {

boost::asio::awaitable<login_outcome> password_login::check(std::string_view username, std::string_view password,
                                                            std::string_view remote_address) {
  using kind = login_refusal::kind;
  // The lookup comes first because it also gives the canonical user name, the throttle's key:
  // every spelling that finds the user (case, Unicode) is one counter (user_store.hpp).
  auto subject = co_await deps_.users.find_for_login(username);
  if (!subject) co_return login_refusal{kind::unavailable};

  // Reserved before the password is checked, atomically (redis_throttle_store.hpp): of any
  // number of concurrent attempts at most the limit are ever evaluated.
  auto reserved = co_await deps_.throttle.reserve(remote_address, subject->canonical_name);
  if (!reserved) co_return login_refusal{kind::unavailable};
  if (reserved->throttled)
    co_return login_refusal{kind::throttled, std::max(reserved->retry_after, std::chrono::seconds(1))};

  std::string stored_hash = subject->found ? subject->found->password_hash : std::string();
  // An empty hash still costs a dummy Argon2id verification (password_hasher.hpp).
  auto check = co_await deps_.hasher.verify(std::string(password), std::move(stored_hash));
  if (!check) {
    // PASSWORD_HASH_QUEUE checks already wait: refuse now, and give the attempt back, since
    // nothing was evaluated.
    auto given_back = co_await deps_.throttle.cancel(remote_address, subject->canonical_name);
    if (!given_back)
      log::warn("throttle reservation not given back (store unavailable); it expires with its window");
    co_return login_refusal{kind::busy, std::chrono::seconds(1)};
  }

  // A failure stays counted: its reservation is the failure count.
  if (!subject->found || !check->ok) co_return login_refusal{kind::wrong_credentials};
  user u = std::move(*subject->found);
  auto cleared = co_await deps_.throttle.record_success(remote_address, subject->canonical_name);
  if (!cleared) co_return login_refusal{kind::unavailable};

  if (check->needs_rehash) {
    auto fresh = co_await deps_.hasher.hash(std::string(password));
    auto saved = co_await deps_.users.update_password_hash(u.id, std::move(fresh));
    if (!saved) log::warn("password rehash not saved (store unavailable); retried on the next login", {{"user_id", u.id}});
    else log::info("password hash upgraded to Argon2id", {{"user_id", u.id}});
  }
  co_return u;
}

} // namespace oauth::auth
