#include "common/revocation/writer.hpp"

#include "common/log.hpp"
#include "common/revocation/revocation_set.hpp"
#include "common/time.hpp"

namespace oauth::revocation {
namespace {

// KEYS: the ZSET. ARGV: channel, now, then jti, exp, jti, exp...
const redis::script& revoke_script() {
  static const redis::script s(std::string(revoke_function_lua()) + R"lua(
local list = {}
for i = 3, #ARGV do list[#list + 1] = ARGV[i] end
return revoke_jtis(KEYS[1], ARGV[1], tonumber(ARGV[2]), list)
)lua");
  return s;
}

} // namespace

writer::writer(redis::client& redis, names protocol, revocation_set* local)
    : redis_(redis), names_(std::move(protocol)), local_(local) {}

boost::asio::awaitable<boost::system::result<std::size_t>> writer::revoke(std::vector<entry> entries, std::int64_t now) {
  if (now == 0) now = unix_now();
  std::vector<std::string> args{names_.channel, std::to_string(now)};
  std::vector<entry> kept;
  for (auto& e : entries) {
    if (!valid_jti(e.jti) || e.exp + retention_seconds <= now) continue;
    args.push_back(e.jti);
    args.push_back(std::to_string(e.exp));
    kept.push_back(std::move(e));
  }
  if (kept.empty()) co_return std::size_t{0};
  std::vector<std::string> keys{names_.key};
  auto r = co_await redis_.eval(revoke_script(), std::move(keys), std::move(args));
  if (!r) {
    log::warn("revocation: redis command failed", {{"error", r.error().message()}});
    co_return r.error();
  }
  if (!r->is_integer()) {
    log::error("revocation: unexpected redis reply", {{"reply_error", std::string(r->error_code())}});
    co_return redis::make_error_code(redis::errc::protocol_error);
  }
  if (local_ != nullptr) local_->merge(kept);
  co_return static_cast<std::size_t>(r->integer);
}

} // namespace oauth::revocation
