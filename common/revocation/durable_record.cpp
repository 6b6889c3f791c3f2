#include "common/revocation/durable_record.hpp"

#include "common/log.hpp"

#include <charconv>

namespace oauth::revocation {

boost::asio::awaitable<std::optional<std::vector<entry>>> load_durable_record(pg::pool& db, std::int64_t now) {
  auto r = co_await db.query(
      "select member, expires_at::text from revocations where expires_at > $1::bigint "
      "union all "
      "select id::text, extract(epoch from expires_at)::bigint::text from personal_access_tokens "
      "where revoked_at is not null and expires_at > to_timestamp($1::bigint)",
      pg::args(now - retention_seconds));
  if (!r) {
    if (r.error().sqlstate == "42P01") co_return std::vector<entry>{};  // undefined_table
    log::error("revocation record: query failed", {{"error", r.error().code.message()}});
    co_return std::nullopt;
  }
  std::vector<entry> out;
  out.reserve(static_cast<std::size_t>(r->size()));
  for (int row = 0; row < r->size(); ++row) {
    auto member = r->get(row, 0), exp_text = r->get(row, 1);
    if (!member || !exp_text || !valid_jti(*member)) continue;
    std::int64_t exp = 0;
    auto [p, ec] = std::from_chars(exp_text->data(), exp_text->data() + exp_text->size(), exp);
    if (ec != std::errc() || p != exp_text->data() + exp_text->size()) continue;
    out.push_back(entry{std::string(*member), exp});
  }
  co_return out;
}

} // namespace oauth::revocation
