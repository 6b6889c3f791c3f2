#pragma once
// `authctl purge` (Passport's passport:purge): removes records that can no longer matter.
//
// PostgreSQL holds users, clients and personal access tokens; refresh tokens, their families,
// throttling counters and the revocation list live in Redis and expire there by their TTLs (the
// revocation ZSET is pruned by score on every write). So purge removes:
//  - expired personal access tokens, revoked or not (a revoked one is kept until it expires,
//    so it never comes back to life);
//  - revoked clients whose revocation is older than the longest token lifetime: no token issued
//    to them can still be alive, and a deleted client is as dead as a revoked one (its UUID
//    never comes back).
// Each step is an entry of the `steps` table in purge.cpp and reports its own count.
#include "common/pg/pool.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace oauth::auth {

struct purge_policy {
  // max(ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL, PERSONAL_ACCESS_TOKEN_TTL).
  std::chrono::seconds longest_token_lifetime{0};
};

struct purge_count {
  std::string what;  // e.g. "revoked_clients"
  std::int64_t removed = 0;
};

// Runs every step in one transaction; the counts are in step order.
boost::asio::awaitable<pg::result<std::vector<purge_count>>> purge(pg::pool& db, purge_policy policy);

} // namespace oauth::auth
