#include "auth-service/storage/redis_session_store.hpp"

#include "auth-service/storage/random_token_format.hpp"
#include "auth-service/storage/redis_support.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/digest.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "common/random.hpp"

#include <algorithm>
#include <charconv>

namespace oauth::auth {
namespace {

constexpr std::string_view csrf_label = "oauth2 session csrf v1";

// KEYS: session key, user index key.
// ARGV: user id, created_at, auth_time, abs, session ttl ms, index ttl ms, H, prefix.
// The index is pruned of ended sessions first, then gets H; its TTL only ever grows.
const redis::script create_script(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('ERR session already stored') end
redis.call('HSET', KEYS[1], 'uid', ARGV[1], 'cat', ARGV[2], 'at', ARGV[3], 'abs', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
for _, h in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[8] .. h) == 0 then redis.call('SREM', KEYS[2], h) end
end
redis.call('SADD', KEYS[2], ARGV[7])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
return 'OK'
)lua");

// KEYS: session key. ARGV: now, idle ms, prefix, H, slack ms.
// Returns {} or {uid, cat, at, abs}. Reading and sliding in one script: a session found is one
// whose expiry was extended, never one that expired between the two. The expiry is rewritten
// only when it is more than `slack` away from where this find would put it: a find that
// writes nothing costs Redis no AOF write (and, under appendfsync always, the caller no fsync),
// so a user's run of authorizes slides the session about once a slack, not once a request.
const redis::script find_script(R"lua(
local s = redis.call('HMGET', KEYS[1], 'uid', 'cat', 'at', 'abs')
if not s[1] then return {} end
local now, abs = tonumber(ARGV[1]), tonumber(s[4])
if not abs or now >= abs then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', ARGV[3] .. 'u:' .. s[1], ARGV[4])
  return {}
end
local want = math.min(tonumber(ARGV[2]), (abs - now) * 1000)
if math.abs(redis.call('PTTL', KEYS[1]) - want) > tonumber(ARGV[5]) then
  redis.call('PEXPIRE', KEYS[1], want)
end
return {s[1], s[2], s[3], s[4]}
)lua");

// KEYS: session key. ARGV: prefix, H. Returns 1 when a session ended.
const redis::script destroy_script(R"lua(
local uid = redis.call('HGET', KEYS[1], 'uid')
if not uid then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. 'u:' .. uid, ARGV[2])
return 1
)lua");

// KEYS: user index key. ARGV: prefix. Returns how many sessions ended.
const redis::script destroy_all_script(R"lua(
local n = 0
for _, h in ipairs(redis.call('SMEMBERS', KEYS[1])) do n = n + redis.call('DEL', ARGV[1] .. h) end
redis.call('DEL', KEYS[1])
return n
)lua");

std::int64_t at_least_one_second_ms(std::chrono::seconds s) { return std::max<std::int64_t>(1, s.count()) * 1000; }

constexpr std::string_view store_name = "session store";
boost::system::error_code failed(std::string_view operation, boost::system::error_code ec) {
  return redis_support::command_failed(store_name, operation, ec);
}
boost::system::error_code bad_reply(std::string_view operation, const redis::reply& r) {
  return redis_support::unexpected_reply(store_name, operation, r);
}
using redis_support::to_int64;

} // namespace

std::int64_t session_slide_slack_ms(std::int64_t idle_ms) {
  return std::min<std::int64_t>(60'000, std::max<std::int64_t>(0, idle_ms) / 30);
}

std::string session_csrf_token(std::string_view session_id) {
  const auto mac = hmac_sha256(session_id, csrf_label);
  return base64url_encode(mac);
}

redis_session_store::redis_session_store(redis::client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

boost::asio::awaitable<store_result<created_session>> redis_session_store::create(std::string_view user_id,
                                                                                   std::int64_t now,
                                                                                   std::chrono::seconds ttl,
                                                                                   std::chrono::seconds idle) {
  created_session out;
  out.id = random_token();
  out.session.user_id = std::string(user_id);
  out.session.csrf_token = session_csrf_token(out.id);
  out.session.created_at = now;
  out.session.auth_time = now;
  const std::int64_t ttl_ms = at_least_one_second_ms(ttl);
  const std::int64_t abs = now + ttl_ms / 1000;
  const std::string hash = refresh_token_hash(out.id);

  std::vector<std::string> keys{session_key(hash), user_index_key(user_id)};
  std::vector<std::string> args{out.session.user_id,
                                std::to_string(now),
                                std::to_string(now),
                                std::to_string(abs),
                                std::to_string(std::min(at_least_one_second_ms(idle), ttl_ms)),
                                std::to_string(ttl_ms),
                                hash,
                                prefix_};
  auto r = co_await redis_.eval(create_script, std::move(keys), std::move(args));
  if (!r) co_return failed("create", r.error());
  if (r->is_error()) co_return bad_reply("create", *r);
  co_return out;
}

boost::asio::awaitable<store_result<std::optional<login_session>>>
redis_session_store::find(std::string_view id, std::int64_t now, std::chrono::seconds idle) {
  if (!is_random_token(id)) co_return std::optional<login_session>{};
  const std::string hash = refresh_token_hash(id);
  std::vector<std::string> keys{session_key(hash)};
  const std::int64_t idle_ms = at_least_one_second_ms(idle);
  std::vector<std::string> args{std::to_string(now), std::to_string(idle_ms), prefix_, hash,
                                std::to_string(session_slide_slack_ms(idle_ms))};
  auto r = co_await redis_.eval(find_script, std::move(keys), std::move(args));
  if (!r) co_return failed("find", r.error());
  if (!r->is_array()) co_return bad_reply("find", *r);
  const auto& e = r->elements;
  if (e.empty()) co_return std::optional<login_session>{};
  if (e.size() != 4) co_return bad_reply("find", *r);
  login_session s;
  s.user_id = e[0].str;
  s.csrf_token = session_csrf_token(id);
  s.created_at = to_int64(e[1].str);
  s.auth_time = to_int64(e[2].str);
  co_return std::optional<login_session>{std::move(s)};
}

boost::asio::awaitable<store_result<void>> redis_session_store::destroy(std::string_view id) {
  if (!is_random_token(id)) co_return store_result<void>{};  // names no session
  const std::string hash = refresh_token_hash(id);
  std::vector<std::string> keys{session_key(hash)};
  std::vector<std::string> args{prefix_, hash};
  auto r = co_await redis_.eval(destroy_script, std::move(keys), std::move(args));
  if (!r) co_return failed("destroy", r.error());
  if (!r->is_integer()) co_return bad_reply("destroy", *r);
  co_return store_result<void>{};
}

boost::asio::awaitable<store_result<std::size_t>> redis_session_store::destroy_all_for_user(std::string_view user_id) {
  std::vector<std::string> keys{user_index_key(user_id)};
  std::vector<std::string> args{prefix_};
  auto r = co_await redis_.eval(destroy_all_script, std::move(keys), std::move(args));
  if (!r) co_return failed("destroy_all_for_user", r.error());
  if (!r->is_integer() || r->integer < 0) co_return bad_reply("destroy_all_for_user", *r);
  const auto ended = static_cast<std::size_t>(r->integer);
  log::info("login sessions ended", {{"user_id", std::string(user_id)}, {"sessions", r->integer}});
  co_return ended;
}

} // namespace oauth::auth
