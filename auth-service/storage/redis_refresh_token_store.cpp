#include "auth-service/storage/redis_refresh_token_store.hpp"

#include "auth-service/storage/redis_support.hpp"
#include "auth-service/storage/refresh_token_crypto.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "common/scope_list.hpp"
#include "common/time.hpp"

#include <algorithm>
#include <charconv>

namespace oauth::auth {
namespace {

// Records an access token's jti (expiring at jti_exp) under family fk, so that revoking the
// family revokes it; drops the jtis expired by `now`; keeps the set until the later of its
// newest jti and the family's expiry fexp (its TTL only ever grows, so it is the later of all
// the jtis and family expiries seen). Shared by the issue and rotate scripts.
const std::string& family_jti_lua() {
  static const std::string lua = R"lua(
local function grow_expiry(k, e)
  if redis.call('EXPIRETIME', k) < e then redis.call('EXPIREAT', k, e) end
end
local function grow_user_index(p, uid, cid, fexp)
  local uk = p .. 'u:' .. uid
  grow_expiry(uk, fexp)
  grow_expiry(uk .. ':c:' .. cid, fexp)
end
local function note_family_jti(fk, jti, jti_exp, now, fexp)
  if jti == '' then return end
  local jk = fk .. ':j'
  redis.call('ZADD', jk, jti_exp, jti)
  redis.call('ZREMRANGEBYSCORE', jk, '-inf', '(' .. now)
  local keep = math.max(tonumber(jti_exp), fexp)
  if redis.call('EXPIRETIME', jk) < keep then redis.call('EXPIREAT', jk, keep) end
end
)lua";
  return lua;
}

// KEYS: t:<H>.  ARGV: prefix, family, client, user, scopes, exp, jti, jti_exp, now.
const redis::script issue_script(family_jti_lua() + R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('ERR refresh token already stored') end
local p, fam, exp = ARGV[1], ARGV[2], tonumber(ARGV[6])
local fk = p .. 'f:' .. fam
redis.call('HSET', KEYS[1], 'fam', fam, 'cid', ARGV[3], 'uid', ARGV[4], 'scp', ARGV[5], 'exp', ARGV[6], 'st', 'live')
redis.call('EXPIREAT', KEYS[1], exp)
redis.call('HSETNX', fk, 'rev', '0')
redis.call('HSETNX', fk, 'cat', ARGV[9])
redis.call('HSETNX', fk, 'scp', ARGV[5])
redis.call('HSET', fk, 'cid', ARGV[3], 'uid', ARGV[4])
local fexp = redis.call('EXPIRETIME', fk)
if exp > fexp then
  fexp = exp
  redis.call('EXPIREAT', fk, exp)
end
redis.call('SADD', p .. 'u:' .. ARGV[4], ARGV[3])
redis.call('SADD', p .. 'u:' .. ARGV[4] .. ':c:' .. ARGV[3], fam)
grow_user_index(p, ARGV[4], ARGV[3], fexp)
note_family_jti(fk, ARGV[7], ARGV[8], ARGV[9], fexp)
return 'OK'
)lua");

// Marks family fk revoked and revokes its access tokens (revoke_jtis from common/revocation).
// Returns how many jtis were revoked.
const std::string& family_revocation_lua() {
  static const std::string lua = std::string(revocation::revoke_function_lua()) + R"lua(
local function revoke_family(fk, zkey, channel, now)
  if redis.call('EXISTS', fk) == 1 then redis.call('HSET', fk, 'rev', '1') end
  return revoke_jtis(zkey, channel, now, redis.call('ZRANGEBYSCORE', fk .. ':j', '-inf', '+inf', 'WITHSCORES'))
end
)lua";
  return lua;
}

