#pragma once
// session_store in Redis (../shared/CONTRACT.md, "Login session").
//
// Redis keys (P = the prefix, "oauth:session:" by default; H = the hex SHA-256 of the session
// id, refresh_token_hash(); U = the user id). No key or value ever holds a session id.
//
//   P <H>       HASH  one session: uid, cat (created_at), at (auth_time), abs (absolute expiry,
//                     unix s = created_at + SESSION_TTL). TTL: min(idle, abs - now), set at
//                     create() and slid by find(): the idle timeout IS the key's expiry, so an
//                     idle session is gone from Redis, not just refused. find() rewrites the
//                     TTL only when it is more than session_slide_slack_ms(idle) (idle / 30,
//                     at most 60 s) away from min(idle, abs - now): most finds then write
//                     nothing, which keeps an fsync (appendfsync always) off every authorize.
//                     So an idle session ends between idle - slack and idle after its last
//                     use (1740-1800 s by default), never later; abs is checked at every find.
//   P u:<U>     SET   the H of every session of user U (destroy_all_for_user). TTL: at least the
//                     remaining absolute life of its newest session (it only ever grows), so it
//                     outlives every member; members whose session has ended are pruned at each
//                     create(), so a user who logs in daily does not grow it without bound.
//                     (H is 64 hex digits: no H can look like "u:...".)
//
// The CSRF token is NOT stored: it is derived from the session id,
// base64url(HMAC-SHA-256(key = id, "oauth2 session csrf v1")) (session_csrf_token()), so it is as
// unguessable as a random 256-bit value to anyone without the id, and a reader of Redis (which
// holds only H) can neither use a session nor forge a form for it.
//
// Every operation that touches more than one key is one Lua script (client::eval), so a session
// never lives without its expiry or outside its user's index, and destroy_all_for_user() ends
// exactly the sessions created before it. Times: `now` is the caller's clock (unix s); expiries
// are handed to Redis as relative durations (PEXPIRE), so a caller's clock that differs from
// Redis's moves no expiry by more than that difference.
//
// Deployment: one Redis (optionally behind Sentinel). The scripts derive the index key from the
// stored user id and session keys from the index's members (keys not declared in KEYS, on
// different slots), so they are NOT Redis-Cluster-safe, like the refresh-token store's.
#include "auth-service/storage/session_store.hpp"
#include "common/redis/client.hpp"

#include <string>
#include <string_view>

namespace oauth::auth {

// The CSRF token of session `id` (pure, deterministic; 43 base64url characters).
std::string session_csrf_token(std::string_view session_id);

// How far a session key's TTL may stray from the idle timeout before find() rewrites it:
// idle / 30, at most 60 s (the layout above).
std::int64_t session_slide_slack_ms(std::int64_t idle_ms);

class redis_session_store final : public session_store {
public:
  static constexpr std::string_view default_prefix = "oauth:session:";

  // `redis` must outlive the store.
  explicit redis_session_store(redis::client& redis, std::string prefix = std::string(default_prefix));

  // ttl and idle below one second are taken as one second.
  boost::asio::awaitable<store_result<created_session>> create(std::string_view user_id, std::int64_t now,
                                                              std::chrono::seconds ttl,
                                                              std::chrono::seconds idle) override;
  // An id that is not 43 base64url characters (random_token_format.hpp) → nullopt, without a
  // round trip. A session past its absolute expiry is deleted (and nullopt).
  boost::asio::awaitable<store_result<std::optional<login_session>>> find(std::string_view id, std::int64_t now,
                                                                         std::chrono::seconds idle) override;
  boost::asio::awaitable<store_result<void>> destroy(std::string_view id) override;
  boost::asio::awaitable<store_result<std::size_t>> destroy_all_for_user(std::string_view user_id) override;

  // Key names of the layout above (tests, operations).
  std::string session_key(std::string_view id_hash) const { return prefix_ + std::string(id_hash); }
  std::string user_index_key(std::string_view user_id) const { return prefix_ + "u:" + std::string(user_id); }

private:
  redis::client& redis_;
  std::string prefix_;
};

} // namespace oauth::auth
