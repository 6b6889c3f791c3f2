#pragma once
// authorization_code_store in Redis (RFC 6749 §4.1.2, §10.5; RFC 7636).
//
// Redis keys (P = the prefix, "oauth:code:" by default; H = the hex SHA-256 of the code,
// refresh_token_hash()). No key or value ever holds a code.
//
//   P <H>   HASH  one code: cid (client), ruri (redirect URI), rs ("1": the authorize request
//                 sent it), uid, scp (space-separated scopes; a scope token has no space,
//                 RFC 6749 §3.3), cc (code challenge, "" for none), at (auth_time), exp (unix s,
//                 now + AUTH_CODE_TTL), st ("fresh" | "used"), rep ("1" once replayed), and after
//                 the first exchange fam, jti, jexp (what it issued, attach_tokens()).
//                 TTL: AUTH_CODE_TTL + replay_window. Whether a code can still be exchanged is
//                 decided by exp, not by the key's existence: the key stays replay_window
//                 (600 s) longer so that a code presented again after its first exchange is
//                 still recognised as a replay (and its tokens revoked) rather than as an
//                 unknown code, for at least 10 minutes after any exchange.
//
// consume() is ONE Lua script. Rules, in order:
//   - unknown → invalid;
//   - fresh and now >= exp → invalid (an expired code was never exchanged: nothing to revoke);
//   - another client's code (fresh or used) → wrong_client, and nothing changes: a client that
//     cannot authenticate as the code's client can neither burn the code nor, by "replaying"
//     it, get the legitimate client's tokens revoked;
//   - fresh → "used", outcome fresh (exactly one of any number of concurrent consumes);
//   - used → rep = "1", outcome replayed with the attached fam/jti/jexp (even past exp: the
//     replay window).
// attach_tokens() is a script too: it writes fam/jti/jexp and reads rep in one step, so a
// replay either sees what was attached, or happened before the attach and is reported by it.
//
// Deployment: one Redis, Sentinel or not; every script touches only the one key it declares
// (Cluster-safe).
#include "auth-service/storage/authorization_code_store.hpp"
#include "common/redis/client.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace oauth::auth {

class redis_authorization_code_store final : public authorization_code_store {
public:
  static constexpr std::string_view default_prefix = "oauth:code:";
  // How long a code's record outlives its expiry, for replay detection.
  static constexpr std::chrono::seconds replay_window{600};

  // `redis` must outlive the store.
  explicit redis_authorization_code_store(redis::client& redis, std::string prefix = std::string(default_prefix));

  // ttl below one second is taken as one second.
  boost::asio::awaitable<store_result<std::string>> issue(const authorization_code_record& record, std::int64_t now,
                                                          std::chrono::seconds ttl) override;
  // A code that is not 43 base64url characters (random_token_format.hpp: wrong length or
  // alphabet, a NUL byte) → invalid, without a round trip.
  boost::asio::awaitable<store_result<consume_result>> consume(std::string_view code, std::string_view client_id,
                                                               std::int64_t now,
                                                               planned_tokens planned = {}) override;
  // A malformed code, or one whose record is gone, → true (nothing links the new tokens to the
  // code any more, so a later replay could not revoke them: they must not be handed out).
  boost::asio::awaitable<store_result<bool>> attach_tokens(std::string_view code, std::string_view family_id,
                                                           std::string_view access_jti,
                                                           std::int64_t access_exp) override;

  // Key name of the layout above (tests, operations).
  std::string code_key(std::string_view code_hash) const { return prefix_ + std::string(code_hash); }

private:
  redis::client& redis_;
  std::string prefix_;
};

} // namespace oauth::auth
