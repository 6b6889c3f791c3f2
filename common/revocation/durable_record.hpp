#pragma once
// The durable record of revocations that every verifier (each resource-service replica and the
// auth service's own bearer checks and introspection) merges into its revocation list at every
// load (live_list_options::record): revoked personal access tokens
// (personal_access_tokens.revoked_at) and the cutoffs of deleted users and revoked clients
// (revocations), both written by the auth service in the shared database.
//
// Why each verifier reads the record itself (rather than the auth service re-filling Redis
// when it finds the set empty): a replica then never verifies with a list that lacks a
// recorded revocation, whether or not another replica is running, and "Redis lost its data"
// needs no detection (an empty set is also what a fresh, legitimate Redis looks like).
#include "common/pg/pool.hpp"
#include "common/revocation/protocol.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace oauth::revocation {

// Entries still able to matter at `now` (exp + retention ahead); nullopt when PostgreSQL
// failed. A database without the auth schema yet (no such table) has revoked nothing: empty.
boost::asio::awaitable<std::optional<std::vector<entry>>> load_durable_record(pg::pool& db, std::int64_t now);

} // namespace oauth::revocation
