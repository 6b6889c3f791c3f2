#pragma once
// throttle_store in Redis: brute-force protection of the password grant
// (../shared/CONTRACT.md: 429 after 5 failed password attempts within a minute for one user
// name from one client IP, even with the right password while throttled).
//
// Counting: a fixed window per key that starts at the first reserved attempt and lasts
// `window` (60 s). reserve() is one Lua script: when a counter has ALREADY reached its limit
// the attempt is refused and nothing is counted; otherwise both counters are incremented
// before the password is checked. So with per_user = 5 the first 5 attempts are evaluated and
// every later one (the 6th onwards, concurrent ones included) is refused until the window of
// the first ends; retry_after = the window's remaining time, rounded up, in (0, window].
// The per-IP counter (per_ip, THROTTLE_IP_FAILURES, default 50) counts attempts for any user
// name, so one address cannot spray many names. A success deletes the (IP, user name)
// counter and decrements the per-IP one: that counter holds failures plus attempts in flight.
//
// The per-IP limit and an innocent user behind the same NAT: once the address has 50 failed
// (or in-flight) attempts in the window, that user's correct password is refused too (429)
// until the window ends. Deliberately: telling the right password apart would need the
// Argon2 check the limit exists to refuse, and answering it differently would confirm a
// guess to whoever shares the address. Successes give their count back, so the NAT's
// legitimate logins hold the budget only while in flight; failures use it up. Operators
// behind large NATs raise THROTTLE_IP_FAILURES.
//
// Redis keys (P = the prefix, "oauth:throttle:" by default):
//   P u:<hex SHA-256(ip "\n" canonical user name)>   STRING counter, PX window from the first attempt
//   P ip:<ip>                                          STRING counter, PX window from the first attempt
// User names (e-mail addresses) never appear in key names. Counters and their expiries are
// set in one script (atomic; a counter never lives without its expiry). Single Redis (or
// Sentinel) only: the scripts touch two keys that Redis Cluster would hash to different slots.
#include "auth-service/storage/throttle_store.hpp"
#include "common/redis/client.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace oauth::auth {

struct throttle_limits {
  std::int64_t per_user = 5;   // failures per (IP, user name) per window
  std::int64_t per_ip = 50;    // failures per IP per window
  std::chrono::seconds window{60};
};

// The pure decision on a refused reservation: counters and their remaining windows (milliseconds; ≤ 0 when the key
// has no expiry or does not exist) → throttled, retry_after rounded up to whole seconds.
throttle_state throttle_decision(std::int64_t user_failures, std::int64_t user_pttl_ms, std::int64_t ip_failures,
                                 std::int64_t ip_pttl_ms, const throttle_limits& limits);

class redis_throttle_store final : public throttle_store {
public:
  static constexpr std::string_view default_prefix = "oauth:throttle:";

  // `redis` must outlive the store.
  redis_throttle_store(redis::client& redis, throttle_limits limits,
                       std::string prefix = std::string(default_prefix));

  boost::asio::awaitable<store_result<throttle_state>> reserve(std::string_view ip, std::string_view username) override;
  boost::asio::awaitable<store_result<void>> record_success(std::string_view ip, std::string_view username) override;
  boost::asio::awaitable<store_result<void>> cancel(std::string_view ip, std::string_view username) override;

  std::string user_key(std::string_view ip, std::string_view username) const;
  std::string ip_key(std::string_view ip) const { return prefix_ + "ip:" + std::string(ip); }

private:
  boost::asio::awaitable<store_result<void>> give_back(const redis::script& script, std::string_view operation,
                                                       std::string_view ip, std::string_view username);

  redis::client& redis_;
  throttle_limits limits_;
  std::string prefix_;
};

} // namespace oauth::auth
