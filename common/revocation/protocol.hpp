#pragma once
// The revocation list protocol: the ONE place where the auth service (writer) and the resource
// services (readers) agree on how revoked access tokens travel through Redis. Pure: no I/O.
//
// Redis layout (one Redis, the one both services use through REDIS_URL):
//
//   oauth:revoked        ZSET   member = a revoked access token's jti, score = its exp (unix s).
//                               Entries are kept until exp + retention (300 s, more than any
//                               CLOCK_SKEW a verifier applies), then pruned by every writer
//                               (ZREMRANGEBYSCORE -inf (now - retention)). Readers ignore older
//                               entries as well, so a stale one is harmless.
//   oauth:revocations    pub/sub channel. One message per revocation event (one token, or a
//                               whole refresh family), published by the same Lua script that
//                               wrote the ZSET (so a reader never sees an announcement whose
//                               entry is not stored yet).
//
// Message format (text, ASCII): one or more entries separated by '\n', each
//     <jti> ' ' <exp>
// jti: 1..128 visible ASCII characters (0x21..0x7E); exp: decimal unix seconds. A reader skips
// entries it cannot parse (and counts them) rather than dropping the message.
//
// Cutoff entries: "every token of subject S (or of client C) issued at or before T" is ONE
// entry whose member is
//     sub:<T>:<S>    (checked against the token's sub and iat)
//     cli:<T>:<C>    (checked against the token's client_id and iat)
// and whose exp (score) is T + the longest lifetime of any token it may cover: after that every
// covered token has expired and the entry may go. Same syntax rules as a jti (0x21..0x7E), so
// old readers store it as an unknown jti, harmlessly. jtis are UUIDs and never have this shape.
//
// Load-all: ZRANGEBYSCORE oauth:revoked (now - retention) +inf WITHSCORES → jti, exp pairs.
// A reader SUBSCRIBEs first and loads all after every (re)subscription, so an entry revoked
// while it was disconnected is either in the load or in a message after it. Revocation is
// monotonic (nothing is ever un-revoked), so loads and messages are merged into the set (a
// union), never replacing it: entries survive even a Redis that lost its data.
//
// Writers: the Lua function below (revoke_function_lua) is embedded in every script that
// revokes (the writer's own script, and the refresh-token store's rotation and revocation
// scripts for family revocation), so the ZADD, the pruning and the PUBLISH happen atomically
// with the decision to revoke.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::revocation {

inline constexpr std::string_view default_key = "oauth:revoked";
inline constexpr std::string_view default_channel = "oauth:revocations";
// How long after its exp an entry is kept (≥ any verifier's clock skew).
inline constexpr std::int64_t retention_seconds = 300;
inline constexpr std::size_t max_jti_bytes = 128;

struct names {
  std::string key{default_key};
  std::string channel{default_channel};
};

struct entry {
  std::string jti;
  std::int64_t exp = 0;  // unix seconds

  bool operator==(const entry&) const = default;
};

// jti syntax of the protocol (1..128 bytes of 0x21..0x7E).
bool valid_jti(std::string_view jti) noexcept;

// A cutoff entry's meaning (see "Cutoff entries" above).
struct cutoff {
  enum class kind { subject, client };
  kind what = kind::subject;
  std::int64_t before = 0;  // T: tokens with iat <= T are revoked
  std::string_view id;      // a view into the member
};
inline constexpr std::string_view subject_cutoff_prefix = "sub:";
inline constexpr std::string_view client_cutoff_prefix = "cli:";
// The member of a cutoff entry; empty when id is not valid in a member.
std::string cutoff_member(cutoff::kind what, std::int64_t before, std::string_view id);
// The cutoff a member encodes, or nullopt for a plain jti.
std::optional<cutoff> parse_cutoff(std::string_view member) noexcept;

// Encodes entries as one message ("jti exp\njti exp"). Entries with an invalid jti are skipped.
std::string encode_message(const std::vector<entry>& entries);

struct parsed_message {
  std::vector<entry> entries;
  std::size_t rejected = 0;  // malformed entries skipped
};
parsed_message parse_message(std::string_view message);

// The arguments of the load-all command (ZRANGEBYSCORE key (now-retention +inf WITHSCORES).
std::vector<std::string> load_command(const names& n, std::int64_t now);

// Pairs of a WITHSCORES reply as strings (member, score, member, score...) → entries; pairs
// that do not parse are skipped (counted in rejected).
parsed_message parse_pairs(const std::vector<std::string>& flat);

// Lua source of `local function revoke_jtis(zkey, channel, now, list)`: list is a flat Lua
// array {jti, exp, jti, exp, ...} (as ZRANGEBYSCORE ... WITHSCORES returns it). Adds every
// entry whose exp + retention is still ahead, prunes old entries, publishes one message when
// anything was added; returns the number added. Embed it at the top of a script.
std::string_view revoke_function_lua();

} // namespace oauth::revocation