// KEYS: t:<H>, t:<successor H>, g:<H>.
// ARGV: prefix, client, now, grace_ms, successor_exp, successor H, jti, jti_exp, sealed successor,
//       revocation zset, revocation channel.
// Returns {outcome[, family, user, scopes, exp[, sealed]]}.
const redis::script rotate_script(family_revocation_lua() + family_jti_lua() + R"lua(
local p, cid_in = ARGV[1], ARGV[2]
local now, grace_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local rec = redis.call('HMGET', KEYS[1], 'fam', 'cid', 'uid', 'scp', 'exp', 'st', 'succ')
local fam, cid, uid, scp, exp, st, succ = rec[1], rec[2], rec[3], rec[4], rec[5], rec[6], rec[7]
if not fam then return {'invalid'} end
if cid ~= cid_in then return {'wrong_client'} end
if tonumber(exp) <= now then return {'invalid'} end
local fk = p .. 'f:' .. fam
if redis.call('HGET', fk, 'rev') ~= '0' then
  -- A revoked (or vanished) family: its live tokens are simply invalid; a rotated one shown
  -- again is still reuse (reported, nothing more to revoke).
  if st == 'rotated' then return {'reused', fam, uid, scp, exp} end
  return {'invalid'}
end
local function note_jti(fexp) note_family_jti(fk, ARGV[7], ARGV[8], ARGV[3], fexp) end
if st == 'live' then
  local sexp = tonumber(ARGV[5])
  redis.call('HSET', KEYS[1], 'st', 'rotated', 'succ', ARGV[6])
  redis.call('HSET', KEYS[2], 'fam', fam, 'cid', cid, 'uid', uid, 'scp', scp, 'exp', ARGV[5], 'st', 'live')
  redis.call('EXPIREAT', KEYS[2], sexp)
  if grace_ms > 0 then redis.call('SET', KEYS[3], ARGV[9], 'PX', grace_ms) end
  -- The family lives as long as its longest token (GT: its expiry only ever grows).
  local fexp = sexp
  if redis.call('EXPIREAT', fk, sexp, 'GT') == 0 then fexp = redis.call('EXPIRETIME', fk) end
  grow_user_index(p, uid, cid, fexp)
  note_jti(fexp)
  return {'rotated', fam, uid, scp, exp}
end
local sealed = redis.call('GET', KEYS[3])
if grace_ms > 0 and sealed and succ and redis.call('HGET', p .. 't:' .. succ, 'st') == 'live' then
  note_jti(redis.call('EXPIRETIME', fk))
  return {'grace_replay', fam, uid, scp, exp, sealed}
end
-- Reuse. The family's other sealed successors need no deleting: the revocation is checked
-- before any grace replay, and they expire with the grace window.
redis.call('DEL', KEYS[3])
revoke_family(fk, ARGV[10], ARGV[11], now)
return {'reused', fam, uid, scp, exp}
)lua");

// KEYS: t:<H>. ARGV: prefix. Returns {} or {fam, cid, uid, scp, exp, st, rev}; changes nothing.
const redis::script lookup_script(R"lua(
local rec = redis.call('HMGET', KEYS[1], 'fam', 'cid', 'uid', 'scp', 'exp', 'st')
if not rec[1] then return {} end
local rev = redis.call('HGET', ARGV[1] .. 'f:' .. rec[1], 'rev') or '1'
return {rec[1], rec[2], rec[3], rec[4], rec[5], rec[6], rev}
)lua");

// KEYS: t:<H>. ARGV: prefix, client, now, revocation zset, revocation channel.
const redis::script revoke_family_script(family_revocation_lua() + R"lua(
local rec = redis.call('HMGET', KEYS[1], 'fam', 'cid')
if not rec[1] then return {'unknown'} end
if rec[2] ~= ARGV[2] then return {'wrong_client'} end
local n = revoke_family(ARGV[1] .. 'f:' .. rec[1], ARGV[4], ARGV[5], tonumber(ARGV[3]))
return {'revoked', rec[1], n}
)lua");

