#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace oauth {

using system_time = std::chrono::system_clock::time_point;

inline system_time system_now() { return std::chrono::system_clock::now(); }
inline std::int64_t unix_seconds(system_time t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline std::int64_t unix_now() { return unix_seconds(system_now()); }

// RFC 3339 UTC, e.g. 2026-11-26T17:50:31Z / 2026-11-26T17:50:31.123Z
std::string format_rfc3339(std::int64_t unix_seconds);
std::string format_rfc3339_millis(system_time t);

} // namespace oauth
