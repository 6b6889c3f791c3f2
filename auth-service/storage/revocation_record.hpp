#pragma once
// The durable record of subject and client cutoffs (migrations/V003__revocations.sql) and the
// cutoffs themselves, as authctl makes them for `user delete` and `client revoke`.
//
// T, the cutoff, is `now + in_flight_margin`: a token endpoint that read the user or client
// just before the deletion may still sign a token a moment later (check-then-act across
// processes); tokens issued up to T are refused too, and nothing legitimate is issued to a
// deleted user or a revoked client after it. The entry lives until T + the longest token
// lifetime.
#include "common/pg/pool.hpp"
#include "common/revocation/protocol.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

namespace oauth::auth {

inline constexpr std::int64_t in_flight_margin_seconds = 60;

// The cutoff entry for `id`; its jti is empty when id cannot be a protocol member.
revocation::entry make_cutoff(revocation::cutoff::kind what, std::string_view id, std::int64_t now,
                              std::chrono::seconds longest_token_lifetime);

// Records the entry (idempotent).
boost::asio::awaitable<pg::result<void>> record_revocation(pg::pool& db, revocation::entry e);

} // namespace oauth::auth