// KEYS: none (derived; see the deployment note). ARGV: prefix, user.
// Returns {cid, cat, scp, cid, cat, scp, ...}: per client, the oldest live family's start and
// the union of the live families' scopes. Families that are gone are pruned from the index.
const redis::script live_clients_script(R"lua(
local p, uid = ARGV[1], ARGV[2]
local uk = p .. 'u:' .. uid
local out = {}
for _, cid in ipairs(redis.call('SMEMBERS', uk)) do
  local ck = uk .. ':c:' .. cid
  local first, scopes, seen = nil, {}, {}
  for _, fam in ipairs(redis.call('SMEMBERS', ck)) do
    local f = redis.call('HMGET', p .. 'f:' .. fam, 'rev', 'cat', 'scp')
    if not f[1] then
      redis.call('SREM', ck, fam)
    elseif f[1] == '0' then
      local cat = tonumber(f[2]) or 0
      if not first or cat < first then first = cat end
      for s in string.gmatch(f[3] or '', '%S+') do
        if not seen[s] then seen[s] = true; table.insert(scopes, s) end
      end
    end
  end
  if redis.call('SCARD', ck) == 0 then redis.call('SREM', uk, cid) end
  if first then
    table.insert(out, cid); table.insert(out, tostring(first)); table.insert(out, table.concat(scopes, ' '))
  end
end
return out
)lua");

// ARGV: prefix, user, client, now, revocation zset, revocation channel. Returns how many of the
// families were still live.
const redis::script revoke_user_client_script(family_revocation_lua() + R"lua(
local p, uid, cid, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local uk = p .. 'u:' .. uid
local ck = uk .. ':c:' .. cid
local n = 0
for _, fam in ipairs(redis.call('SMEMBERS', ck)) do
  local fk = p .. 'f:' .. fam
  if redis.call('HGET', fk, 'rev') == '0' then n = n + 1 end
  revoke_family(fk, ARGV[5], ARGV[6], now)
end
redis.call('DEL', ck)
redis.call('SREM', uk, cid)
return n
)lua");

// ARGV: prefix, family, now, revocation zset, revocation channel. Returns 1 when it existed.
const redis::script revoke_family_id_script(family_revocation_lua() + R"lua(
local fk = ARGV[1] .. 'f:' .. ARGV[2]
if redis.call('EXISTS', fk) == 0 then return 0 end
revoke_family(fk, ARGV[4], ARGV[5], tonumber(ARGV[3]))
return 1
)lua");

constexpr std::string_view store_name = "refresh token store";
boost::system::error_code failed(std::string_view operation, boost::system::error_code ec) {
  return redis_support::command_failed(store_name, operation, ec);
}
boost::system::error_code bad_reply(std::string_view operation, const redis::reply& r) {
  return redis_support::unexpected_reply(store_name, operation, r);
}
using redis_support::to_int64;

} // namespace

redis_refresh_token_store::redis_refresh_token_store(redis::client& redis, std::string prefix,
                                                     revocation::names revocation)
    : redis_(redis), prefix_(std::move(prefix)), revocation_(std::move(revocation)) {}

boost::asio::awaitable<store_result<void>> redis_refresh_token_store::issue(std::string_view token,
                                                                            const refresh_grant_record& record,
                                                                            std::string_view access_token_jti,
                                                                            std::int64_t access_token_exp) {
  const std::string hash = refresh_token_hash(token);
  const std::string family = record.family_id.empty() ? random_uuid() : record.family_id;
  std::vector<std::string> keys{token_key(hash)};
  std::vector<std::string> args{prefix_,
                                family,
                                record.client_id,
                                record.user_id,
                                join_scope_list(record.scopes),
                                std::to_string(record.expires_at),
                                std::string(access_token_jti),
                                std::to_string(access_token_exp),
                                std::to_string(unix_now())};
  auto r = co_await redis_.eval(issue_script, std::move(keys), std::move(args));
  if (!r) co_return failed("issue", r.error());
  if (r->is_error()) co_return bad_reply("issue", *r);
  co_return store_result<void>{};
}

