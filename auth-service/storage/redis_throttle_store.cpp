#include "auth-service/storage/redis_throttle_store.hpp"

#include "auth-service/storage/redis_support.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/log.hpp"

#include <algorithm>
#include <charconv>

namespace oauth::auth {
namespace {

// KEYS: user key, ip key. ARGV: window ms, per-user limit, per-IP limit.
// Returns {1} when the attempt is counted, else {0, user count, user pttl, ip count, ip pttl}.
// Deciding and counting in one script is the point: a check and a later INCR would let any
// number of concurrent attempts pass the check before the first one is counted.
const redis::script reserve_script(R"lua(
local u = tonumber(redis.call('GET', KEYS[1]) or '0')
local i = tonumber(redis.call('GET', KEYS[2]) or '0')
if u >= tonumber(ARGV[2]) or i >= tonumber(ARGV[3]) then
  return {0, u, redis.call('PTTL', KEYS[1]), i, redis.call('PTTL', KEYS[2])}
end
for _, k in ipairs(KEYS) do
  redis.call('INCR', k)
  if redis.call('PTTL', k) < 0 then redis.call('PEXPIRE', k, ARGV[1]) end
end
return {1}
)lua");

// Gives one reserved attempt back to a counter (DECR keeps the key's expiry).
constexpr std::string_view give_back_lua = R"lua(
local function give_back(k)
  local n = tonumber(redis.call('GET', k) or '0')
  if n > 1 then redis.call('DECR', k) elseif n == 1 then redis.call('DEL', k) end
end
)lua";

// KEYS: user key, ip key.
const redis::script success_script(std::string(give_back_lua) + R"lua(
redis.call('DEL', KEYS[1])
give_back(KEYS[2])
return 'OK'
)lua");

// KEYS: user key, ip key.
const redis::script cancel_script(std::string(give_back_lua) + R"lua(
give_back(KEYS[1])
give_back(KEYS[2])
return 'OK'
)lua");

constexpr std::string_view store_name = "throttle store";
boost::system::error_code failed(std::string_view operation, boost::system::error_code ec) {
  return redis_support::command_failed(store_name, operation, ec);
}
boost::system::error_code bad_reply(std::string_view operation, const redis::reply& r) {
  return redis_support::unexpected_reply(store_name, operation, r);
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
  material += username;  // already canonical (user_store::find_for_login)
  return prefix_ + "u:" + refresh_token_hash(material);
}

boost::asio::awaitable<store_result<throttle_state>> redis_throttle_store::reserve(std::string_view ip,
                                                                                   std::string_view username) {
  std::vector<std::string> keys{user_key(ip, username), ip_key(ip)};
  std::vector<std::string> args{std::to_string(limits_.window.count() * 1000), std::to_string(limits_.per_user),
                                std::to_string(limits_.per_ip)};
  auto r = co_await redis_.eval(reserve_script, std::move(keys), std::move(args));
  if (!r) co_return failed("reserve", r.error());
  if (!r->is_array() || r->elements.empty()) co_return bad_reply("reserve", *r);
  for (const auto& e : r->elements)
    if (!e.is_integer()) co_return bad_reply("reserve", *r);
  const auto& e = r->elements;
  if (e[0].integer == 1 && e.size() == 1) co_return throttle_state{};
  if (e[0].integer != 0 || e.size() != 5) co_return bad_reply("reserve", *r);
  co_return throttle_decision(e[1].integer, e[2].integer, e[3].integer, e[4].integer, limits_);
}

boost::asio::awaitable<store_result<void>> redis_throttle_store::give_back(const redis::script& script,
                                                                           std::string_view operation,
                                                                           std::string_view ip,
                                                                           std::string_view username) {
  std::vector<std::string> keys{user_key(ip, username), ip_key(ip)};
  std::vector<std::string> no_args;
  auto r = co_await redis_.eval(script, std::move(keys), std::move(no_args));
  if (!r) co_return failed(operation, r.error());
  if (r->is_error()) co_return bad_reply(operation, *r);
  co_return store_result<void>{};
}

boost::asio::awaitable<store_result<void>> redis_throttle_store::record_success(std::string_view ip,
                                                                                std::string_view username) {
  co_return co_await give_back(success_script, "record_success", ip, username);
}

boost::asio::awaitable<store_result<void>> redis_throttle_store::cancel(std::string_view ip, std::string_view username) {
  co_return co_await give_back(cancel_script, "cancel", ip, username);
}

} // namespace oauth::auth
