#pragma once
// The auth service's side of the revocation list protocol (protocol.hpp): stores revoked jtis
// in the Redis ZSET and announces them on the channel, atomically, in one Lua script.
#include "common/redis/client.hpp"
#include "common/revocation/protocol.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <vector>

namespace oauth::revocation {

class revocation_set;

class writer {
public:
  // `redis` (and `local`, when given) must outlive the writer. `local` is the writing process's
  // own live set: entries are added to it as soon as Redis accepted them, so the process that
  // revoked a token refuses it at once, without waiting for its own subscription.
  writer(redis::client& redis, names protocol = {}, revocation_set* local = nullptr);

  // Revokes the entries (those whose exp + retention already passed are ignored). Fails with
  // the Redis client's error (not_connected, timeout...) when Redis did not take them: the
  // caller must then report failure (503), since resource services were not told.
  // now == 0: the current time. Returns how many entries were written.
  boost::asio::awaitable<boost::system::result<std::size_t>> revoke(std::vector<entry> entries, std::int64_t now = 0);

  const names& protocol() const noexcept { return names_; }

private:
  redis::client& redis_;
  names names_;
  revocation_set* local_;
};

} // namespace oauth::revocation
