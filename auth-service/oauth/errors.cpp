#include "auth-service/oauth/errors.hpp"

#include "common/http/responses.hpp"

#include <array>
#include <string>

namespace oauth::auth {
namespace {

using http::status;

constexpr std::array<oauth_error_info, 9> table{{
    {oauth_errc::invalid_request, "invalid_request", status::bad_request},
    {oauth_errc::invalid_client, "invalid_client", status::unauthorized},
    {oauth_errc::invalid_grant, "invalid_grant", status::bad_request},
    {oauth_errc::unauthorized_client, "unauthorized_client", status::bad_request},
    {oauth_errc::unsupported_grant_type, "unsupported_grant_type", status::bad_request},
    {oauth_errc::invalid_scope, "invalid_scope", status::bad_request},
    {oauth_errc::too_many_requests, "too_many_requests", status::too_many_requests},
    {oauth_errc::temporarily_unavailable, "temporarily_unavailable", status::service_unavailable},
    {oauth_errc::server_error, "server_error", status::internal_server_error},
}};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (static_cast<std::size_t>(table[i].code) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "one row per oauth_errc, in enum order");

} // namespace

const oauth_error_info& error_info(oauth_errc code) noexcept { return table[static_cast<std::size_t>(code)]; }

token_error make_error(oauth_errc code, std::string description, std::chrono::seconds retry_after) {
  return token_error{code, std::move(description), retry_after};
}

void set_no_store(http::response& res) {
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::pragma, "no-cache");
}

http::response to_response(const token_error& e) {
  const auto& info = error_info(e.code);
  auto res = http::error_response(info.status, info.name, e.description);
  // RFC 6749 §5.2: a 401 for invalid_client MUST carry WWW-Authenticate with the scheme used;
  // Basic is the one we advertise (RFC 7617 §2).
  if (e.code == oauth_errc::invalid_client) res.set(http::field::www_authenticate, R"(Basic realm="oauth")");
  if (e.code == oauth_errc::too_many_requests || e.code == oauth_errc::temporarily_unavailable) {
    auto seconds = e.retry_after.count() > 0 ? e.retry_after.count() : 1;
    res.set(http::field::retry_after, std::to_string(seconds));
  }
  set_no_store(res);
  return res;
}

} // namespace oauth::auth
