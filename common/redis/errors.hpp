#pragma once
// Transport failures of the Redis client as error codes. A Redis error reply
// (WRONGTYPE, NOSCRIPT...) is not one of these: it arrives as a reply of kind error.
#include <boost/system/error_code.hpp>

#include <type_traits>

namespace oauth::redis {

enum class errc {
  not_connected = 1,  // no ready connection when the command was submitted
  timeout,            // no reply within the command timeout
  connection_lost,    // the connection closed while the command was in flight
  protocol_error,     // hiredis refused the command or the reply
  stopped,            // the client was stopped
  invalid_argument,   // empty command
};

const boost::system::error_category& category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

} // namespace oauth::redis

template <>
struct boost::system::is_error_code_enum<oauth::redis::errc> : std::true_type {};
