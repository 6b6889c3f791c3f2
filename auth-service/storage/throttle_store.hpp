#pragma once
// Brute-force protection for the password grant: counts password attempts per
// (client IP, user name) and per client IP over a minute, and refuses the ones beyond the
// limits BEFORE the password is checked (../shared/CONTRACT.md, "Hostile input").
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string_view>

namespace oauth::auth {

struct throttle_state {
  bool throttled = false;
  std::chrono::seconds retry_after{0};
};

// `username` is always the canonical name (user_store::find_for_login), so that every
// spelling the lookup treats as one user is one counter here.
class throttle_store {
public:
  virtual ~throttle_store() = default;
  // Decides and counts in one atomic step: refused (throttled, nothing counted) when either
  // counter has already reached its limit; otherwise this attempt is counted on both before
  // the password is checked. A counted attempt that fails simply stays counted, so of any
  // number of concurrent attempts at most the limit are ever evaluated.
  virtual boost::asio::awaitable<store_result<throttle_state>> reserve(std::string_view ip,
                                                                       std::string_view username) = 0;
  // The reserved attempt succeeded: clears the (IP, user name) counter and gives its count
  // back to the per-IP counter (which counts failures and attempts still in flight).
  virtual boost::asio::awaitable<store_result<void>> record_success(std::string_view ip, std::string_view username) = 0;
  // The reserved attempt was never evaluated (the hashing queue was full): gives its count
  // back to both counters.
  virtual boost::asio::awaitable<store_result<void>> cancel(std::string_view ip, std::string_view username) = 0;
};

} // namespace oauth::auth
