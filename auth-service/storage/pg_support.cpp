#include "auth-service/storage/pg_support.hpp"

#include "common/log.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>

namespace oauth::auth::pg_support {
namespace {

std::string text(const pg::rows& r, int row, int col) { return std::string(r.get(row, col).value_or("")); }

bool flag(const pg::rows& r, int row, int col) { return r.get(row, col).value_or("f") == "t"; }

std::int64_t integer(const pg::rows& r, int row, int col) {
  auto v = r.get(row, col).value_or("0");
  std::int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

} // namespace

bool is_uuid(std::string_view t) noexcept {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string to_json_array(const std::vector<std::string>& values) {
  boost::json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return boost::json::serialize(a);
}

std::optional<std::vector<std::string>> from_json_array(std::optional<std::string_view> json) {
  if (!json) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(*json, ec);
  if (ec || !v.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& e : v.as_array()) {
    if (!e.is_string()) return std::nullopt;
    out.emplace_back(e.as_string());
  }
  return out;
}

client client_from_row(const pg::rows& r, int row) {
  client c;
  c.id = text(r, row, 0);
  c.name = text(r, row, 1);
  c.secret_hash = text(r, row, 2);
  c.grants = from_json_array(r.get(row, 3)).value_or(std::vector<std::string>{});
  c.scopes = from_json_array(r.get(row, 4));
  c.password_client = flag(r, row, 5);
  c.personal_access_client = flag(r, row, 6);
  c.revoked = flag(r, row, 7);
  c.created_at = integer(r, row, 8);
  c.redirect_uris = from_json_array(r.get(row, 9)).value_or(std::vector<std::string>{});
  c.first_party = flag(r, row, 10);
  c.playground_client = flag(r, row, 11);
  return c;
}

user user_from_row(const pg::rows& r, int row) {
  user u;
  u.id = text(r, row, 0);
  u.email = text(r, row, 1);
  u.name = text(r, row, 2);
  u.password_hash = text(r, row, 3);
  u.scopes = from_json_array(r.get(row, 4)).value_or(std::vector<std::string>{});
  return u;
}

boost::system::error_code log_failure(std::string_view operation, const pg::error& e) {
  log::warn("auth storage: postgres statement failed",
            {{"operation", operation}, {"error", e.code.message()}, {"sqlstate", e.sqlstate}});
  return e.code;
}

} // namespace oauth::auth::pg_support
