#include "auth-service/storage/revocation_record.hpp"

namespace oauth::auth {

revocation::entry make_cutoff(revocation::cutoff::kind what, std::string_view id, std::int64_t now,
                              std::chrono::seconds longest_token_lifetime) {
  const std::int64_t before = now + in_flight_margin_seconds;
  return revocation::entry{revocation::cutoff_member(what, before, id), before + longest_token_lifetime.count()};
}

boost::asio::awaitable<pg::result<void>> record_revocation(pg::pool& db, revocation::entry e) {
  auto r = co_await db.query(
      "insert into revocations (member, expires_at) values ($1, $2::bigint) "
      "on conflict (member) do update set expires_at = greatest(revocations.expires_at, excluded.expires_at)",
      pg::args(std::move(e.jti), e.exp));
  if (!r) co_return r.error();
  co_return pg::result<void>{};
}

} // namespace oauth::auth
