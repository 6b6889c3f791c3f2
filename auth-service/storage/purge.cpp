#include "auth-service/storage/purge.hpp"

#include <span>
#include <string_view>

namespace oauth::auth {
namespace {

struct purge_step {
  std::string_view what;
  // $1: the longest token lifetime in seconds. Returns affected rows.
  std::string_view sql;
};

constexpr purge_step steps[] = {
    {"revoked_clients",
     "delete from oauth_clients where revoked and revoked_at < now() - make_interval(secs => $1::bigint)"},
};

} // namespace

boost::asio::awaitable<pg::result<std::vector<purge_count>>> purge(pg::pool& db, purge_policy policy) {
  auto tx = co_await db.begin();
  if (!tx) co_return tx.error();
  std::vector<purge_count> out;
  for (const auto& step : steps) {
    auto r = co_await tx->query(step.sql, pg::args(static_cast<std::int64_t>(policy.longest_token_lifetime.count())));
    if (!r) co_return r.error();
    out.push_back({std::string(step.what), r->affected_rows()});
  }
  auto committed = co_await tx->commit();
  if (!committed) co_return committed.error();
  co_return out;
}

} // namespace oauth::auth
