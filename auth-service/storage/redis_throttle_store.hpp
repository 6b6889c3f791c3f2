#pragma once
// throttle_store in Redis: brute-force protection of the password grant
// (../shared/CONTRACT.md: 429 after 5 failed password attempts within a minute for one user
// name from one client IP, even with the right password while throttled).
//
// Counting: a fixed window per key that starts at the first failure and lasts `window`
// (60 s). Decision (precisely): check() says throttled when a counter has ALREADY reached
// its limit, so with per_user = 5 the 5th failure itself is still answered normally
// (invalid_grant) and every attempt after it (the 6th onwards) is refused until the window
// of the first failure ends; retry_after = the window's remaining time, rounded up, in
// (0, window]. The per-IP counter (per_ip, THROTTLE_IP_FAILURES, default 50) counts failures
// for any user name, so one address cannot spray many names. A success deletes the
// (IP, user name) counter only.
//
// Redis keys (P = the prefix, "oauth:throttle:" by default):
//   P u:<hex SHA-256(ip "\n" lower-cased user name)>   STRING counter, PX window from the first failure
//   P ip:<ip>                                           STRING counter, PX window from the first failure
// User names (e-mail addresses) never appear in key names. INCR and PEXPIRE run in one Lua
// script (atomic; a counter never lives without its expiry). Single Redis (or Sentinel)
// only: the script touches two keys that Redis Cluster would hash to different slots.
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

// The pure decision: counters and their remaining windows (milliseconds; ≤ 0 when the key
// has no expiry or does not exist) → throttled, retry_after rounded up to whole seconds.
throttle_state throttle_decision(std::int64_t user_failures, std::int64_t user_pttl_ms, std::int64_t ip_failures,
                                 std::int64_t ip_pttl_ms, const throttle_limits& limits);

class redis_throttle_store final : public throttle_store {
public:
  static constexpr std::string_view default_prefix = "oauth:throttle:";

  // `redis` must outlive the store.
  redis_throttle_store(redis::client& redis, throttle_limits limits,
                       std::string prefix = std::string(default_prefix));

  boost::asio::awaitable<store_result<throttle_state>> check(std::string_view ip, std::string_view username) override;
  boost::asio::awaitable<store_result<void>> record_failure(std::string_view ip, std::string_view username) override;
  boost::asio::awaitable<store_result<void>> record_success(std::string_view ip, std::string_view username) override;

  std::string user_key(std::string_view ip, std::string_view username) const;
  std::string ip_key(std::string_view ip) const { return prefix_ + "ip:" + std::string(ip); }

private:
  redis::client& redis_;
  throttle_limits limits_;
  std::string prefix_;
};

} // namespace oauth::auth
