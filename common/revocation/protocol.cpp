#include "common/revocation/protocol.hpp"

#include <charconv>

namespace oauth::revocation {
namespace {

std::optional<std::int64_t> parse_int(std::string_view s) {
  // Scores come back from Redis as integers or as "123" / "1.7e9" style doubles; we only ever
  // write integers, so anything else is rejected.
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

} // namespace

bool valid_jti(std::string_view jti) noexcept {
  if (jti.empty() || jti.size() > max_jti_bytes) return false;
  for (unsigned char c : jti)
    if (c < 0x21 || c > 0x7E) return false;
  return true;
}

std::string cutoff_member(cutoff::kind what, std::int64_t before, std::string_view id) {
  std::string m(what == cutoff::kind::subject ? subject_cutoff_prefix : client_cutoff_prefix);
  m += std::to_string(before);
  m += ':';
  m += id;
  if (id.empty() || before < 0 || !valid_jti(m)) return {};
  return m;
}

std::optional<cutoff> parse_cutoff(std::string_view member) noexcept {
  cutoff c;
  if (member.starts_with(subject_cutoff_prefix)) {
    c.what = cutoff::kind::subject;
  } else if (member.starts_with(client_cutoff_prefix)) {
    c.what = cutoff::kind::client;
  } else {
    return std::nullopt;
  }
  member.remove_prefix(subject_cutoff_prefix.size());  // both prefixes are 4 bytes
  auto colon = member.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= member.size()) return std::nullopt;
  auto before = parse_int(member.substr(0, colon));
  if (!before) return std::nullopt;
  c.before = *before;
  c.id = member.substr(colon + 1);
  return c;
}

std::string encode_message(const std::vector<entry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    if (!valid_jti(e.jti) || e.exp < 0) continue;
    if (!out.empty()) out += '\n';
    out += e.jti;
    out += ' ';
    out += std::to_string(e.exp);
  }
  return out;
}

parsed_message parse_message(std::string_view message) {
  parsed_message out;
  while (!message.empty()) {
    auto nl = message.find('\n');
    std::string_view line = message.substr(0, nl);
    message = nl == std::string_view::npos ? std::string_view{} : message.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto sp = line.find(' ');
    std::optional<std::int64_t> exp;
    if (sp != std::string_view::npos) exp = parse_int(line.substr(sp + 1));
    if (sp == std::string_view::npos || !valid_jti(line.substr(0, sp)) || !exp) {
      ++out.rejected;
      continue;
    }
    out.entries.push_back(entry{std::string(line.substr(0, sp)), *exp});
  }
  return out;
}

std::vector<std::string> load_command(const names& n, std::int64_t now) {
  // Appended, not "(" + string: g++ 12 at -O3 reports operator+(const char*, string&&) as an
  // overlapping memcpy (-Wrestrict false positive).
  std::string above = "(";
  above += std::to_string(now - retention_seconds);
  return {"ZRANGEBYSCORE", n.key, std::move(above), "+inf", "WITHSCORES"};
}

parsed_message parse_pairs(const std::vector<std::string>& flat) {
  parsed_message out;
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
    auto exp = parse_int(flat[i + 1]);
    if (!valid_jti(flat[i]) || !exp) {
      ++out.rejected;
      continue;
    }
    out.entries.push_back(entry{flat[i], *exp});
  }
  if (flat.size() % 2 != 0) ++out.rejected;
  return out;
}

std::string_view revoke_function_lua() {
  // Kept in step with retention_seconds and the message format above.
  static const std::string lua = R"lua(
local function revoke_jtis(zkey, channel, now, list)
  local keep_from = now - )lua" + std::to_string(retention_seconds) + R"lua(
  local msg, added = {}, 0
  for i = 1, #list - 1, 2 do
    local jti, exp = list[i], tonumber(list[i + 1])
    if exp and exp > keep_from then
      redis.call('ZADD', zkey, string.format('%d', exp), jti)
      msg[#msg + 1] = jti .. ' ' .. string.format('%d', exp)
      added = added + 1
    end
  end
  redis.call('ZREMRANGEBYSCORE', zkey, '-inf', '(' .. string.format('%d', keep_from))
  if added > 0 then redis.call('PUBLISH', channel, table.concat(msg, '\n')) end
  return added
end
)lua";
  return lua;
}

} // namespace oauth::revocation
