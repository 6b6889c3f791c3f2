#include "auth-service/storage/redis_authorization_code_store.hpp"

#include "auth-service/authorize/code_seal.hpp"
#include "auth-service/storage/redis_support.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/encoding.hpp"
#include "common/time.hpp"

#include <algorithm>

namespace oauth::auth {
namespace {

constexpr std::string_view store_name = "authorization code store";
boost::system::error_code failed(std::string_view operation, boost::system::error_code ec) {
  return redis_support::command_failed(store_name, operation, ec);
}
boost::system::error_code bad_reply(std::string_view operation, const redis::reply& r) {
  return redis_support::unexpected_reply(store_name, operation, r);
}

// The two scripts write nothing to the AOF or to replicas (the layout in the header): neither
// the authorize nor the exchange waits for an fsync for them. The last ARGV of each is the id
// of the Redis server that runs it (client::eval_with_server_id).

// KEYS: the code's key. ARGV: seconds to keep it, server id.
const redis::script remember_script(R"lua(
redis.set_repl(redis.REPL_NONE)
return redis.call('SET', KEYS[1], 'f:' .. ARGV[2], 'EX', ARGV[1], 'NX')
)lua");

// KEYS: the code's key. ARGV: seconds to keep it used, server id. Answers "f" for a fresh
// state this very server wrote, "u" for used, nil for anything else (none, or another server's);
// the key is "u" afterwards.
const redis::script consume_script(R"lua(
redis.set_repl(redis.REPL_NONE)
local was = redis.call('SET', KEYS[1], 'u', 'EX', ARGV[1], 'GET')
if was == 'f:' .. ARGV[2] then return 'f' end
if was == 'u' then return 'u' end
return false
)lua");

// KEYS: the code's key. ARGV: server id. Reads only, answers as the consume.
const redis::script state_script(R"lua(
local was = redis.call('GET', KEYS[1])
if was == 'f:' .. ARGV[1] then return 'f' end
if was == 'u' then return 'u' end
return false
)lua");

// The answer of consume_script or state_script: "f", "u" or nil.
enum class seen { fresh, used, none };
store_result<seen> seen_of(std::string_view operation, const boost::system::result<redis::reply>& r) {
  if (!r) return store_error_of<seen>(failed(operation, r.error()));
  if (r->type == redis::reply::kind::nil) return seen::none;
  if (r->is_string() && r->str == "f") return seen::fresh;
  if (r->is_string() && r->str == "u") return seen::used;
  return store_error_of<seen>(bad_reply(operation, *r));
}

// No code of ours looks otherwise (code_seal.hpp), so Redis need not be asked.
bool could_be_code(std::string_view code) {
  return !code.empty() && code.size() <= max_authorization_code_length && base64url_decode(code).has_value();
}

} // namespace

redis_authorization_code_store::redis_authorization_code_store(redis::client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

boost::asio::awaitable<store_result<void>> redis_authorization_code_store::remember(std::string_view code,
                                                                                    std::chrono::seconds ttl) {
  const std::int64_t ttl_s = std::max<std::int64_t>(1, ttl.count()) + replay_window.count();
  std::vector<std::string> keys{code_key(refresh_token_hash(code))};
  std::vector<std::string> args{std::to_string(ttl_s)};
  auto r = co_await redis_.eval_with_server_id(remember_script, std::move(keys), std::move(args));
  if (!r) co_return failed("remember", r.error());
  // nil: the key exists. 192 random bits make that impossible but for a second call with the
  // same code, which must not make a used code fresh again.
  if (r->type != redis::reply::kind::status) co_return bad_reply("remember", *r);
  co_return store_result<void>();
}

boost::asio::awaitable<store_result<code_outcome>> redis_authorization_code_store::consume(
    std::string_view code, std::int64_t expires_at, std::function<void()> while_waiting) {
  if (!could_be_code(code)) {
    if (while_waiting) while_waiting();
    co_return code_outcome::invalid;
  }
  std::string hash = refresh_token_hash(code);
  // A relative expiry: Redis measures it on its own clock, so no clock skew between a replica
  // of the service and Redis can make the used state expire before the replay window is over.
  const std::int64_t keep_s = std::max<std::int64_t>(1, expires_at - unix_now()) + replay_window.count();
  std::vector<std::string> keys{code_key(hash)};
  std::vector<std::string> args{std::to_string(keep_s)};
  auto r = co_await redis_.eval_with_server_id(consume_script, std::move(keys), std::move(args),
                                               std::move(while_waiting));
  auto state = seen_of("consume", r);
  if (!state) co_return store_error_of<code_outcome>(state.error());
  if (*state == seen::fresh) co_return code_outcome::fresh;
  co_return co_await record_replay(std::move(hash), *state == seen::used ? code_outcome::replayed
                                                                           : code_outcome::forgotten);
}

boost::asio::awaitable<store_result<code_outcome>> redis_authorization_code_store::check_expired(
    std::string_view code, std::int64_t expires_at) {
  if (!could_be_code(code)) co_return code_outcome::invalid;
  std::string hash = refresh_token_hash(code);
  std::vector<std::string> keys{code_key(hash)};
  std::vector<std::string> no_args;
  auto r = co_await redis_.eval_with_server_id(state_script, std::move(keys), std::move(no_args));
  auto state = seen_of("check_expired", r);
  if (!state) co_return store_error_of<code_outcome>(state.error());
  if (*state == seen::fresh) co_return code_outcome::invalid;  // expired before it was ever used
  if (*state == seen::used) co_return co_await record_replay(std::move(hash), code_outcome::replayed);
  // No state past the replay window is the normal end of every code; within it, a loss.
  if (unix_now() >= expires_at + replay_window.count()) co_return code_outcome::invalid;
  co_return co_await record_replay(std::move(hash), code_outcome::forgotten);
}

boost::asio::awaitable<store_result<code_outcome>> redis_authorization_code_store::record_replay(
    std::string code_hash, code_outcome outcome) {
  std::vector<std::string> cmd{"SET", replayed_key(code_hash), "1", "EX", std::to_string(replay_window.count())};
  auto r = co_await redis_.command(std::move(cmd));
  if (!r) co_return failed("record_replay", r.error());
  if (r->type != redis::reply::kind::status) co_return bad_reply("record_replay", *r);
  co_return outcome;
}

boost::asio::awaitable<store_result<bool>> redis_authorization_code_store::replayed(std::string_view code) {
  if (!could_be_code(code)) co_return true;  // nothing links tokens to such a code: never hand them out
  std::vector<std::string> cmd{"EXISTS", replayed_key(refresh_token_hash(code))};
  auto r = co_await redis_.command(std::move(cmd));
  if (!r) co_return store_error_of<bool>(failed("replayed", r.error()));
  if (!r->is_integer()) co_return store_error_of<bool>(bad_reply("replayed", *r));
  co_return r->integer != 0;
}

} // namespace oauth::auth
