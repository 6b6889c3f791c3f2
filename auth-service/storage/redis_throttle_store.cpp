#include "auth-service/storage/redis_throttle_store.hpp"

#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/log.hpp"

#include <algorithm>
#include <charconv>

namespace oauth::auth {
namespace {

// KEYS: user key, ip key. Returns {user count, user pttl, ip count, ip pttl}.
const redis::script check_script(R"lua(
local u = tonumber(redis.call('GET', KEYS[1]) or '0')
local i = tonumber(redis.call('GET', KEYS[2]) or '0')
return {u, redis.call('PTTL', KEYS[1]), i, redis.call('PTTL', KEYS[2])}
)lua");

// KEYS: user key, ip key. ARGV: window ms.
const redis::script failure_script(R"lua(
for _, k in ipairs(KEYS) do
  redis.call('INCR', k)
  if redis.call('PTTL', k) < 0 then redis.call('PEXPIRE', k, ARGV[1]) end
end
return 'OK'
)lua");

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

boost::system::error_code failed(std::string_view operation, boost::system::error_code ec) {
  log::warn("throttle store: redis command failed", {{"operation", operation}, {"error", ec.message()}});
  return ec;
}

boost::system::error_code bad_reply(std::string_view operation, const redis::reply& r) {
  log::error("throttle store: unexpected redis reply",
             {{"operation", operation}, {"reply_error", std::string(r.error_code())}});
  return redis::make_error_code(redis::errc::protocol_error);
}

} // namespace

throttle_state throttle_decision(std::int64_t user_failures, std::int64_t user_pttl_ms, std::int64_t ip_failures,
                                 std::int64_t ip_pttl_ms, const throttle_limits& limits) {
  throttle_state s;
  std::int64_t wait_ms = 0;
  const std::int64_t window_ms = limits.window.count() * 1000;
  auto apply = [&](std::int64_t count, std::int64_t pttl, std::int64_t limit) {
    if (count < limit) return;
    s.throttled = true;
    // A counter without an expiry cannot normally exist (the script sets it atomically);
    // count the whole window then.
    wait_ms = std::max(wait_ms, pttl > 0 ? std::min(pttl, window_ms) : window_ms);
  };
  apply(user_failures, user_pttl_ms, limits.per_user);
  apply(ip_failures, ip_pttl_ms, limits.per_ip);
  if (s.throttled) s.retry_after = std::chrono::seconds(std::max<std::int64_t>(1, (wait_ms + 999) / 1000));
  return s;
}

redis_throttle_store::redis_throttle_store(redis::client& redis, throttle_limits limits, std::string prefix)
    : redis_(redis), limits_(limits), prefix_(std::move(prefix)) {}

std::string redis_throttle_store::user_key(std::string_view ip, std::string_view username) const {
  std::string material(ip);
  material += '\n';
  material += lower_ascii(username);
  return prefix_ + "u:" + refresh_token_hash(material);
}

boost::asio::awaitable<store_result<throttle_state>> redis_throttle_store::check(std::string_view ip,
                                                                                 std::string_view username) {
  std::vector<std::string> keys{user_key(ip, username), ip_key(ip)};
  std::vector<std::string> no_args;
  auto r = co_await redis_.eval(check_script, std::move(keys), std::move(no_args));
  if (!r) co_return failed("check", r.error());
  if (!r->is_array() || r->elements.size() != 4) co_return bad_reply("check", *r);
  for (const auto& e : r->elements)
    if (!e.is_integer()) co_return bad_reply("check", *r);
  const auto& e = r->elements;
  co_return throttle_decision(e[0].integer, e[1].integer, e[2].integer, e[3].integer, limits_);
}

boost::asio::awaitable<store_result<void>> redis_throttle_store::record_failure(std::string_view ip,
                                                                                std::string_view username) {
  std::vector<std::string> keys{user_key(ip, username), ip_key(ip)};
  std::vector<std::string> args{std::to_string(limits_.window.count() * 1000)};
  auto r = co_await redis_.eval(failure_script, std::move(keys), std::move(args));
  if (!r) co_return failed("record_failure", r.error());
  if (r->is_error()) co_return bad_reply("record_failure", *r);
  co_return store_result<void>{};
}

boost::asio::awaitable<store_result<void>> redis_throttle_store::record_success(std::string_view ip,
                                                                                std::string_view username) {
  std::vector<std::string> cmd{"DEL", user_key(ip, username)};
  auto r = co_await redis_.command(std::move(cmd));
  if (!r) co_return failed("record_success", r.error());
  if (r->is_error()) co_return bad_reply("record_success", *r);
  co_return store_result<void>{};
}

} // namespace oauth::auth
