#pragma once
// The timing rules of the JWKS cache, as pure functions (tested without a network):
// when to refresh (Cache-Control max-age, bounded), how fast to retry a failing fetch, and how
// often an unknown kid may trigger a refetch.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace oauth::resource {

// max-age=N of a Cache-Control value (RFC 9111 §5.2.2.1; directive names case-insensitive,
// the value may be quoted). no-store and no-cache count as 0. nullopt when absent or malformed.
std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control);

struct refresh_bounds {
  std::chrono::seconds min{60};
  std::chrono::seconds max{3600};
  std::chrono::seconds fallback{300};  // no usable max-age
};

// The delay until the next scheduled fetch: max-age clamped to the bounds.
std::chrono::seconds refresh_interval(std::optional<std::chrono::seconds> max_age, const refresh_bounds& b);

// Exponential backoff for a failing fetch: min * 2^attempt, capped at max (attempt from 0).
std::chrono::milliseconds retry_delay(unsigned attempt, std::chrono::milliseconds min, std::chrono::milliseconds max);

// Admits at most one event per interval (thread-safe, lock-free): a flood of tokens with
// made-up kids triggers at most one JWKS fetch per interval.
class refetch_limiter {
public:
  using clock = std::chrono::steady_clock;
  explicit refetch_limiter(std::chrono::milliseconds interval) : interval_(interval) {}
  bool try_acquire(clock::time_point now = clock::now());

private:
  std::chrono::milliseconds interval_;
  std::atomic<std::int64_t> next_allowed_{std::numeric_limits<std::int64_t>::min()};
};

} // namespace oauth::resource