boost::asio::awaitable<store_result<rotation_result>> redis_refresh_token_store::rotate(const rotation_request& req) {
  const std::string hash = refresh_token_hash(req.presented_token);
  const std::string successor_hash = refresh_token_hash(req.successor_token);
  const std::int64_t now = req.now != 0 ? req.now : unix_now();
  const std::int64_t ttl = std::max<std::int64_t>(1, req.ttl.count());
  const std::int64_t grace_ms = std::max<std::int64_t>(0, req.grace.count()) * 1000;
  // Sealed in advance: the script decides whether it is kept.
  std::string sealed = grace_ms > 0 ? seal_successor(req.presented_token, req.successor_token) : std::string();

  std::vector<std::string> keys{token_key(hash), token_key(successor_hash), grace_key(hash)};
  std::vector<std::string> args{prefix_,
                                req.client_id,
                                std::to_string(now),
                                std::to_string(grace_ms),
                                std::to_string(now + ttl),
                                successor_hash,
                                req.access_token_jti,
                                std::to_string(req.access_token_exp),
                                std::move(sealed),
                                revocation_.key,
                                revocation_.channel};
  auto r = co_await redis_.eval(rotate_script, std::move(keys), std::move(args));
  if (!r) co_return failed("rotate", r.error());
  if (!r->is_array() || r->elements.empty() || !r->elements[0].is_string()) co_return bad_reply("rotate", *r);

  const auto& e = r->elements;
  rotation_result out;
  const std::string& outcome = e[0].str;
  if (outcome == "invalid") {
    out.outcome = rotation_outcome::invalid;
    co_return out;
  }
  if (outcome == "wrong_client") {
    out.outcome = rotation_outcome::wrong_client;
    co_return out;
  }
  if (e.size() < 5) co_return bad_reply("rotate", *r);
  out.record.family_id = e[1].str;
  out.record.client_id = req.client_id;
  out.record.user_id = e[2].str;
  out.record.scopes = split_scope_list(e[3].str);
  out.record.expires_at = to_int64(e[4].str);
  if (outcome == "rotated") {
    out.outcome = rotation_outcome::rotated;
    out.successor_token = req.successor_token;
  } else if (outcome == "grace_replay" && e.size() >= 6) {
    auto successor = open_successor(req.presented_token, e[5].str);
    if (!successor) {
      // Cannot happen unless the stored value was altered: refuse rather than guess.
      log::error("refresh token store: sealed successor does not open", {{"family", out.record.family_id}});
      out = rotation_result{};
      co_return out;
    }
    out.outcome = rotation_outcome::grace_replay;
    out.successor_token = std::move(*successor);
  } else if (outcome == "reused") {
    out.outcome = rotation_outcome::reused;
    log::warn("refresh token reuse detected: family revoked",
              {{"family", out.record.family_id}, {"client_id", req.client_id}});
  } else {
    co_return bad_reply("rotate", *r);
  }
  co_return out;
}

boost::asio::awaitable<store_result<std::optional<refresh_token_info>>>
redis_refresh_token_store::lookup(std::string_view token, std::int64_t now) {
  if (now == 0) now = unix_now();
  std::vector<std::string> keys{token_key(refresh_token_hash(token))};
  std::vector<std::string> args{prefix_};
  auto r = co_await redis_.eval(lookup_script, std::move(keys), std::move(args));
  if (!r) co_return failed("lookup", r.error());
  if (!r->is_array()) co_return bad_reply("lookup", *r);
  const auto& e = r->elements;
  if (e.empty()) co_return std::optional<refresh_token_info>{};
  if (e.size() < 7) co_return bad_reply("lookup", *r);
  refresh_token_info info;
  info.record.family_id = e[0].str;
  info.record.client_id = e[1].str;
  info.record.user_id = e[2].str;
  info.record.scopes = split_scope_list(e[3].str);
  info.record.expires_at = to_int64(e[4].str);
  if (info.record.expires_at <= now)
    info.state = refresh_token_state::expired;
  else if (e[6].str != "0")
    info.state = refresh_token_state::revoked;
  else if (e[5].str != "live")
    info.state = refresh_token_state::rotated;
  else
    info.state = refresh_token_state::live;
  co_return std::optional<refresh_token_info>{std::move(info)};
}

