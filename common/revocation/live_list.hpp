#pragma once
// The reader side of the revocation list protocol (protocol.hpp): a live, in-memory
// revocation_set kept in step with Redis, for every process that verifies access tokens
// (each resource-service replica, and the auth service's own bearer checks).
//
//  - start(): SUBSCRIBEs to the channel (own connection) and, after EVERY (re)subscription,
//    loads the whole ZSET (own client connection), retrying until it succeeds; announced
//    entries are merged as they arrive. Subscribe-then-load means nothing revoked while the
//    process was away or disconnected is missed.
//  - Redis unreachable at start: loaded_once() stays false and verifiers refuse to serve
//    (fail closed) until the first load succeeds.
//  - Redis unreachable later: the set keeps what it has and verification goes on with it;
//    synced() is false (readiness check and the gauge revocation_list_synced) until a
//    subscription and its load both succeeded again.
//  - Pruned every prune_interval: entries whose exp + keep_after passed are dropped.
//  - revoked(jti): O(1), lock-shared, the hot path.
// Metrics (process-wide gauges refreshed every second; with several lists in one process, the
// last update wins):
// revocation_list_synced (0/1), revocation_list_size, revocation_list_loads_total,
// revocation_list_messages_total, revocation_list_rejected_total.
#include "common/redis/client_options.hpp"
#include "common/revocation/protocol.hpp"
#include "common/revocation/revocation_set.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace oauth::revocation {

struct live_list_options {
  redis::client_options redis;
  names protocol;
  std::chrono::milliseconds prune_interval{60'000};
  std::int64_t keep_after_seconds = retention_seconds;  // ≥ the verifier's clock skew
  std::chrono::milliseconds load_retry{250};
  // The durable record of revocations (PostgreSQL: personal access tokens, deleted users,
  // revoked clients), merged at every load after the Redis set, so a Redis that lost its data
  // cannot bring a revoked token back. nullopt from it is a failure: the load is retried and
  // does not count. Empty function: Redis only.
  std::function<boost::asio::awaitable<std::optional<std::vector<entry>>>(std::int64_t now)> record;
};

class live_list {
public:
  live_list(boost::asio::any_io_executor ex, live_list_options options);
  ~live_list();  // stop()s
  live_list(const live_list&) = delete;
  live_list& operator=(const live_list&) = delete;

  void start();
  void stop();  // idempotent

  bool revoked(std::string_view jti) const { return set_->contains(jti); }
  // The full check: jti, or a subject / client cutoff at or after iat.
  bool revoked(std::string_view jti, std::string_view sub, std::string_view client_id, std::int64_t iat) const {
    return set_->revoked(jti, sub, client_id, iat);
  }
  // Subscribed, and the full load after the latest subscription succeeded.
  bool synced() const;
  std::size_t size() const { return set_->size(); }
  // Completed full loads since start (tests wait on it).
  std::uint64_t loads() const;
  // At least one full load succeeded since start. Until then the set may lack revocations
  // made while this process was away, so a verifier must fail closed (not serve).
  bool loaded_once() const { return loads() > 0; }

  // The set itself: the auth service's writer adds its own revocations to it at once.
  revocation_set& set() { return *set_; }

  struct state;

private:
  std::shared_ptr<revocation_set> set_;
  std::shared_ptr<state> state_;
};

} // namespace oauth::revocation
