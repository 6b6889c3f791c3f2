#include "common/redis/reply.hpp"

#include <hiredis/hiredis.h>

namespace oauth::redis {

std::string_view reply::error_code() const {
  if (type != kind::error) return {};
  std::string_view s = str;
  return s.substr(0, s.find(' '));
}

reply reply::from_hiredis(const redisReply& r) {
  reply out;
  switch (r.type) {
  case REDIS_REPLY_STRING:
    out.type = kind::string;
    out.str.assign(r.str, r.len);
    break;
  case REDIS_REPLY_STATUS:
    out.type = kind::status;
    out.str.assign(r.str, r.len);
    break;
  case REDIS_REPLY_ERROR:
    out.type = kind::error;
    out.str.assign(r.str, r.len);
    break;
  case REDIS_REPLY_INTEGER:
    out.type = kind::integer;
    out.integer = r.integer;
    break;
  case REDIS_REPLY_ARRAY:
    out.type = kind::array;
    out.elements.reserve(r.elements);
    for (std::size_t i = 0; i < r.elements; ++i) {
      // hiredis never stores null elements, but a nil entry is the safe reading if it did.
      out.elements.push_back(r.element[i] != nullptr ? from_hiredis(*r.element[i]) : reply{});
    }
    break;
  case REDIS_REPLY_NIL:
    out.type = kind::nil;
    break;
  default:
    out.type = kind::error;
    out.str = "PROTOCOL unknown reply type " + std::to_string(r.type);
    break;
  }
  return out;
}

} // namespace oauth::redis
