#include "resource-service/key_refresh.hpp"

#include "common/ascii.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace oauth::resource {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

} // namespace

std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control) {
  std::optional<std::chrono::seconds> result;
  bool no_cache = false;
  while (!cache_control.empty()) {
    auto comma = cache_control.find(',');
    auto directive = trim(cache_control.substr(0, comma));
    auto eq = directive.find('=');
    auto name = trim(directive.substr(0, eq));
    if (iequals(name, "no-store") || iequals(name, "no-cache")) no_cache = true;
    if (iequals(name, "max-age") && eq != std::string_view::npos) {
      auto value = trim(directive.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (!value.empty() && ec == std::errc{} && p == value.data() + value.size() && n >= 0) {
        result = std::chrono::seconds(n);
      } else if (ec == std::errc::result_out_of_range) {
        result = std::chrono::seconds(std::numeric_limits<std::int32_t>::max());  // RFC 9111 §1.2.2
      }
    }
    if (comma == std::string_view::npos) break;
    cache_control.remove_prefix(comma + 1);
  }
  if (no_cache) return std::chrono::seconds(0);
  return result;
}

std::chrono::seconds refresh_interval(std::optional<std::chrono::seconds> max_age, const refresh_bounds& b) {
  if (!max_age) return std::clamp(b.fallback, b.min, b.max);
  return std::clamp(*max_age, b.min, b.max);
}

std::chrono::milliseconds retry_delay(unsigned attempt, std::chrono::milliseconds min, std::chrono::milliseconds max) {
  auto d = min;
  for (unsigned i = 0; i < attempt && d < max; ++i) d *= 2;
  return std::min(d, max);
}

bool refetch_limiter::try_acquire(clock::time_point now) {
  auto t = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  auto next = next_allowed_.load(std::memory_order_relaxed);
  while (t >= next) {
    if (next_allowed_.compare_exchange_weak(next, t + interval_.count(), std::memory_order_relaxed)) return true;
  }
  return false;
}

} // namespace oauth::resource