boost::asio::awaitable<store_result<refresh_revoke_outcome>>
redis_refresh_token_store::revoke_family(std::string_view token, std::string_view client_id, std::int64_t now) {
  if (now == 0) now = unix_now();
  std::vector<std::string> keys{token_key(refresh_token_hash(token))};
  std::vector<std::string> args{prefix_, std::string(client_id), std::to_string(now), revocation_.key,
                                revocation_.channel};
  auto r = co_await redis_.eval(revoke_family_script, std::move(keys), std::move(args));
  if (!r) co_return failed("revoke_family", r.error());
  if (!r->is_array() || r->elements.empty() || !r->elements[0].is_string()) co_return bad_reply("revoke_family", *r);
  const std::string& outcome = r->elements[0].str;
  if (outcome == "unknown") co_return refresh_revoke_outcome::unknown;
  if (outcome == "wrong_client") co_return refresh_revoke_outcome::wrong_client;
  if (outcome != "revoked" || r->elements.size() < 3) co_return bad_reply("revoke_family", *r);
  log::info("refresh token family revoked",
            {{"family", r->elements[1].str}, {"client_id", std::string(client_id)},
             {"access_tokens_revoked", r->elements[2].integer}});
  co_return refresh_revoke_outcome::revoked;
}

boost::asio::awaitable<store_result<std::vector<client_family_summary>>> redis_refresh_token_store::live_clients(
    std::string_view user_id) {
  std::vector<std::string> args{prefix_, std::string(user_id)};
  auto r = co_await redis_.eval(live_clients_script, {}, std::move(args));
  if (!r) co_return failed("live_clients", r.error());
  if (!r->is_array() || r->elements.size() % 3 != 0) co_return bad_reply("live_clients", *r);
  std::vector<client_family_summary> out;
  for (std::size_t i = 0; i < r->elements.size(); i += 3) {
    client_family_summary c;
    c.client_id = r->elements[i].str;
    c.first_issued_at = to_int64(r->elements[i + 1].str);
    c.scopes = split_scope_list(r->elements[i + 2].str);
    out.push_back(std::move(c));
  }
  co_return out;
}

boost::asio::awaitable<store_result<int>> redis_refresh_token_store::revoke_user_client(std::string_view user_id,
                                                                                         std::string_view client_id,
                                                                                         std::int64_t now) {
  if (now == 0) now = unix_now();
  std::vector<std::string> args{prefix_,         std::string(user_id), std::string(client_id),
                                std::to_string(now), revocation_.key,   revocation_.channel};
  auto r = co_await redis_.eval(revoke_user_client_script, {}, std::move(args));
  // error_code converts to bool and int: name the error alternative explicitly.
  if (!r) co_return store_error_of<int>(failed("revoke_user_client", r.error()));
  if (!r->is_integer()) co_return store_error_of<int>(bad_reply("revoke_user_client", *r));
  log::info("refresh families of a user at a client revoked",
            {{"user_id", std::string(user_id)}, {"client_id", std::string(client_id)}, {"families", r->integer}});
  co_return static_cast<int>(r->integer);
}

boost::asio::awaitable<store_result<bool>> redis_refresh_token_store::revoke_family_id(std::string_view family_id,
                                                                                       std::int64_t now) {
  if (now == 0) now = unix_now();
  std::vector<std::string> args{prefix_, std::string(family_id), std::to_string(now), revocation_.key,
                                revocation_.channel};
  auto r = co_await redis_.eval(revoke_family_id_script, {}, std::move(args));
  // error_code converts to bool and int: name the error alternative explicitly.
  if (!r) co_return store_error_of<bool>(failed("revoke_family_id", r.error()));
  if (!r->is_integer()) co_return store_error_of<bool>(bad_reply("revoke_family_id", *r));
  if (r->integer == 1) log::info("refresh token family revoked", {{"family", std::string(family_id)}});
  co_return r->integer == 1;
}

} // namespace oauth::auth
