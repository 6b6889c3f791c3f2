#include "common/redis/errors.hpp"

#include <string>

namespace oauth::redis {
namespace {

class redis_category final : public boost::system::error_category {
public:
  const char* name() const noexcept override { return "oauth.redis"; }

  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
    case errc::not_connected: return "not connected to redis";
    case errc::timeout: return "redis command timed out";
    case errc::connection_lost: return "redis connection lost";
    case errc::protocol_error: return "redis protocol error";
    case errc::stopped: return "redis client stopped";
    case errc::invalid_argument: return "invalid redis command";
    }
    return "unknown redis error";
  }
};

} // namespace

const boost::system::error_category& category() noexcept {
  static const redis_category instance;
  return instance;
}

} // namespace oauth::redis
