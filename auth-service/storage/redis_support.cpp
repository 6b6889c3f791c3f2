#include "auth-service/storage/redis_support.hpp"

#include "common/log.hpp"
#include "common/redis/errors.hpp"

#include <charconv>

namespace oauth::auth::redis_support {

std::int64_t to_int64(std::string_view s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

boost::system::error_code command_failed(std::string_view store, std::string_view operation,
                                         boost::system::error_code ec) {
  log::warn(std::string(store) + ": redis command failed", {{"operation", operation}, {"error", ec.message()}});
  return ec;
}

boost::system::error_code unexpected_reply(std::string_view store, std::string_view operation,
                                           const redis::reply& r) {
  log::error(std::string(store) + ": unexpected redis reply",
             {{"operation", operation}, {"reply_error", std::string(r.error_code())}});
  return redis::make_error_code(redis::errc::protocol_error);
}

} // namespace oauth::auth::redis_support
