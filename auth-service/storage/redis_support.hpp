#pragma once
// What the Redis-backed stores share: integer fields, and the one way a failed command or an unexpected reply is logged and turned into an error.
#include "common/redis/reply.hpp"

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth::redis_support {

// A hash field written by our own scripts; anything unparsable reads as 0.
std::int64_t to_int64(std::string_view s);

// Logs the command failure under the store's name and hands the error back.
boost::system::error_code command_failed(std::string_view store, std::string_view operation,
                                         boost::system::error_code ec);

// Logs an unexpected reply (only the error prefix, never the payload: ERR, OOM, READONLY... carry
// no token material) and returns protocol_error.
boost::system::error_code unexpected_reply(std::string_view store, std::string_view operation,
                                           const redis::reply& r);

} // namespace oauth::auth::redis_support
