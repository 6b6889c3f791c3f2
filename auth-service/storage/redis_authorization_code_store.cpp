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

// KEYS: the code's key. ARGV: seconds to keep it. Not propagated to the AOF or to replicas
// (the layout in the header): this write never waits for an fsync.
const redis::script remember_script(R"lua(
redis.set_repl(redis.REPL_NONE)
return redis.call('SET', KEYS[1], 'f', 'EX', ARGV[1], 'NX')
)lua");

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
  auto r = co_await redis_.eval(remember_script, std::move(keys), std::move(args));
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
  // A relative expiry: Redis measures it on its own clock (and writes it to the AOF and to
  // replicas as an absolute PXAT), so no clock skew between a replica and Redis can make the
  // used state expire before the replay window is over.
  const std::int64_t keep_s = std::max<std::int64_t>(1, expires_at - unix_now()) + replay_window.count();
  std::vector<std::string> cmd{"SET", code_key(hash), "u", "EX", std::to_string(keep_s), "GET"};
  auto r = co_await redis_.command(std::move(cmd), std::move(while_waiting));
  if (!r) co_return failed("consume", r.error());
  if (r->type == redis::reply::kind::nil) co_return code_outcome::invalid;
  if (!r->is_string()) co_return bad_reply("consume", *r);
  if (r->str == "f") co_return code_outcome::fresh;
  if (r->str != "u") co_return bad_reply("consume", *r);
  co_return co_await record_replay(std::move(hash));
}

boost::asio::awaitable<store_result<code_outcome>> redis_authorization_code_store::check_expired(
    std::string_view code) {
  if (!could_be_code(code)) co_return code_outcome::invalid;
  std::string hash = refresh_token_hash(code);
  std::vector<std::string> cmd{"GET", code_key(hash)};
  auto r = co_await redis_.command(std::move(cmd));
  if (!r) co_return failed("check_expired", r.error());
  if (r->type == redis::reply::kind::nil) co_return code_outcome::invalid;
  if (!r->is_string()) co_return bad_reply("check_expired", *r);
  if (r->str != "u") co_return code_outcome::invalid;  // expired before it was ever used
  co_return co_await record_replay(std::move(hash));
}

boost::asio::awaitable<store_result<code_outcome>> redis_authorization_code_store::record_replay(
    std::string code_hash) {
  std::vector<std::string> cmd{"SET", replayed_key(code_hash), "1", "EX", std::to_string(replay_window.count())};
  auto r = co_await redis_.command(std::move(cmd));
  if (!r) co_return failed("record_replay", r.error());
  if (r->type != redis::reply::kind::status) co_return bad_reply("record_replay", *r);
  co_return code_outcome::replayed;
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
