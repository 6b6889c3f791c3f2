#include "auth-service/storage/purge.hpp"

#include <span>
#include <string_view>

namespace oauth::auth {
namespace {

struct purge_step {
  std::string_view what;
  // Returns affected rows. With uses_lifetime, $1 is the longest token lifetime in seconds.
  std::string_view sql;
  bool uses_lifetime = true;
};

// Order matters: personal access tokens go before the clients they reference (a purged
// client's tokens go with it by ON DELETE CASCADE, but are counted here first).
constexpr purge_step steps[] = {
    // Expired personal access tokens, revoked or not. A revoked one stays until its exp (its
    // record is what DELETE answers about), so it never comes back to life: after exp the JWT
    // itself is refused everywhere.
    {"expired_personal_access_tokens", "delete from personal_access_tokens where expires_at < now()", false},
    // Subject and client cutoffs (migrations/V003) whose tokens have all expired: expires_at
    // is already T + the longest lifetime; 300 s more is the verifiers' retention.
    {"expired_revocations", "delete from revocations where expires_at < extract(epoch from now())::bigint - 300", false},
    {"revoked_clients",
     "delete from oauth_clients where revoked and revoked_at < now() - make_interval(secs => $1::bigint)"},
};

} // namespace

boost::asio::awaitable<pg::result<std::vector<purge_count>>> purge(pg::pool& db, purge_policy policy) {
  auto tx = co_await db.begin();
  if (!tx) co_return tx.error();
  std::vector<purge_count> out;
  for (const auto& step : steps) {
    // No co_await inside ?: (g++ 12 miscompiles it: the frame's temporaries are freed twice).
    pg::params params;
    if (step.uses_lifetime) params = pg::args(static_cast<std::int64_t>(policy.longest_token_lifetime.count()));
    auto r = co_await tx->query(step.sql, std::move(params));
    if (!r) co_return r.error();
    out.push_back({std::string(step.what), r->affected_rows()});
  }
  auto committed = co_await tx->commit();
  if (!committed) co_return committed.error();
  co_return out;
}

} // namespace oauth::auth
