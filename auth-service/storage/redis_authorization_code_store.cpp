#include "auth-service/storage/redis_authorization_code_store.hpp"

#include "auth-service/storage/random_token_format.hpp"
#include "auth-service/storage/redis_support.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/log.hpp"
#include "common/random.hpp"

#include <algorithm>
#include <charconv>

namespace oauth::auth {
namespace {

// KEYS: code key. ARGV: cid, ruri, rs, uid, scp, cc, at, exp, key ttl s.
// One script so that a record never lives without its expiry.
const redis::script issue_script(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('ERR authorization code already stored') end
redis.call('HSET', KEYS[1], 'cid', ARGV[1], 'ruri', ARGV[2], 'rs', ARGV[3], 'uid', ARGV[4], 'scp', ARGV[5],
           'cc', ARGV[6], 'at', ARGV[7], 'exp', ARGV[8], 'st', 'fresh')
redis.call('EXPIRE', KEYS[1], ARGV[9])
return 'OK'
)lua");

// KEYS: code key. ARGV: client, now, planned family, planned jti ("": none), planned jti exp.
// Returns {outcome[, cid, ruri, rs, uid, scp, cc, at, exp[, fam, jti, jexp]]}.
// Deciding and marking in one script is the point: a read and a later write would let two
// concurrent exchanges both see "fresh".
const redis::script consume_script(R"lua(
local r = redis.call('HMGET', KEYS[1], 'cid', 'ruri', 'rs', 'uid', 'scp', 'cc', 'at', 'exp', 'st', 'fam', 'jti', 'jexp')
if not r[1] then return {'invalid'} end
local st = r[9]
if st == 'fresh' and tonumber(ARGV[2]) >= tonumber(r[8]) then return {'invalid'} end
if r[1] ~= ARGV[1] then return {'wrong_client'} end
if st == 'fresh' then
  redis.call('HSET', KEYS[1], 'st', 'used')
  if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'fam', ARGV[3], 'jti', ARGV[4], 'jexp', ARGV[5]) end
  return {'fresh', r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]}
end
if st ~= 'used' then return {'invalid'} end
redis.call('HSET', KEYS[1], 'rep', '1')
return {'replayed', r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[10] or '', r[11] or '', r[12] or '0'}
)lua");

// KEYS: code key. ARGV: fam, jti, jexp. Returns 1 when the code was replayed already (or is gone).
const redis::script attach_script(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
redis.call('HSET', KEYS[1], 'fam', ARGV[1], 'jti', ARGV[2], 'jexp', ARGV[3])
if redis.call('HGET', KEYS[1], 'rep') == '1' then return 1 end
return 0
)lua");

constexpr std::string_view store_name = "authorization code store";
boost::system::error_code failed(std::string_view operation, boost::system::error_code ec) {
  return redis_support::command_failed(store_name, operation, ec);
}
boost::system::error_code bad_reply(std::string_view operation, const redis::reply& r) {
  return redis_support::unexpected_reply(store_name, operation, r);
}
using redis_support::join_words;
using redis_support::split_words;
using redis_support::to_int64;

} // namespace

redis_authorization_code_store::redis_authorization_code_store(redis::client& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

boost::asio::awaitable<store_result<std::string>>
redis_authorization_code_store::issue(const authorization_code_record& record, std::int64_t now,
                                      std::chrono::seconds ttl) {
  const std::int64_t ttl_s = std::max<std::int64_t>(1, ttl.count());
  std::string code = random_token();
  std::vector<std::string> keys{code_key(refresh_token_hash(code))};
  std::vector<std::string> args{record.client_id,
                                record.redirect_uri,
                                record.redirect_uri_sent ? "1" : "0",
                                record.user_id,
                                join_words(record.scopes),
                                record.code_challenge,
                                std::to_string(record.auth_time),
                                std::to_string(now + ttl_s),
                                std::to_string(ttl_s + replay_window.count())};
  auto r = co_await redis_.eval(issue_script, std::move(keys), std::move(args));
  if (!r) co_return failed("issue", r.error());
  if (r->is_error()) co_return bad_reply("issue", *r);
  co_return code;
}

boost::asio::awaitable<store_result<consume_result>>
redis_authorization_code_store::consume(std::string_view code, std::string_view client_id, std::int64_t now,
                                        planned_tokens planned) {
  consume_result out;
  if (!is_random_token(code)) co_return out;  // invalid: no code of ours looks like this
  std::vector<std::string> keys{code_key(refresh_token_hash(code))};
  std::vector<std::string> args{std::string(client_id), std::to_string(now), planned.family_id, planned.access_jti,
                                std::to_string(planned.access_exp)};
  auto r = co_await redis_.eval(consume_script, std::move(keys), std::move(args));
  if (!r) co_return failed("consume", r.error());
  if (!r->is_array() || r->elements.empty() || !r->elements[0].is_string()) co_return bad_reply("consume", *r);

  const auto& e = r->elements;
  const std::string& outcome = e[0].str;
  if (outcome == "invalid") co_return out;
  if (outcome == "wrong_client") {
    out.outcome = code_outcome::wrong_client;
    co_return out;
  }
  const bool replayed = outcome == "replayed";
  if (!(outcome == "fresh" && e.size() == 9) && !(replayed && e.size() == 12)) co_return bad_reply("consume", *r);
  out.record.client_id = e[1].str;
  out.record.redirect_uri = e[2].str;
  out.record.redirect_uri_sent = e[3].str == "1";
  out.record.user_id = e[4].str;
  out.record.scopes = split_words(e[5].str);
  out.record.code_challenge = e[6].str;
  out.record.auth_time = to_int64(e[7].str);
  out.record.expires_at = to_int64(e[8].str);
  if (!replayed) {
    out.outcome = code_outcome::fresh;
    co_return out;
  }
  out.outcome = code_outcome::replayed;
  out.family_id = e[9].str;
  out.access_token_jti = e[10].str;
  out.access_token_exp = to_int64(e[11].str);
  log::warn("authorization code replayed", {{"client_id", out.record.client_id},
                                             {"family", out.family_id},
                                             {"tokens_attached", !out.access_token_jti.empty()}});
  co_return out;
}

boost::asio::awaitable<store_result<bool>> redis_authorization_code_store::attach_tokens(std::string_view code,
                                                                                         std::string_view family_id,
                                                                                         std::string_view access_jti,
                                                                                         std::int64_t access_exp) {
  if (!is_random_token(code)) co_return true;
  std::vector<std::string> keys{code_key(refresh_token_hash(code))};
  std::vector<std::string> args{std::string(family_id), std::string(access_jti), std::to_string(access_exp)};
  auto r = co_await redis_.eval(attach_script, std::move(keys), std::move(args));
  // In place: an error_code would also convert to the bool value (its explicit operator bool).
  if (!r) co_return store_result<bool>(boost::system::in_place_error, failed("attach_tokens", r.error()));
  if (!r->is_integer()) co_return store_result<bool>(boost::system::in_place_error, bad_reply("attach_tokens", *r));
  if (r->integer != 0)
    log::warn("authorization code replayed before its tokens were attached", {{"family", std::string(family_id)}});
  co_return r->integer != 0;
}

} // namespace oauth::auth
