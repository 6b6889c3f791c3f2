#pragma once
// authorization_code_store in Redis (RFC 6749 §4.1.2, §10.5).
//
// Redis keys (P = the prefix, "oauth:code:" by default; H = the hex SHA-256 of the code,
// refresh_token_hash()). No key or value ever holds a code or anything of its grant.
//
//   P <H>            STRING "f" (fresh) or "u" (used). Expires replay_window after the code,
//                    so that a code presented again after its exchange is recognised as a
//                    replay (and its tokens revoked) for at least 10 minutes, not taken for
//                    unknown. Whether a code can still be exchanged is decided by the expiry
//                    sealed in it, not by this key's existence.
//   P <H>:replayed   STRING "1": a replay was seen. TTL: replay_window. Written before the
//                    replay is answered, and never removed or set to anything else (a later
//                    replay writes "1" again, with a new TTL; see authorization_code_store.hpp).
//
// Durability. "f" is written NOT to the append-only file nor to replicas (a script that calls
// redis.set_repl(REPL_NONE)): with `appendfsync always` Redis answers no command of an event-
// loop pass before that pass's fsync, so a durable "f" made every authorize, and every command
// in the same pass, wait for the disk. Losing "f" (a restart, a failover) fails closed: the
// code's exchange then finds no fresh state and is refused. "u" is durable: the consume is a
// plain SET, unconditional, with its own expiry (Redis logs it as an absolute PXAT), so that
// replaying the file recreates it whether or not "f" was in the file (an AOF rewrite may have
// captured it; then "u", appended after, wins). So, on one Redis node with `appendfsync
// always`, a used code stays used across a restart, and a forgotten one is never fresh.
// Limits: with `everysec`, or across a failover to a replica (replication is asynchronous, and
// a replica's full resync copies "f"), a "u" not yet on disk or on the replica can be lost like
// any other acknowledged write, and then a code captured with its "f" could be exchanged again
// within its 60 s. After a restart, a code whose "f" was forgotten is refused, and its retries
// are taken for replays (logged, and revoking what was never issued: harmless).
//
// Every operation is one command on one key (the consume, on the hot path of the token endpoint,
// is a plain command: Redis shares the cores with the signatures):
//   remember        EVALSHA: set_repl(NONE); SET P<H> f EX <ttl + window> NX
//   consume         SET P<H> u EX <code's remaining life + window> GET  → "f" fresh,
//                   "u" replayed, nil invalid (and "u" from then on)
//   check_expired   GET P<H>                   → "u" replayed, else invalid
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
  boost::asio::awaitable<store_result<code_outcome>> check_expired(std::string_view code) override;
  boost::asio::awaitable<store_result<bool>> replayed(std::string_view code) override;

  // Key names of the layout above (tests, operations).
  std::string code_key(std::string_view code_hash) const { return prefix_ + std::string(code_hash); }
  std::string replayed_key(std::string_view code_hash) const { return code_key(code_hash) + ":replayed"; }

private:
  boost::asio::awaitable<store_result<code_outcome>> record_replay(std::string code_hash);

  redis::client& redis_;
  std::string prefix_;
};

} // namespace oauth::auth
