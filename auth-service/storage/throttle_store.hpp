#pragma once
// Brute-force protection for the password grant: counts failed attempts per
// (client IP, user name) and per client IP over a sliding minute.
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string_view>

namespace oauth::auth {

struct throttle_state {
  bool throttled = false;
  std::chrono::seconds retry_after{0};
};

class throttle_store {
public:
  virtual ~throttle_store() = default;
  virtual boost::asio::awaitable<store_result<throttle_state>> check(std::string_view ip, std::string_view username) = 0;
  virtual boost::asio::awaitable<store_result<void>> record_failure(std::string_view ip, std::string_view username) = 0;
  // A successful login clears the (ip, user name) counter, not the per-IP one.
  virtual boost::asio::awaitable<store_result<void>> record_success(std::string_view ip, std::string_view username) = 0;
};

} // namespace oauth::auth
