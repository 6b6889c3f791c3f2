#pragma once
// authorization_code_store in Redis (RFC 6749 §4.1.2, §10.5).
//
// Redis keys (P = the prefix, "oauth:code:" by default; H = the hex SHA-256 of the code,
// refresh_token_hash()). No key or value ever holds a code or anything of its grant.
//
//   P <H>            STRING "f:<server id>" (fresh: <server id> = "<run_id>-<master_replid>" of
//                    the Redis server that wrote it, client::eval_with_server_id) or "u" (used).
//                    Expires replay_window after the code, so that a code presented again
//                    after its exchange is recognised as a replay (and its tokens revoked) for
//                    at least 10 minutes, not taken for unknown. Whether a code can still be
//                    exchanged is decided by the expiry sealed in it, not by this key's
//                    existence.
//   P <H>:replayed   STRING "1": a replay was seen. TTL: replay_window. Written before the
//                    replay is answered, and never removed or set to anything else (a later
//                    replay writes "1" again, with a new TTL; see authorization_code_store.hpp).
//
// Durability. The remember and the consume are scripts that call redis.set_repl(REPL_NONE):
// they reach neither the append-only file nor replicas. With `appendfsync always` Redis answers
// no command of an event-loop pass before that pass's fsync, so durable writes made every
// authorize and every exchange (and every command in the same pass) wait for the disk.
// Single use holds without them because a fresh state counts only where it was written: the
// consume answers fresh only for "f:" + the server id of the Redis server running it. A new
// process draws a new run_id, a replica promoted to master a new replication id. So:
//   - a restart forgets fresh and used states alike (fails closed: the code is refused, the
//     user starts again). A fresh state that an AOF rewrite or an RDB snapshot captured comes
//     back with the old id, and is refused too: it cannot be exchanged a second time after
//     its "u" was lost;
//   - a failover likewise: a replica has its own run_id, and any "f" its full resync copied
//     carries its master's id; a failback to the old master, which a full resync may have
//     given copies of its own "f"s, starts a new term with a new replication id;
//   - all this whatever `appendfsync` is.
// Replay detection survives all this: a code whose state is gone (or another server's) is
// `forgotten`, refused and revoked like a replay (authorization_code_store.hpp). Revoking what
// an unexchanged code would have issued revokes nothing that exists.
// What it rests on (client.hpp): a connection's id is read when it connects, and Sentinel
// closes clients' connections when it changes a server's role. A role changed by hand
// (REPLICAOF) under open connections, a proxy that spreads one connection over several
// servers, or a `DEBUG LOADAOF` (disabled by default; same process and id) could bring back a
// fresh state that was used.
//
// Every operation is one command on one key:
//   remember        EVALSHA: set_repl(NONE); SET P<H> f:<server id> EX <ttl + window> NX
//   consume         EVALSHA: set_repl(NONE); SET P<H> u EX <code's remaining life + window> GET
//                   → "f" when it was f:<this server id> (fresh), "u" (replayed), else nil
//                   (forgotten); "u" from then on
//   check_expired   EVALSHA: GET P<H>, answered as the consume → "u" replayed, nil forgotten
//                   (within the window after the code's expiry; invalid past it), "f" invalid
//   replayed        EXISTS P<H>:replayed
//   (a replay)      SET P<H>:replayed 1 EX <window>
// Cluster-safe: each command names one key.
#include "auth-service/storage/authorization_code_store.hpp"
#include "common/redis/client.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace oauth::auth {

class redis_authorization_code_store final : public authorization_code_store {
public:
  static constexpr std::string_view default_prefix = "oauth:code:";
  // How long a code's state outlives its expiry, for replay detection.
  static constexpr std::chrono::seconds replay_window{600};

  // `redis` must outlive the store.
  explicit redis_authorization_code_store(redis::client& redis, std::string prefix = std::string(default_prefix));

  // ttl below one second is taken as one second.
  boost::asio::awaitable<store_result<void>> remember(std::string_view code, std::chrono::seconds ttl) override;
  // A code that cannot be one of ours (empty, longer than max_authorization_code_length, not
  // base64url, a NUL byte) → invalid without a round trip (while_waiting still runs).
  boost::asio::awaitable<store_result<code_outcome>> consume(std::string_view code, std::int64_t expires_at,
                                                             std::function<void()> while_waiting = {}) override;
  boost::asio::awaitable<store_result<code_outcome>> check_expired(std::string_view code,
                                                                   std::int64_t expires_at) override;
  boost::asio::awaitable<store_result<bool>> replayed(std::string_view code) override;

  // Key names of the layout above (tests, operations).
  std::string code_key(std::string_view code_hash) const { return prefix_ + std::string(code_hash); }
  std::string replayed_key(std::string_view code_hash) const { return code_key(code_hash) + ":replayed"; }

private:
  // Records a replay (or a forgotten code, handled as one) and answers `outcome`.
  boost::asio::awaitable<store_result<code_outcome>> record_replay(std::string code_hash, code_outcome outcome);

  redis::client& redis_;
  std::string prefix_;
};

} // namespace oauth::auth
