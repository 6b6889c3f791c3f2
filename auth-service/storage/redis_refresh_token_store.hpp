#pragma once
// refresh_token_store in Redis (RFC 6749 §6 rotation, RFC 9700 §4.14.2 reuse detection).
//
// Redis keys (P = the prefix, "oauth:rt:" by default; H = refresh_token_hash(token), the hex
// SHA-256; F = the family id). No key or value ever holds a plaintext token.
//
//   P t:<H>      HASH    one refresh token: fam, cid (client), uid (user), scp (space-separated
//                        scopes), exp (unix s), st ("live" | "rotated"), succ (H of the successor,
//                        once rotated). TTL: EXPIREAT exp. A rotated token's record stays until
//                        its own expiry, so presenting it again is still recognised as reuse.
//   P g:<H>      STRING  the successor of rotated token H, sealed (AES-256-GCM) under a key
//                        derived from token H itself (refresh_token_crypto.hpp). Written only
//                        when REFRESH_REUSE_GRACE > 0; TTL: PX grace, so it exists only while a
//                        grace replay is possible (the family's revocation is checked first).
//   P f:<F>      HASH    family: rev ("0" | "1"), cid, uid. TTL: the latest expiry of its tokens
//                        (EXPIREAT ... GT: the family lives as long as its longest token).
//                        Also cat (unix s the family began) and scp (its first scopes), for
//                        GET /oauth/authorized-clients.
//   P u:<U>      SET     client ids with a family of user U (TTL: grows to the latest family's).
//   P u:<U>:c:<C> SET    family ids of user U at client C (TTL likewise); entries whose family
//                        key is gone are pruned when read. Written by issue(), grown by rotate().
//   P f:<F>:j    ZSET    access-token jti → its exp, for every access token issued from the
//                        family (entries already expired are pruned on write), so that revoking
//                        the family can revoke them too (a later issue). TTL: the later of the
//                        family's expiry and the newest access token's.
//
// rotate() runs ONE Lua script (client::eval): look up, check client and expiry, then rotate,
// replay within the grace window, or detect reuse and revoke the family, atomically, so of N
// concurrent refreshes with one token exactly one rotates. Rules:
//   - unknown → invalid; another client's token (live or rotated) → wrong_client; expired →
//     invalid (nothing changes in these cases);
//   - a live token of a revoked family → invalid; a rotated token of a revoked family →
//     reused (so of N concurrent refreshes with grace 0, one is rotated and N-1 reused);
//   - live → rotated: the successor record is written with exp = now + ttl;
//   - already rotated, grace > 0, the sealed successor still present (rotation less than
//     `grace` ago) and the successor itself still live → grace_replay with the SAME successor
//     (the access token jti is recorded; the family stays intact);
//   - otherwise → reused: the family is marked revoked (all its tokens, the successor
//     included, are dead from now on) and the presented token's sealed successor is deleted.
// The grace window is measured by Redis's own millisecond expiry of P g:<H>, not in whole
// seconds.
//
// Family revocation (reuse detection in rotate(), and revoke_family() for RFC 7009) also
// revokes the family's live access tokens: the jtis of P f:<F>:j go to the revocation list
// (common/revocation/protocol.hpp) inside the same script, so deciding to revoke and
// announcing it are one atomic step. lookup() and revoke_family() are scripts too.
//
// Deployment: one Redis 7.0 or later (EXPIRETIME, EXPIREAT GT), optionally behind Sentinel. The scripts derive family and successor
// keys from stored values, so they are NOT Redis-Cluster-safe (keys not declared in KEYS, on
// different slots).
#include "auth-service/storage/refresh_family_registry.hpp"
#include "auth-service/storage/refresh_token_inspector.hpp"
#include "auth-service/storage/refresh_token_store.hpp"
#include "common/redis/client.hpp"
#include "common/revocation/protocol.hpp"

#include <string>
#include <string_view>

namespace oauth::auth {

class redis_refresh_token_store final : public refresh_token_store,
                                        public refresh_token_inspector,
                                        public refresh_family_registry {
public:
  static constexpr std::string_view default_prefix = "oauth:rt:";

  // `redis` must outlive the store. `revocation`: where revoked access-token jtis go.
  explicit redis_refresh_token_store(redis::client& redis, std::string prefix = std::string(default_prefix),
                                     revocation::names revocation = {});

  // An empty record.family_id starts a family with a random UUID as its id.
  boost::asio::awaitable<store_result<void>> issue(std::string_view token, const refresh_grant_record& record,
                                                   std::string_view access_token_jti,
                                                   std::int64_t access_token_exp) override;
  // request.now == 0 means "now". request.ttl below one second is taken as one second.
  boost::asio::awaitable<store_result<rotation_result>> rotate(const rotation_request& request) override;

  // refresh_token_inspector. now == 0 means "now".
  boost::asio::awaitable<store_result<std::optional<refresh_token_info>>> lookup(std::string_view token,
                                                                                  std::int64_t now) override;
  boost::asio::awaitable<store_result<refresh_revoke_outcome>> revoke_family(std::string_view token,
                                                                             std::string_view client_id,
                                                                             std::int64_t now) override;

  // refresh_family_registry. now == 0 means "now".
  boost::asio::awaitable<store_result<std::vector<client_family_summary>>> live_clients(
      std::string_view user_id) override;
  boost::asio::awaitable<store_result<int>> revoke_user_client(std::string_view user_id, std::string_view client_id,
                                                               std::int64_t now) override;
  boost::asio::awaitable<store_result<bool>> revoke_family_id(std::string_view family_id, std::int64_t now) override;

  // Key names of the layout above (tests, operations, and the revocation of a later issue).
  std::string token_key(std::string_view token_hash) const { return prefix_ + "t:" + std::string(token_hash); }
  std::string grace_key(std::string_view token_hash) const { return prefix_ + "g:" + std::string(token_hash); }
  std::string family_key(std::string_view family) const { return prefix_ + "f:" + std::string(family); }
  std::string family_jtis_key(std::string_view family) const { return family_key(family) + ":j"; }

private:
  redis::client& redis_;
  std::string prefix_;
  revocation::names revocation_;
};

} // namespace oauth::auth
